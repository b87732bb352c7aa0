/// Which upstream a key, an order, a fault or a journal entry belongs to (`sh4de`,
/// `tgmarket`, …). The world keeps it as an opaque name; each dialect owns its own constant.
public struct DialectID: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name used in scenarios, keys, the journal and the control API.
    public let name: String

    /// A dialect identity.
    public init(_ name: String) { self.name = name }

    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }

    public static func < (lhs: DialectID, rhs: DialectID) -> Bool { lhs.name < rhs.name }
}

/// A piece of one dialect's starting world (its bots, invoices, packages…), kept in
/// `WorldSetup` under a key type the dialect owns.
public protocol DialectSetupKey {
    /// What the dialect keeps.
    associatedtype Value: Sendable
    /// The value when a scenario says nothing.
    static var defaultValue: Value { get }
}

/// A piece of one dialect's running state (its invoices, transactions, recipients…), kept in
/// `WorldState` under a key type the dialect owns, created from the setup on first use and
/// gone with the world on reset.
public protocol DialectStateKey {
    /// What the dialect keeps.
    associatedtype Value: Sendable
    /// The state a fresh world starts with.
    static func initial(_ setup: WorldSetup) -> Value
}

/// Values stored under key types (the dialects' parts of the setup and of the state).
public struct DialectStorage: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Nothing stored.
    public init() {}

    func value<V: Sendable>(_ key: Any.Type, as: V.Type) -> V? { values[ObjectIdentifier(key)] as? V }

    mutating func set<V: Sendable>(_ value: V, for key: Any.Type) { values[ObjectIdentifier(key)] = value }
}

extension WorldSetup {
    /// One dialect's part of the setup: `setup[TelegramSetupKey.self].bots`.
    public subscript<K: DialectSetupKey>(key: K.Type) -> K.Value {
        get { dialectSetups.value(key, as: K.Value.self) ?? K.defaultValue }
        set { dialectSetups.set(newValue, for: key) }
    }
}

extension WorldState {
    /// One dialect's part of the running state: `world[PapayaStateKey.self].invoices`. The
    /// first access creates it from the setup and keeps it.
    public subscript<K: DialectStateKey>(key: K.Type) -> K.Value {
        mutating get {
            if let value = dialectStates.value(key, as: K.Value.self) { return value }
            let value = K.initial(setup)
            dialectStates.set(value, for: key)
            return value
        }
        set { dialectStates.set(newValue, for: key) }
    }

    /// One dialect's part of the running state, read without keeping anything (for read-only
    /// views such as the control API's).
    public func state<K: DialectStateKey>(_ key: K.Type) -> K.Value {
        dialectStates.value(key, as: K.Value.self) ?? K.initial(setup)
    }
}

/// How one dialect's requests are limited, when a scenario or the control API says so.
public enum RateLimitPolicy: Sendable, Equatable {
    /// At most this many requests per window, per key.
    case limited(RateLimit)
    /// No limit at all, not even the dialect's default.
    case unlimited

    /// The limit, if any.
    public var limit: RateLimit? {
        if case .limited(let limit) = self { limit } else { nil }
    }
}
