/// A sliding-window limit: at most `limit` requests in any `window`.
public struct RateLimit: Sendable, Equatable, Codable {
    /// Requests allowed per window.
    public var limit: Int
    /// The window's length.
    public var window: Duration

    /// Creates a limit.
    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// sh4de: 30 requests per minute per key.
    public static let perMinute30 = RateLimit(limit: 30, window: .seconds(60))
    /// TG Market: 10 requests per second per key.
    public static let perSecond10 = RateLimit(limit: 10, window: .seconds(1))

    enum CodingKeys: String, CodingKey { case limit, windowMilliseconds }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limit = try c.decode(Int.self, forKey: .limit)
        window = .milliseconds(try c.decode(Int64.self, forKey: .windowMilliseconds))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(limit, forKey: .limit)
        try c.encode(window.wholeMilliseconds, forKey: .windowMilliseconds)
    }
}

/// Per-key sliding-window rate limiting on the world's clock. Memory per key is bounded by
/// the limit: only the last `limit` admitted instants are kept.
public struct RateLimiter: Sendable {
    private var admitted: [String: [WorldTime]] = [:]

    /// An empty limiter.
    public init() {}

    /// The answer to one request.
    public enum Decision: Sendable, Equatable {
        /// Go ahead.
        case allowed
        /// Refused; a slot frees after `retryAfter`.
        case limited(retryAfter: Duration)
    }

    /// Counts a request by `key` at `now` under `limit`; refused requests are not counted.
    public mutating func admit(key: String, at now: WorldTime, limit: RateLimit) -> Decision {
        guard limit.limit > 0 else { return .limited(retryAfter: limit.window) }
        var times = admitted[key, default: []]
        let horizon = now.milliseconds - limit.window.wholeMilliseconds
        times.removeAll { $0.milliseconds <= horizon }
        if times.count >= limit.limit {
            let oldest = times[times.count - limit.limit]
            admitted[key] = times
            return .limited(retryAfter: .milliseconds(oldest.milliseconds - horizon))
        }
        times.append(now)
        if times.count > limit.limit { times.removeFirst(times.count - limit.limit) }
        admitted[key] = times
        return .allowed
    }

    /// Forgets everything.
    public mutating func reset() { admitted = [:] }
}
