import StarMockCore

/// The telegram part of the control API: the world acting as Telegram's users.
///
/// - `GET /__admin/telegram`: per bot, the pending updates, the webhook, the pre-checkout
///   queries, payments, subscriptions and the messages it sent
/// - `POST /__admin/telegram/pay {"user_id": N, "link": "https://t.me/$…"}` or
///   `{"user_id": N, "chat_id": C, "message_id": M}`
/// - `POST /__admin/telegram/cancel-subscription {"user_id": N, "telegram_payment_charge_id": "…", "is_canceled": true}`
/// - `POST /__admin/telegram/message {"user_id": N, "text": "/refund"}`: the user writes to the bot
/// - `POST /__admin/telegram/lose-webhook-answers {"count": N}`
extension TelegramBotAPI {
    package var controlEndpoints: [ControlEndpoint] {
        [
            ControlEndpoint(.get, "/__admin/telegram") { _, w in Self.controlState(&w) },
            ControlEndpoint(.post, "/__admin/telegram/pay", Self.controlPay),
            ControlEndpoint(.post, "/__admin/telegram/cancel-subscription", Self.controlCancel),
            ControlEndpoint(.post, "/__admin/telegram/message", Self.controlMessage),
            ControlEndpoint(.post, "/__admin/telegram/lose-webhook-answers", Self.controlLoseAnswers),
        ]
    }

    static func body(_ call: ControlCall) -> Result<JSON, ControlFailure> { call.object() }

    static func userID(_ body: JSON) -> Int64? {
        guard let id = body["user_id"]?.intValue, id > 0 else { return nil }
        return Int64(id)
    }

    static func controlPay(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        let body: JSON
        switch call.object() {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let user = userID(body) else {
            return Control.error(400, "\"user_id\" must be a positive integer (the paying user's Telegram id)")
        }
        let ref: InvoiceRef
        if let value = body["link"], value != .null {
            guard let link = value.stringValue, link.hasPrefix("https://t.me/$") else {
                return Control.error(400, "\"link\" must be an invoice link from createInvoiceLink (https://t.me/$…)")
            }
            ref = .link(link)
        } else if let chat = body["chat_id"]?.intValue, let message = body["message_id"]?.intValue {
            ref = .message(chatID: Int64(chat), messageID: message)
        } else {
            return Control.error(400, "Give \"link\" (an invoice link) or \"chat_id\" and \"message_id\" (a sent invoice)")
        }
        switch pay(userID: user, invoice: ref, in: &w) {
        case .success(let query): return Control.ok([("pre_checkout_query", query)])
        case .failure(let problem): return Control.error(problem.status, problem.message)
        }
    }

    static func controlCancel(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        let body: JSON
        switch call.object() {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let user = userID(body) else { return Control.error(400, "\"user_id\" must be a positive integer") }
        guard let charge = body["telegram_payment_charge_id"]?.stringValue, !charge.isEmpty else {
            return Control.error(400, "\"telegram_payment_charge_id\" must name a payment of the subscription")
        }
        var canceled = true
        if let value = body["is_canceled"], value != .null {
            guard case .bool(let b) = value else { return Control.error(400, "\"is_canceled\" must be true or false") }
            canceled = b
        }
        switch userCancels(userID: user, chargeID: charge, canceled: canceled, in: &w) {
        case .success(let subscription): return Control.ok([("subscription", subscription)])
        case .failure(let problem): return Control.error(problem.status, problem.message)
        }
    }

    static func controlMessage(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        let body: JSON
        switch call.object() {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let userID = userID(body), let user = w.user(id: userID) else {
            return Control.error(400, "\"user_id\" must be the id of a user of this world")
        }
        guard let text = body["text"]?.stringValue, !text.isEmpty else { return Control.error(400, "\"text\" must be a non-empty string") }
        var botIDs = w.telegram { Array($0.accounts.keys) + Array($0.runtimes.keys) }
        botIDs = Array(Set(botIDs)).sorted()
        if let bot = body["bot_id"]?.intValue { botIDs = [Int64(bot)] }
        guard let botID = botIDs.first else { return Control.error(404, "No bot in this world") }
        let date = w.now
        let messageID: Int = w.telegram { state in
            var account = state.account(botID)
            let id = account.lastMessageID[userID, default: 0] + 1
            account.lastMessageID[userID] = id
            state.accounts[botID] = account
            return id
        }
        var fields: [(String, JSON)] = [
            ("message_id", .int(messageID)), ("from", TelegramJSON.user(user)), ("chat", TelegramJSON.privateChat(user)),
            ("date", .int(date.unixSeconds)), ("text", .string(text)),
        ]
        if text.hasPrefix("/") {
            let command = text.prefix { $0 != " " }
            fields.append(("entities", .array([.object([("offset", .int(0)), ("length", .int(command.utf16.count)), ("type", .string("bot_command"))])])))
        }
        enqueue("message", .object(fields), botID: botID, in: &w)
        return Control.ok([("message_id", .int(messageID)), ("bot_id", .int(botID))])
    }

    static func controlLoseAnswers(_ call: ControlCall, _ w: inout WorldState) -> DialectResponse {
        let body: JSON
        switch call.object() {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let count = body["count"]?.intValue, count >= 0 else { return Control.error(400, "\"count\" must be 0 or more") }
        var kind: String?
        if let value = body["update"], value != .null {
            guard let text = value.stringValue, ["message", "pre_checkout_query"].contains(text) else {
                return Control.error(400, "\"update\" must be \"message\" or \"pre_checkout_query\"")
            }
            kind = text
        }
        w.telegram { state in
            state.answersToLose = count
            state.loseKind = kind
        }
        return Control.ok([("lose_webhook_answers", .int(count)), ("update", kind.map(JSON.string) ?? .null)])
    }

    static func invoiceJSON(_ i: TelegramState.Invoice) -> JSON {
        .object([
            ("link", i.link.map(JSON.string) ?? .null), ("chat_id", i.chatID.map { .int($0) } ?? .null),
            ("message_id", i.messageID.map { .int($0) } ?? .null), ("title", .string(i.title)),
            ("invoice_payload", .string(i.payload)), ("total_amount", .int(i.stars)),
            ("subscription_period", i.subscriptionPeriod.map { .int($0) } ?? .null),
        ])
    }

    static func controlState(_ w: inout WorldState) -> DialectResponse {
        let state = w.telegram { $0 }
        var bots: [JSON] = []
        for botID in Set(state.accounts.keys).union(state.runtimes.keys).sorted() {
            let r = state.runtimes[botID] ?? TelegramBotRuntime()
            var hook: JSON = .null
            if let h = r.webhook {
                hook = .object([
                    ("url", .string(h.url)), ("has_secret_token", .bool(h.secretToken != nil)),
                    ("last_error_message", h.lastErrorMessage.map(JSON.string) ?? .null),
                ])
            }
            let deliveries = r.sentMessages.map { m -> JSON in
                .object([
                    ("chat_id", .int(m.chatID)), ("message_id", .int(m.messageID)), ("text", .string(m.text)),
                    ("date", .string(m.date.description)), ("telegram_payment_charge_id", m.chargeID.map(JSON.string) ?? .null),
                ])
            }
            let payments = r.paymentOrder.compactMap { r.payments[$0] }.map { p -> JSON in
                .object([
                    ("telegram_payment_charge_id", .string(p.chargeID)), ("user_id", .int(p.userID)), ("total_amount", .int(p.stars)),
                    ("invoice_payload", .string(p.payload)), ("date", .string(p.date.description)),
                    ("is_recurring", .bool(p.subscription != nil)), ("is_renewal", .bool(p.isRenewal)),
                    ("refunded", .bool(state.accounts[botID]?.refunded.contains(p.chargeID) ?? false)),
                ])
            }
            bots.append(
                .object([
                    ("bot_id", .int(botID)),
                    ("balance", .int(state.accounts[botID]?.balance.amount ?? 0)),
                    ("pending_updates", .array(r.updates.map(\.json))),
                    ("confirmed_offset", .int(r.confirmedOffset)),
                    ("handed_out_twice", .array(r.handedOut.filter { $0.value > 1 }.keys.sorted().map { .int($0) })),
                    ("redeliveries", .int(r.redeliveries)),
                    ("webhook", hook),
                    ("polling", .bool(r.poll != nil)),
                    ("invoices", .array((state.accounts[botID]?.invoices ?? []).map(invoiceJSON))),
                    ("pre_checkout_queries", .array(r.queryOrder.compactMap { r.queries[$0] }.map { queryJSON($0, botID: botID) })),
                    ("payments", .array(payments)),
                    ("subscriptions", .array(r.subscriptions.values.sorted { $0.chargeID < $1.chargeID }.map(subscriptionJSON))),
                    ("sent_messages", .array(deliveries)),
                ]))
        }
        return Control.ok([("bots", .array(bots))])
    }
}
