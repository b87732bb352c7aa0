public import StarMockCore

/// One movement of a bot's Telegram Stars, as `getStarTransactions` lists it.
public struct StarTransaction: Sendable, Equatable {
    /// The transaction's id. For a user's payment it is the `telegram_payment_charge_id`;
    /// a refund keeps the id of the payment it refunds (as the Bot API documents).
    public var id: String
    /// How many stars moved; always positive (the direction is `isIncoming`).
    public var amount: StarAmount
    /// When, on the world's clock (rendered as a Unix time).
    public var date: WorldTime
    /// Incoming transactions have a `source`, outgoing ones a `receiver`.
    public var isIncoming: Bool
    /// Who paid or was paid.
    public var partner: TransactionPartner

    /// A transaction.
    public init(id: String, amount: StarAmount, date: WorldTime, isIncoming: Bool, partner: TransactionPartner) {
        self.id = id
        self.amount = amount
        self.date = date
        self.isIncoming = isIncoming
        self.partner = partner
    }

    /// A user's payment of an invoice: `amount` stars came in from `user`.
    public static func payment(
        chargeID: String, stars: Int, from user: TransactionPartner.User, payload: String?, date: WorldTime
    ) -> StarTransaction {
        StarTransaction(
            id: chargeID, amount: StarAmount(amount: stars), date: date, isIncoming: true,
            partner: .user(user, transactionType: "invoice_payment", invoicePayload: payload))
    }
}

/// The other side of a star transaction (the Bot API's `TransactionPartner`, the kinds a
/// Stars-selling bot meets).
public enum TransactionPartner: Sendable, Equatable {
    /// A Telegram user (`type: "user"`).
    case user(User, transactionType: String, invoicePayload: String?)
    /// A withdrawal to Fragment (`type: "fragment"`).
    case fragment
    /// Telegram Ads top-ups (`type: "telegram_ads"`).
    case telegramAds
    /// Anything else (`type: "other"`).
    case other

    /// A Telegram user as a transaction shows it.
    public struct User: Sendable, Equatable {
        /// The user's id.
        public var id: Int64
        /// First name.
        public var firstName: String
        /// Username without `@`, if any.
        public var username: String?

        /// A user.
        public init(id: Int64, firstName: String, username: String? = nil) {
            self.id = id
            self.firstName = firstName
            self.username = username
        }
    }
}
