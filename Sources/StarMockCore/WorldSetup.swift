/// An API key (or bot token) as an upstream issued it.
public struct APIKey: Sendable, Equatable {
    /// The secret the client sends.
    public var key: String
    /// The dialect that issued it.
    public var dialect: DialectID
    /// The name the owner gave it (sh4de's `key_label`).
    public var label: String
    /// The account it draws on; up to three keys share one owner.
    public var owner: String
    /// Disabled keys are refused (sh4de `KEY_DISABLED`, TG Market `invalid_api_key`).
    public var enabled: Bool

    /// A key.
    public init(key: String, dialect: DialectID, label: String, owner: String, enabled: Bool = true) {
        self.key = key
        self.dialect = dialect
        self.label = label
        self.owner = owner
        self.enabled = enabled
    }
}

/// A Telegram account the upstream can deliver to.
public struct TelegramUser: Sendable, Equatable {
    /// The username without `@`.
    public var username: String
    /// Whether Stars can be sent to it.
    public var canReceiveStars: Bool
    /// Whether Premium can be gifted to it.
    public var canReceivePremium: Bool
    /// Telegram's numeric id.
    public var id: Int64

    /// A user.
    public init(username: String, id: Int64, canReceiveStars: Bool = true, canReceivePremium: Bool = true) {
        self.username = username
        self.id = id
        self.canReceiveStars = canReceiveStars
        self.canReceivePremium = canReceivePremium
    }
}

/// One dialect's price list.
public struct PriceList: Sendable, Equatable {
    /// Price of one star.
    public var perStar: UnitPrice
    /// The smallest star order.
    public var minStars: Int
    /// Premium price by months.
    public var premium: [Int: Money]

    /// A price list.
    public init(perStar: UnitPrice, minStars: Int, premium: [Int: Money]) {
        self.perStar = perStar
        self.minStars = minStars
        self.premium = premium
    }

}

/// How the world's clock runs.
public enum ClockMode: Sendable, Equatable, CustomStringConvertible {
    /// Wall time.
    case real
    /// Wall time sped up N times from the start.
    case scaled(Double)
    /// Moves only when told (control API, scenario, tests).
    case virtual

    /// Parses `real`, `virtual`, `scaled:N` or `xN`.
    public init?(_ text: String) {
        switch text {
        case "real": self = .real
        case "virtual": self = .virtual
        default:
            let number: Substring
            if text.hasPrefix("scaled:") {
                number = text.dropFirst("scaled:".count)
            } else if text.hasPrefix("x") {
                number = text.dropFirst()
            } else {
                return nil
            }
            guard let n = Double(number), n > 0, n.isFinite else { return nil }
            self = .scaled(n)
        }
    }

    public var description: String {
        switch self {
        case .real: "real"
        case .virtual: "virtual"
        case .scaled(let n): "scaled:\(n)"
        }
    }
}

/// Everything a world starts from. `reset` goes back to it.
public struct WorldSetup: Sendable {
    /// Keys and tokens.
    public var keys: [APIKey] = []
    /// Accounts by owner.
    public var accounts: [String: Account] = [:]
    /// Orders each owner placed before the world started (sh4de's `total_orders`).
    public var priorOrders: [String: Int] = [:]
    /// Known Telegram users.
    public var users: [TelegramUser] = []
    /// Price lists by dialect; a dialect without one here uses its documented prices.
    public var prices: [DialectID: PriceList] = [:]
    /// The next order id by dialect.
    public var firstOrderID: [DialectID: Int] = [:]
    /// Lifecycles by order kind; `standard` otherwise.
    public var lifecycles: [LifecycleKind: Lifecycle] = [:]
    /// Rate limits by dialect; a dialect without one here uses its own default.
    public var rateLimits: [DialectID: RateLimitPolicy] = [:]
    /// Rate-limit overrides by key.
    public var keyRateLimits: [String: RateLimit] = [:]
    /// Scripted HTTP faults.
    public var faults: [FaultRule] = []
    /// How long a held request (`?wait=true`) waits before 408.
    public var waitTimeout: Duration = .seconds(90)
    /// The clock.
    public var clock: ClockMode = .real
    /// When the world's clock starts; `nil`: now (real) or 2026-03-28 03:00:00 (virtual/scaled).
    public var startTime: WorldTime?
    /// The seed of every random choice.
    public var seed: UInt64 = 1
    /// How many exchanges the journal keeps.
    public var journalCapacity = 10_000
    /// How many bytes the journal's entries may cost in all (8 MiB); the oldest go first.
    public var journalByteBudget = 8 << 20
    /// How many bytes of each request and response body the journal keeps (4 KiB); the full
    /// size is recorded beside.
    public var journalBodyCap = 4096
    /// Each dialect's own part (bots, invoices, packages…), under key types the dialects own:
    /// `setup[SomeDialectSetup.self]`.
    public var dialectSetups = DialectStorage()

    /// An empty world.
    public init() {}

    /// The user with this Telegram id (ids are unique: scenarios refuse a repeated one).
    public func user(id: Int64) -> TelegramUser? { users.first { $0.id == id } }

    /// The documented date the sh4de examples use: 2026-03-28 03:00:00 UTC.
    public static let documentedStart = WorldTime("2026-03-28 03:00:00")!
}
