public import StarMockCore

/// A Papaya invoice: what an application asks a Telegram user to subscribe to.
public struct PapayaInvoice: Sendable, Equatable {
    /// The invoice id (`int64`).
    public var id: Int64
    /// The application (key owner) that created it; other applications cannot see it.
    public var owner: String
    /// The optional title.
    public var title: String?
    /// The optional message shown to the payer.
    public var message: String?
    /// The rate per period, exact.
    public var rate: PapayaRate
    /// How often the subscription is billed.
    public var period: PapayaPeriod
    /// The caller's metadata object, echoed as given; nil when none was sent.
    public var metadata: JSON?
    /// When it was created.
    public var createdAt: WorldTime
    /// The Telegram deep link that opens the payment in the bot.
    public var botUrl: String
    /// Who paid it (`recipient`): the payer's username, or the numeric id when none is known.
    public var recipient: String?
    /// When it was paid.
    public var paidAt: WorldTime?
    /// The subscription its payment created.
    public var subscriptionID: Int64?

    /// `isPaid`.
    public var isPaid: Bool { paidAt != nil }

    /// An invoice.
    public init(
        id: Int64, owner: String, title: String? = nil, message: String? = nil, rate: PapayaRate,
        period: PapayaPeriod, metadata: JSON? = nil, createdAt: WorldTime, botUrl: String,
        recipient: String? = nil, paidAt: WorldTime? = nil, subscriptionID: Int64? = nil
    ) {
        self.id = id
        self.owner = owner
        self.title = title
        self.message = message
        self.rate = rate
        self.period = period
        self.metadata = metadata
        self.createdAt = createdAt
        self.botUrl = botUrl
        self.recipient = recipient
        self.paidAt = paidAt
        self.subscriptionID = subscriptionID
    }
}

/// A Papaya subscription: created when a Telegram user pays an invoice, on chain.
public struct PapayaSubscription: Sendable, Equatable {
    /// The subscription id (`int64`).
    public var id: Int64
    /// The application (key owner) it belongs to.
    public var owner: String
    /// The invoice whose payment created it, if any.
    public var invoiceID: Int64?
    /// The period it renews by.
    public var period: PapayaPeriod
    /// `chainId`.
    public var chainID: Int
    /// `tokenName`.
    public var tokenName: String
    /// `tx`: `0x` and 64 hex digits.
    public var tx: String
    /// `tgUserId`.
    public var tgUserID: Int64
    /// `userAddress`: `0x` and 40 hex digits.
    public var userAddress: String
    /// When it was created (the payment).
    public var createdAt: WorldTime
    /// When it lapses by itself; nil: only when told to.
    public var expiresAt: WorldTime?
    /// When it was lapsed by the control API or a scenario.
    public var lapsedAt: WorldTime?

    /// A subscription.
    public init(
        id: Int64, owner: String, invoiceID: Int64? = nil, period: PapayaPeriod, chainID: Int, tokenName: String,
        tx: String, tgUserID: Int64, userAddress: String, createdAt: WorldTime, expiresAt: WorldTime? = nil,
        lapsedAt: WorldTime? = nil
    ) {
        self.id = id
        self.owner = owner
        self.invoiceID = invoiceID
        self.period = period
        self.chainID = chainID
        self.tokenName = tokenName
        self.tx = tx
        self.tgUserID = tgUserID
        self.userAddress = userAddress
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lapsedAt = lapsedAt
    }

    /// `isActive` at `now`: not lapsed, and its period has not run out.
    public func isActive(at now: WorldTime) -> Bool {
        lapsedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
