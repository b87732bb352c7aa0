public import StarMockCore

/// What the Bot API keeps per bot while the world runs besides its Stars: the updates it has
/// not confirmed, how it receives them (long polling or a webhook), the pre-checkout queries
/// and payments of its invoices, the subscriptions they started and the messages it sent.
public struct TelegramBotRuntime: Sendable {
    /// Updates not yet confirmed, oldest first.
    public var updates: [TelegramUpdate] = []
    /// The id the next update gets.
    public var nextUpdateID = 1
    /// The set webhook, if any.
    public var webhook: TelegramWebhook?
    /// The serial of the `getUpdates` waiting now, if any.
    public var poll: Int?
    /// Serials given to polls so far.
    public var pollSerial = 0
    /// `allowed_updates` as last given (getUpdates or setWebhook); nil: the default kinds.
    public var allowedUpdates: [String]?
    /// Changes with every setWebhook/deleteWebhook, so answers to older pushes are ignored.
    public var webhookGeneration = 0
    /// Whether a webhook push is in flight (one at a time, in order).
    public var pushing = false
    /// Pre-checkout queries by id.
    public var queries: [String: TelegramPreCheckout] = [:]
    /// Query ids in the order they were made.
    public var queryOrder: [String] = []
    /// Payments by `telegram_payment_charge_id`, with the order they were made in.
    public var payments: [String: TelegramPayment] = [:]
    /// Charge ids, oldest first.
    public var paymentOrder: [String] = []
    /// Subscriptions by the charge id of their first payment.
    public var subscriptions: [String: TelegramSubscription] = [:]
    /// Every `sendMessage` to a user, oldest first (the deliveries the contract rules count).
    public var sentMessages: [TelegramSentMessage] = []
    /// Every update handed to the bot (getUpdates answers and successful pushes), by update id:
    /// how many times.
    public var handedOut: [Int: Int] = [:]
    /// The highest `offset` the bot has confirmed with.
    public var confirmedOffset = 0
    /// Pushes redelivered after a failure.
    public var redeliveries = 0

    public init() {}
}

/// One update: its id, its kind (`message`, `pre_checkout_query`) and its object.
public struct TelegramUpdate: Sendable {
    /// `update_id`.
    public var id: Int
    /// The field that holds the object (`allowed_updates` filters on it).
    public var kind: String
    /// The object.
    public var object: JSON
    /// When it was made.
    public var date: WorldTime
    /// Failed pushes so far.
    public var attempts = 0

    /// `{"update_id":N,"<kind>":{…}}`
    public var json: JSON { .object([("update_id", .int(id)), (kind, object)]) }
}

/// `setWebhook`'s settings and the last push error.
public struct TelegramWebhook: Sendable, Equatable {
    /// The URL.
    public var url: String
    /// `X-Telegram-Bot-Api-Secret-Token`, if set.
    public var secretToken: String?
    /// `allowed_updates`; nil: every kind but the ones Telegram leaves out by default.
    public var allowedUpdates: [String]?
    /// The last failed push: when, and why.
    public var lastErrorDate: WorldTime?
    public var lastErrorMessage: String?
}

/// A user paying an invoice, between the `pre_checkout_query` and the bot's answer.
public struct TelegramPreCheckout: Sendable, Equatable {
    /// Where it stands.
    public enum Status: String, Sendable, Equatable {
        /// Waiting for `answerPreCheckoutQuery`.
        case pending
        /// Answered `ok: true`: paid.
        case paid
        /// Answered `ok: false`.
        case declined
        /// Not answered within the deadline: the payment is cancelled.
        case expired
    }

    /// The query id.
    public var id: String
    /// The payer.
    public var userID: Int64
    /// The invoice paid (index in the bot's invoices).
    public var invoice: Int
    /// Stars asked.
    public var stars: Int
    /// The invoice's payload.
    public var payload: String
    /// Made, and the deadline.
    public var createdAt: WorldTime
    public var deadline: WorldTime
    /// Where it stands.
    public var status: Status = .pending
    /// When the bot answered.
    public var answeredAt: WorldTime?
    /// `ok: false`'s `error_message`.
    public var errorMessage: String?
    /// The payment it led to.
    public var chargeID: String?
}

/// A completed payment (a first payment or a subscription's renewal).
public struct TelegramPayment: Sendable, Equatable {
    public var chargeID: String
    public var userID: Int64
    public var stars: Int
    public var payload: String
    public var date: WorldTime
    /// The subscription it belongs to (the first payment's charge id), if any.
    public var subscription: String?
    /// A renewal (not the first payment).
    public var isRenewal = false
}

/// A subscription started by paying a `subscription_period` invoice link.
public struct TelegramSubscription: Sendable, Equatable {
    /// The first payment's charge id: the id `editUserStarSubscription` names.
    public var chargeID: String
    public var userID: Int64
    public var stars: Int
    public var payload: String
    public var invoice: Int
    /// Paid until.
    public var expiresAt: WorldTime
    /// Cancelled by the bot (`editUserStarSubscription`).
    public var canceledByBot = false
    /// Cancelled by the user (control API).
    public var canceledByUser = false
    /// Renewals so far.
    public var renewals = 0
    /// The timer of the next renewal.
    public var renewalTimer: Int?
    /// Ended (cancelled and past its period).
    public var ended = false

    /// Whether it renews at `expiresAt`.
    public var renews: Bool { !canceledByBot && !canceledByUser }
}

/// A message the bot sent a user (`sendMessage`).
public struct TelegramSentMessage: Sendable, Equatable {
    public var chatID: Int64
    public var messageID: Int
    public var text: String
    public var date: WorldTime
    /// The payer's latest payment before it, which this message delivers (nil: none).
    public var chargeID: String?
}
