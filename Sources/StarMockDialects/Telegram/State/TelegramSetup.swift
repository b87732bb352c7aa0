public import StarMockCore

/// The starting state of the telegram dialect's part of the world: bots, their Stars, and how
/// flood control behaves.
public struct TelegramSetup: Sendable {
    /// The bots. A token is accepted when it is listed here or is an enabled `APIKey` of the
    /// `telegram` dialect (a key without a bot here gets a plain profile and no Stars).
    public var bots: [TelegramBot] = []
    /// The per-token limit used when `WorldSetup.rateLimits` sets none for this dialect; nil: no
    /// limit. Default 30 requests per second per token, Telegram's published broadcast limit.
    public var rateLimit: RateLimit? = RateLimit(limit: 30, window: .seconds(1))
    /// The `retry_after` the scripted `TOO_MANY_REQUESTS` fault answers with, in seconds.
    public var floodRetryAfter = 5
    /// The most stars one invoice may ask for (`createInvoiceLink`, `sendInvoice`).
    public var maxInvoiceStars = 10_000
    /// How long a bot has to answer a `pre_checkout_query` (world time).
    public var preCheckoutTimeout: Duration = .seconds(10)
    /// Whether `setWebhook` accepts URLs outside the loopback (127.0.0.0/8, `::1`, `localhost`).
    public var remoteWebhooks = false
    /// How long a webhook push waits for the bot's answer (real time).
    public var webhookTimeout: Duration = .seconds(10)
    /// The first N webhook push answers are treated as lost (the push is redelivered although
    /// the bot got it): a network blip after the bot handled the update.
    public var loseWebhookAnswers = 0

    /// An empty setup.
    public init() {}

    /// The bot with this token, if listed.
    public func bot(token: String) -> TelegramBot? { bots.first { $0.token == token } }
}

extension TelegramSetup: DialectSetupKey {
    public static var defaultValue: TelegramSetup { TelegramSetup() }
}

extension WorldSetup {
    /// The telegram dialect's part of the setup.
    package var telegram: TelegramSetup {
        get { self[TelegramSetup.self] }
        set { self[TelegramSetup.self] = newValue }
    }
}
