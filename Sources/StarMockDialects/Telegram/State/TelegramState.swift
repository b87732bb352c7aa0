public import StarMockCore

/// What the telegram dialect changes while the world runs: balances, transactions, refunds,
/// invoices. Kept in the world under its own key type, so it resets with it.
public struct TelegramState: Sendable {
    /// One bot's Stars and history.
    public struct Account: Sendable, Equatable {
        /// The current balance.
        public var balance: StarAmount
        /// Every transaction, oldest first.
        public var transactions: [StarTransaction]
        /// Charge ids already refunded.
        public var refunded: Set<String>
        /// The last message id sent in each chat.
        public var lastMessageID: [Int64: Int]
        /// Invoices the bot created (links and messages), oldest first.
        public var invoices: [Invoice]
    }

    /// An invoice a bot issued, kept so a scenario can pay it later.
    public struct Invoice: Sendable, Equatable {
        /// `https://t.me/$…` for links; nil for messages.
        public var link: String?
        /// The chat a `sendInvoice` went to.
        public var chatID: Int64?
        /// The message id of a `sendInvoice`.
        public var messageID: Int?
        /// Title.
        public var title: String
        /// Bot-defined payload.
        public var payload: String
        /// Stars asked.
        public var stars: Int
        /// `subscription_period` in seconds (always 2592000) for subscription links.
        public var subscriptionPeriod: Int?

        /// An invoice.
        public init(
            link: String?, chatID: Int64?, messageID: Int?, title: String, payload: String, stars: Int,
            subscriptionPeriod: Int? = nil
        ) {
            self.link = link
            self.chatID = chatID
            self.messageID = messageID
            self.title = title
            self.payload = payload
            self.stars = stars
            self.subscriptionPeriod = subscriptionPeriod
        }
    }

    /// Accounts by bot id.
    public var accounts: [Int64: Account] = [:]
    /// Updates, webhooks, payments and subscriptions by bot id.
    public var runtimes: [Int64: TelegramBotRuntime] = [:]
    /// Webhook push answers still to be treated as lost (`lose_webhook_answers`).
    public var answersToLose = 0
    /// Only answers to pushes of this update kind are lost (`message`, `pre_checkout_query`); nil: any.
    public var loseKind: String?
    /// Topics to signal once the state change is done.
    var pendingSignals: [String] = []

    /// The state a world starts with.
    public init(setup: TelegramSetup) {
        answersToLose = setup.loseWebhookAnswers
        for bot in setup.bots {
            // A seeded outgoing transaction to a user with a payment's id is that payment's refund.
            let payments = bot.transactions.filter {
                if case .user(_, "invoice_payment", _) = $0.partner { true } else { false }
            }
            let paid = Set(payments.filter(\.isIncoming).map(\.id))
            let refunded = Set(payments.filter { !$0.isIncoming }.map(\.id))
            accounts[bot.id] = Account(
                balance: bot.balance, transactions: bot.transactions, refunded: paid.intersection(refunded),
                lastMessageID: [:], invoices: [])
        }
    }

    /// The account of a bot, created empty if it has none yet.
    public mutating func account(_ botID: Int64) -> Account {
        if let account = accounts[botID] { return account }
        let account = Account(balance: .zero, transactions: [], refunded: [], lastMessageID: [:], invoices: [])
        accounts[botID] = account
        return account
    }
}

extension TelegramState: DialectStateKey {
    public static func initial(_ setup: WorldSetup) -> TelegramState { TelegramState(setup: setup[TelegramSetup.self]) }
}

extension WorldState {
    /// The telegram dialect's run-time state.
    package mutating func telegram<R>(_ change: (inout TelegramState) throws -> R) rethrows -> R {
        try change(&self[TelegramState.self])
    }
}
