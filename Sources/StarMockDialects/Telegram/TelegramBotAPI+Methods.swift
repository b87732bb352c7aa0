import StarMockCore

extension TelegramBotAPI {
    /// `getMyStarBalance` → `StarAmount`.
    func getMyStarBalance(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        let balance = world.telegram { $0.account(call.bot.id).balance }
        return .success(TelegramJSON.starAmount(balance))
    }

    /// `getStarTransactions(offset, limit)` → `StarTransactions`, oldest first. Like the Bot
    /// API server, an out-of-range `limit` is clamped to 1…100 and a negative `offset` to 0.
    func getStarTransactions(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        let offset: Int
        let limit: Int
        switch (call.parameters.integer("offset"), call.parameters.integer("limit")) {
        case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
        case (.success(let o), .success(let l)):
            offset = max(0, o ?? 0)
            limit = min(100, max(1, l ?? 100))
        }
        let all = world.telegram { $0.account(call.bot.id).transactions }
        let page = all.dropFirst(min(offset, all.count)).prefix(limit)
        return .success(.object([("transactions", .array(page.map(TelegramJSON.transaction)))]))
    }

    /// `refundStarPayment(user_id, telegram_payment_charge_id)` → `true`. The stars go back to
    /// the user: the balance drops and an outgoing transaction with the payment's id appears.
    func refundStarPayment(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        // The Bot API reads user_id leniently (a leading integer), then refuses 0 and below.
        guard let userText = call.parameters["user_id"], let userID = Int64(userText.trimmingSpaces), userID > 0 else {
            return .failure(.invalidUserID)
        }
        guard let chargeID = call.parameters["telegram_payment_charge_id"] else {
            return .failure(.parameterRequired("telegram_payment_charge_id"))
        }
        let now = world.now
        let result = world.telegram { state -> Result<(Int, String?), TelegramError> in
            var account = state.account(call.bot.id)
            guard
                let payment = account.transactions.first(where: {
                    $0.id == chargeID && $0.isIncoming && $0.partner.isUserPayment
                }), case .user(let user, let type, let payload) = payment.partner
            else { return .failure(.chargeNotFound) }
            guard user.id == userID else { return .failure(.userIDInvalid) }
            guard !account.refunded.contains(chargeID) else { return .failure(.chargeAlreadyRefunded) }
            account.refunded.insert(chargeID)
            account.balance -= payment.amount
            account.transactions.append(
                StarTransaction(
                    id: chargeID, amount: payment.amount, date: now, isIncoming: false,
                    partner: .user(user, transactionType: type, invoicePayload: payload)))
            state.accounts[call.bot.id] = account
            return .success((payment.amount.amount, payload))
        }
        switch result {
        case .failure(let e): return .failure(e)
        case .success(let (stars, payload)):
            Self.sendRefunded(chargeID: chargeID, userID: userID, stars: stars, payload: payload, botID: call.bot.id, in: &world)
            return .success(.bool(true))
        }
    }

    /// `createInvoiceLink` → `"https://t.me/$…"`.
    func createInvoiceLink(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        let invoice: StarsInvoice
        switch StarsInvoice.read(call.parameters, maxStars: world.setup.telegram.maxInvoiceStars) {
        case .success(let i): invoice = i
        case .failure(let e): return .failure(e)
        }
        // Subscriptions: 30 days exactly, Stars only (checked above), at most 10 000 a period.
        var period: Int?
        switch call.parameters.integer("subscription_period") {
        case .failure(let e): return .failure(e)
        case .success(let p?):
            guard p == Self.subscriptionPeriod else { return .failure(.subscriptionPeriodInvalid) }
            guard invoice.stars <= Self.maxSubscriptionStars else { return .failure(.currencyTotalAmountInvalid) }
            period = p
        case .success(nil): break
        }
        let link = "https://t.me/$" + Self.linkSlug(using: &world.random)
        world.telegram { state in _ = state.keep(invoice, of: call.bot, link: link, subscriptionPeriod: period) }
        return .success(.string(link))
    }

    /// `sendInvoice` → the sent `Message`. Only private chats with the world's users exist: a
    /// numeric `chat_id` of a known user; anything else is `chat not found`.
    func sendInvoice(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        let invoice: StarsInvoice
        switch StarsInvoice.read(call.parameters, maxStars: world.setup.telegram.maxInvoiceStars) {
        case .success(let i): invoice = i
        case .failure(let e): return .failure(e)
        }
        guard let chatText = call.parameters["chat_id"] else { return .failure(.chatIDEmpty) }
        guard let chatID = Int64(chatText.trimmingSpaces), chatID > 0,
            let user = world.user(id: chatID)
        else { return .failure(.chatNotFound) }
        let date = world.now.unixSeconds
        let messageID = world.telegram { state in state.keep(invoice, of: call.bot, chatID: chatID) ?? 0 }
        return .success(
            .object([
                ("message_id", .int(messageID)),
                ("from", TelegramJSON.sender(call.bot)),
                ("chat", TelegramJSON.privateChat(user)),
                ("date", .int(date)),
                (
                    "invoice",
                    .object([
                        ("title", .string(invoice.title)), ("description", .string(invoice.description)),
                        ("start_parameter", .string(invoice.startParameter)), ("currency", .string("XTR")),
                        ("total_amount", .int(invoice.stars)),
                    ])
                ),
            ]))
    }

    /// 27 characters of `A–Z a–z 0–9 _ -` from the world's seeded generator.
    static func linkSlug(using random: inout SeededRandom) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return String((0..<27).map { _ in alphabet[Int(random.next() % 64)] })
    }
}

extension TransactionPartner {
    var isUserPayment: Bool {
        if case .user(_, let type, _) = self { return type == "invoice_payment" }
        return false
    }
}

extension TelegramState {
    /// Keeps an invoice a bot issued (a link, or a message in a chat) so a user can pay it
    /// later; returns the message id a sent invoice got.
    mutating func keep(
        _ invoice: StarsInvoice, of bot: TelegramBot, link: String? = nil, chatID: Int64? = nil, subscriptionPeriod: Int? = nil
    ) -> Int? {
        var account = account(bot.id)
        var messageID: Int?
        if let chatID {
            messageID = account.lastMessageID[chatID, default: 0] + 1
            account.lastMessageID[chatID] = messageID
        }
        account.invoices.append(
            .init(
                link: link, chatID: chatID, messageID: messageID, title: invoice.title, payload: invoice.payload,
                stars: invoice.stars, subscriptionPeriod: subscriptionPeriod))
        accounts[bot.id] = account
        return messageID
    }
}
