/// An HTTP-level fault scripted by its dialect's own name (`CHARGING_ERROR`,
/// `reservation_failed`, …) and the requests it applies to.
public struct FaultRule: Sendable, Equatable {
    /// When the fault replaces the answer.
    public enum Phase: String, Sendable, Equatable {
        /// Before the request reaches the world: nothing changes (the charge never happened).
        case before
        /// After the world committed the request: the order exists, the client sees the error.
        case after
    }

    /// The dialect it belongs to; its error catalogue renders `code`.
    public var dialect: String
    /// The dialect's error code, e.g. `CHARGING_ERROR`.
    public var code: String
    /// Only this method, if set.
    public var method: String?
    /// Only paths matching this pattern (`*` matches one segment, a trailing `**` the rest).
    public var path: String?
    /// Only requests with this API key or bot token.
    public var key: String?
    /// Only the N-th matching request (1-based).
    public var nth: Int?
    /// At most this many times.
    public var times: Int?
    /// With this probability (0…1), rolled on the world's seeded generator.
    public var probability: Double?
    /// Only from this instant on the world's clock.
    public var from: WorldTime?
    /// Only before this instant.
    public var until: WorldTime?
    /// Before or after the world acts.
    public var phase: Phase

    /// Requests that matched so far.
    public internal(set) var matched = 0
    /// Times it fired so far.
    public internal(set) var fired = 0

    /// A rule.
    public init(
        dialect: String, code: String, method: String? = nil, path: String? = nil, key: String? = nil,
        nth: Int? = nil, times: Int? = nil, probability: Double? = nil, from: WorldTime? = nil,
        until: WorldTime? = nil, phase: Phase = .before
    ) {
        self.dialect = dialect
        self.code = code
        self.method = method
        self.path = path
        self.key = key
        self.nth = nth
        self.times = times
        self.probability = probability
        self.from = from
        self.until = until
        self.phase = phase
    }

    func matches(dialect: String, method: String, path: String, key: String?, at now: WorldTime) -> Bool {
        guard dialect == self.dialect else { return false }
        if let m = self.method, m.uppercased() != method.uppercased() { return false }
        if let p = self.path, !PathPattern.matches(pattern: p, path: path) { return false }
        if let k = self.key, k != key { return false }
        if let from, now < from { return false }
        if let until, now >= until { return false }
        return true
    }
}

/// `/api/v1/order/*` style patterns.
public enum PathPattern {
    /// Whether `path` (without query) matches `pattern`: `*` is one segment, `**` the rest.
    public static func matches(pattern: String, path: String) -> Bool {
        let p = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let s = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in p.enumerated() {
            if part == "**" { return true }
            guard i < s.count else { return false }
            if part != "*" && part != s[i] { return false }
        }
        return p.count == s.count
    }
}
