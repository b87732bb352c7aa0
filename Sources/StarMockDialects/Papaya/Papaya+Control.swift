import StarMockCore

/// The papaya part of the control API: a simulated Telegram user pays an invoice, a
/// subscription lapses, and both lists can be read.
///
/// - `GET /__admin/papaya`
/// - `POST /__admin/papaya/invoices/{id}/pay {"tg_user_id": 123456789, "username": "username", "user_address": "0x…"}`
///   (`username` and `user_address` optional)
/// - `POST /__admin/papaya/subscriptions/{id}/lapse`
extension Papaya {
    package var controlEndpoints: [ControlEndpoint] {
        [
            ControlEndpoint(.get, "/__admin/papaya") { _, w in Self.papayaState(w) },
            ControlEndpoint(.post, "/__admin/papaya/invoices/{id}/pay", Self.payInvoice),
            ControlEndpoint(.post, "/__admin/papaya/subscriptions/{id}/lapse", Self.lapseSubscription),
        ]
    }

    static func papayaState(_ w: WorldState) -> DialectResponse {
        let now = w.now
        let state = w.papaya
        return Control.ok([
            ("invoices", .array(state.invoices.values.sorted { $0.id < $1.id }.map(Self.papayaInvoiceJSON))),
            (
                "subscriptions",
                .array(state.subscriptions.values.sorted { $0.id < $1.id }.map { Self.papayaSubscriptionJSON($0, now: now) })
            ),
        ])
    }

    static func payInvoice(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        guard let id = Int64(call["id"]) else { return Control.error(400, "Invoice id must be an integer") }
        let body: JSON
        switch call.object() {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let userID = body["tg_user_id"]?.intValue, userID > 0 else {
            return Control.error(400, "\"tg_user_id\" must be a positive integer (the payer's Telegram user id)")
        }
        var username: String?
        if let value = body["username"], value != .null {
            guard let text = value.stringValue else { return Control.error(400, "\"username\" must be a string") }
            username = text
        }
        var address: String?
        if let value = body["user_address"], value != .null {
            guard let text = value.stringValue, Self.isWalletAddress(text) else {
                return Control.error(400, "\"user_address\" must be 0x and 40 hex digits")
            }
            address = text
        }
        do throws(PapayaError) {
            let (invoice, subscription) = try w.payPapayaInvoice(
                id, tgUserID: Int64(userID), username: username, userAddress: address)
            return Control.ok([
                ("invoice", Self.papayaInvoiceJSON(invoice)),
                ("subscription", Self.papayaSubscriptionJSON(subscription, now: w.now)),
            ])
        } catch {
            return Self.papayaError(error)
        }
    }

    static func lapseSubscription(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        guard let id = Int64(call["id"]) else { return Control.error(400, "Subscription id must be an integer") }
        do throws(PapayaError) {
            let subscription = try w.lapsePapayaSubscription(id)
            return Control.ok([("subscription", Self.papayaSubscriptionJSON(subscription, now: w.now))])
        } catch {
            return Self.papayaError(error)
        }
    }

    static func papayaError(_ error: PapayaError) -> DialectResponse {
        switch error {
        case .noSuchInvoice(let id): Control.error(404, "No papaya invoice \(id)")
        case .alreadyPaid(let id): Control.error(409, "Papaya invoice \(id) is already paid")
        case .noSuchSubscription(let id): Control.error(404, "No papaya subscription \(id)")
        case .notActive(let id): Control.error(409, "Papaya subscription \(id) is not active")
        }
    }

    static func isWalletAddress(_ text: String) -> Bool {
        text.hasPrefix("0x") && text.utf8.count == 42
            && text.utf8.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    static func papayaInvoiceJSON(_ i: PapayaInvoice) -> JSON {
        .object([
            ("id", .int(i.id)), ("owner", .string(i.owner)), ("title", i.title.map(JSON.string) ?? .null),
            ("message", i.message.map(JSON.string) ?? .null), ("rate", .string(i.rate.dotNetText)),
            ("period", .string(i.period.name)), ("metadata", i.metadata ?? .null),
            ("created_at", .string(i.createdAt.iso8601)), ("bot_url", .string(i.botUrl)), ("is_paid", .bool(i.isPaid)),
            ("recipient", i.recipient.map(JSON.string) ?? .null),
            ("paid_at", i.paidAt.map { .string($0.iso8601) } ?? .null),
            ("subscription_id", i.subscriptionID.map { .int($0) } ?? .null),
        ])
    }

    static func papayaSubscriptionJSON(_ s: PapayaSubscription, now: WorldTime) -> JSON {
        .object([
            ("id", .int(s.id)), ("owner", .string(s.owner)), ("invoice_id", s.invoiceID.map { .int($0) } ?? .null),
            ("period", .string(s.period.name)), ("chain_id", .int(s.chainID)), ("token_name", .string(s.tokenName)),
            ("tx", .string(s.tx)), ("tg_user_id", .int(s.tgUserID)), ("user_address", .string(s.userAddress)),
            ("created_at", .string(s.createdAt.iso8601)), ("expires_at", s.expiresAt.map { .string($0.iso8601) } ?? .null),
            ("lapsed_at", s.lapsedAt.map { .string($0.iso8601) } ?? .null), ("is_active", .bool(s.isActive(at: now))),
        ])
    }
}
