import StarMockCore

/// Paying: the user (the world acting, through the control API) pays an invoice; the bot gets
/// a `pre_checkout_query` and has `TelegramSetup.preCheckoutTimeout` of world time to answer
/// `answerPreCheckoutQuery`; after `ok: true` the Stars move and a `successful_payment`
/// message arrives. Subscriptions renew every 30 days on the world's clock.
extension TelegramBotAPI {
    /// The only `subscription_period` Telegram accepts: 30 days.
    static let subscriptionPeriod = 2_592_000
    /// The most a subscription may cost per period.
    static let maxSubscriptionStars = 10_000

    /// Why a payment could not start (the control API's 4xx).
    struct PayProblem: Error {
        let status: Int
        let message: String
    }

    /// What the paying user names: an invoice link, or a sent invoice's chat and message.
    enum InvoiceRef {
        case link(String)
        case message(chatID: Int64, messageID: Int)
    }

    /// The user `userID` pays: a `pre_checkout_query` update goes to the invoice's bot.
    static func pay(userID: Int64, invoice ref: InvoiceRef, in world: inout WorldState) -> Result<JSON, PayProblem> {
        guard let user = world.user(id: userID) else {
            return .failure(PayProblem(status: 404, message: "No user with id \(userID) in this world (world.users)"))
        }
        let found: (Int64, Int, TelegramState.Invoice)? = world.telegram { state in
            for botID in state.accounts.keys.sorted() {
                guard let invoices = state.accounts[botID]?.invoices else { continue }
                for (i, invoice) in invoices.enumerated() {
                    switch ref {
                    case .link(let link) where invoice.link == link: return (botID, i, invoice)
                    case .message(let chat, let message) where invoice.chatID == chat && invoice.messageID == message:
                        return (botID, i, invoice)
                    default: continue
                    }
                }
            }
            return nil
        }
        guard let (botID, index, invoice) = found else {
            switch ref {
            case .link(let link): return .failure(PayProblem(status: 404, message: "No invoice link \(link)"))
            case .message(let chat, let message):
                return .failure(PayProblem(status: 404, message: "No invoice in chat \(chat) with message_id \(message)"))
            }
        }
        if case .message(let chat, _) = ref, chat != userID {
            return .failure(PayProblem(status: 409, message: "The invoice was sent to chat \(chat), not to user \(userID)"))
        }
        if invoice.subscriptionPeriod != nil {
            let active = world.telegram { state in
                state.runtime(botID).subscriptions.values.contains { $0.invoice == index && $0.userID == userID && !$0.ended }
            }
            if active {
                return .failure(PayProblem(status: 409, message: "User \(userID) already has an active subscription from this link"))
            }
        }
        let now = world.now
        let queryID = String(1_000_000_000_000_000_000 + world.random.next() % 8_000_000_000_000_000_000)
        let deadline = now.adding(world.setup.telegram.preCheckoutTimeout)
        let query = TelegramPreCheckout(
            id: queryID, userID: userID, invoice: index, stars: invoice.stars, payload: invoice.payload, createdAt: now,
            deadline: deadline)
        world.telegram { state in
            var runtime = state.runtime(botID)
            runtime.queries[queryID] = query
            runtime.queryOrder.append(queryID)
            state.runtimes[botID] = runtime
        }
        world.schedule(at: deadline) { world in
            world.telegram { state in
                if state.runtimes[botID]?.queries[queryID]?.status == .pending {
                    state.runtimes[botID]?.queries[queryID]?.status = .expired
                }
            }
        }
        enqueue(
            "pre_checkout_query",
            .object([
                ("id", .string(queryID)), ("from", TelegramJSON.user(user)), ("currency", .string("XTR")),
                ("total_amount", .int(invoice.stars)), ("invoice_payload", .string(invoice.payload)),
            ]), botID: botID, in: &world)
        return .success(queryJSON(query, botID: botID))
    }

    /// `answerPreCheckoutQuery(pre_checkout_query_id, ok, error_message)` → `true`.
    func answerPreCheckoutQuery(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        guard let queryID = call.parameters["pre_checkout_query_id"] else {
            return .failure(.parameterRequired("pre_checkout_query_id"))
        }
        let ok = call.parameters.bool("ok")
        let errorMessage = call.parameters["error_message"]
        if !ok && errorMessage == nil { return .failure(.parameterRequired("error_message")) }
        let botID = call.bot.id
        let now = world.now
        let query: TelegramPreCheckout? = world.telegram { state in
            guard var query = state.runtimes[botID]?.queries[queryID], query.status == .pending, now < query.deadline
            else { return nil }
            query.answeredAt = now
            query.status = ok ? .paid : .declined
            if !ok { query.errorMessage = errorMessage }
            state.runtimes[botID]?.queries[queryID] = query
            return query
        }
        guard let query else { return .failure(.queryIDInvalid) }
        if ok { Self.completePayment(query, bot: call.bot, in: &world) }
        return .success(.bool(true))
    }

    /// The Stars move: balance, transaction, the `successful_payment` message; a subscription
    /// link starts a subscription.
    static func completePayment(_ query: TelegramPreCheckout, bot: TelegramBot, in world: inout WorldState) {
        let botID = bot.id
        let invoice = world.telegram { $0.account(botID).invoices[query.invoice] }
        let chargeID = newChargeID(&world)
        var subscription: TelegramSubscription?
        if let period = invoice.subscriptionPeriod {
            subscription = TelegramSubscription(
                chargeID: chargeID, userID: query.userID, stars: query.stars, payload: query.payload,
                invoice: query.invoice, expiresAt: world.now.adding(.seconds(period)))
        }
        world.telegram { state in state.runtimes[botID]?.queries[query.id]?.chargeID = chargeID }
        record(
            TelegramPayment(
                chargeID: chargeID, userID: query.userID, stars: query.stars, payload: query.payload, date: world.now,
                subscription: subscription?.chargeID),
            subscription: subscription, firstRecurring: true, botID: botID, in: &world)
        if let subscription { scheduleRenewal(subscription.chargeID, at: subscription.expiresAt, bot: bot, in: &world) }
    }

    /// Books a payment and sends its `successful_payment` message.
    static func record(
        _ payment: TelegramPayment, subscription: TelegramSubscription?, firstRecurring: Bool, botID: Int64,
        in world: inout WorldState
    ) {
        guard let user = world.user(id: payment.userID) else { return }
        let partner = TransactionPartner.User(id: user.id, firstName: user.username, username: user.username)
        let messageID: Int = world.telegram { state in
            var account = state.account(botID)
            account.balance += StarAmount(amount: payment.stars)
            account.transactions.append(
                .payment(chargeID: payment.chargeID, stars: payment.stars, from: partner, payload: payment.payload, date: payment.date))
            let messageID = account.lastMessageID[payment.userID, default: 0] + 1
            account.lastMessageID[payment.userID] = messageID
            state.accounts[botID] = account
            var runtime = state.runtime(botID)
            runtime.payments[payment.chargeID] = payment
            runtime.paymentOrder.append(payment.chargeID)
            if let subscription { runtime.subscriptions[subscription.chargeID] = subscription }
            state.runtimes[botID] = runtime
            return messageID
        }
        var fields: [(String, JSON)] = [
            ("currency", .string("XTR")), ("total_amount", .int(payment.stars)), ("invoice_payload", .string(payment.payload)),
        ]
        if let subscription {
            fields.append(("subscription_expiration_date", .int(subscription.expiresAt.unixSeconds)))
            fields.append(("is_recurring", .bool(true)))
            if firstRecurring { fields.append(("is_first_recurring", .bool(true))) }
        }
        fields.append(("telegram_payment_charge_id", .string(payment.chargeID)))
        fields.append(("provider_payment_charge_id", .string(payment.chargeID)))
        enqueue(
            "message",
            serviceMessage(messageID: messageID, user: user, date: payment.date, ("successful_payment", .object(fields))),
            botID: botID, in: &world)
    }

    /// A message from the user in its private chat with the bot.
    static func serviceMessage(messageID: Int, user: TelegramUser, date: WorldTime, _ field: (String, JSON)) -> JSON {
        .object([
            ("message_id", .int(messageID)), ("from", TelegramJSON.user(user)), ("chat", TelegramJSON.privateChat(user)),
            ("date", .int(date.unixSeconds)), field,
        ])
    }

    /// At the end of the period: renews (a new payment and transaction, a recurring
    /// `successful_payment`) unless cancelled, then ends.
    static func scheduleRenewal(_ subscriptionID: String, at due: WorldTime, bot: TelegramBot, in world: inout WorldState) {
        let botID = bot.id
        let timer = world.schedule(at: due) { world in
            guard var subscription = world.telegram({ $0.runtimes[botID]?.subscriptions[subscriptionID] }), !subscription.ended
            else { return }
            guard subscription.renews else {
                subscription.ended = true
                subscription.renewalTimer = nil
                world.telegram { $0.runtimes[botID]?.subscriptions[subscriptionID] = subscription }
                return
            }
            let chargeID = newChargeID(&world)
            subscription.renewals += 1
            subscription.expiresAt = world.now.adding(.seconds(subscriptionPeriod))
            record(
                TelegramPayment(
                    chargeID: chargeID, userID: subscription.userID, stars: subscription.stars, payload: subscription.payload,
                    date: world.now, subscription: subscriptionID, isRenewal: true),
                subscription: subscription, firstRecurring: false, botID: botID, in: &world)
            scheduleRenewal(subscriptionID, at: subscription.expiresAt, bot: bot, in: &world)
        }
        world.telegram { $0.runtimes[botID]?.subscriptions[subscriptionID]?.renewalTimer = timer }
    }

    /// `editUserStarSubscription(user_id, telegram_payment_charge_id, is_canceled)` → `true`.
    func editUserStarSubscription(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        guard let userText = call.parameters["user_id"], let userID = Int64(userText.trimmingSpaces), userID > 0 else {
            return .failure(.invalidUserID)
        }
        guard let chargeID = call.parameters["telegram_payment_charge_id"] else {
            return .failure(.parameterRequired("telegram_payment_charge_id"))
        }
        let canceled = call.parameters.bool("is_canceled")
        return world.telegram { state -> Result<JSON, TelegramError> in
            var runtime = state.runtime(call.bot.id)
            guard let payment = runtime.payments[chargeID], let id = payment.subscription,
                var subscription = runtime.subscriptions[id]
            else { return .failure(.chargeNotFound) }
            guard subscription.userID == userID else { return .failure(.userIDInvalid) }
            guard !subscription.ended else { return .failure(.subscriptionExpired) }
            subscription.canceledByBot = canceled
            runtime.subscriptions[id] = subscription
            state.runtimes[call.bot.id] = runtime
            return .success(.bool(true))
        }
    }

    /// The user's side: stops (or resumes) a subscription's renewals.
    static func userCancels(
        userID: Int64, chargeID: String, canceled: Bool, in world: inout WorldState
    ) -> Result<JSON, PayProblem> {
        world.telegram { state -> Result<JSON, PayProblem> in
            for botID in state.runtimes.keys.sorted() {
                var runtime = state.runtimes[botID]!
                guard let payment = runtime.payments[chargeID], let id = payment.subscription,
                    var subscription = runtime.subscriptions[id]
                else { continue }
                guard subscription.userID == userID else {
                    return .failure(PayProblem(status: 409, message: "Subscription \(id) belongs to user \(subscription.userID), not \(userID)"))
                }
                guard !subscription.ended else {
                    return .failure(PayProblem(status: 409, message: "Subscription \(id) has ended"))
                }
                subscription.canceledByUser = canceled
                runtime.subscriptions[id] = subscription
                state.runtimes[botID] = runtime
                return .success(subscriptionJSON(subscription))
            }
            return .failure(PayProblem(status: 404, message: "No subscription paid with charge \(chargeID)"))
        }
    }

    /// `refundStarPayment` done: the user's chat gets a `refunded_payment` message.
    static func sendRefunded(chargeID: String, userID: Int64, stars: Int, payload: String?, botID: Int64, in world: inout WorldState) {
        guard let user = world.user(id: userID) else { return }
        let date = world.now
        let messageID: Int = world.telegram { state in
            var account = state.account(botID)
            let id = account.lastMessageID[userID, default: 0] + 1
            account.lastMessageID[userID] = id
            state.accounts[botID] = account
            return id
        }
        let refunded: JSON = .object([
            ("currency", .string("XTR")), ("total_amount", .int(stars)), ("invoice_payload", .string(payload ?? "")),
            ("telegram_payment_charge_id", .string(chargeID)), ("provider_payment_charge_id", .string(chargeID)),
        ])
        enqueue("message", serviceMessage(messageID: messageID, user: user, date: date, ("refunded_payment", refunded)), botID: botID, in: &world)
    }

    /// `sendMessage(chat_id, text)` → the sent `Message`. Private chats with the world's users
    /// only. Each is noted as a delivery of the user's latest payment (the contract rules).
    func sendMessage(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        guard let chatText = call.parameters["chat_id"] else { return .failure(.chatIDEmpty) }
        guard let chatID = Int64(chatText.trimmingSpaces), chatID > 0, let user = world.user(id: chatID) else {
            return .failure(.chatNotFound)
        }
        guard let text = call.parameters["text"] else { return .failure(.messageTextEmpty) }
        let date = world.now
        let messageID: Int = world.telegram { state in
            var account = state.account(call.bot.id)
            let id = account.lastMessageID[chatID, default: 0] + 1
            account.lastMessageID[chatID] = id
            state.accounts[call.bot.id] = account
            var runtime = state.runtime(call.bot.id)
            let latest = runtime.paymentOrder.last { runtime.payments[$0]?.userID == chatID }
            runtime.sentMessages.append(TelegramSentMessage(chatID: chatID, messageID: id, text: text, date: date, chargeID: latest))
            state.runtimes[call.bot.id] = runtime
            return id
        }
        return .success(
            .object([
                ("message_id", .int(messageID)), ("from", TelegramJSON.sender(call.bot)), ("chat", TelegramJSON.privateChat(user)),
                ("date", .int(date.unixSeconds)), ("text", .string(text)),
            ]))
    }

    /// `stx` + 40 characters of `A–Z a–z 0–9` from the world's seeded generator.
    static func newChargeID(_ world: inout WorldState) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "stx" + String((0..<40).map { _ in alphabet[Int(world.random.next() % 62)] })
    }

    static func queryJSON(_ q: TelegramPreCheckout, botID: Int64) -> JSON {
        var fields: [(String, JSON)] = [
            ("pre_checkout_query_id", .string(q.id)), ("bot_id", .int(botID)), ("user_id", .int(q.userID)),
            ("total_amount", .int(q.stars)), ("invoice_payload", .string(q.payload)), ("status", .string(q.status.rawValue)),
            ("deadline", .string(q.deadline.description)),
        ]
        if let at = q.answeredAt { fields.append(("answered_at", .string(at.description))) }
        if let message = q.errorMessage { fields.append(("error_message", .string(message))) }
        if let charge = q.chargeID { fields.append(("telegram_payment_charge_id", .string(charge))) }
        return .object(fields)
    }

    static func subscriptionJSON(_ s: TelegramSubscription) -> JSON {
        .object([
            ("telegram_payment_charge_id", .string(s.chargeID)), ("user_id", .int(s.userID)), ("total_amount", .int(s.stars)),
            ("invoice_payload", .string(s.payload)), ("expires_at", .string(s.expiresAt.description)),
            ("canceled_by_bot", .bool(s.canceledByBot)), ("canceled_by_user", .bool(s.canceledByUser)),
            ("renewals", .int(s.renewals)), ("active", .bool(!s.ended)),
        ])
    }
}
