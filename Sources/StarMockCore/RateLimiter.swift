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

/// Per-key sliding-window rate limiting on the world's clock. The window keeps the admitted
/// instants at millisecond resolution, equal instants counted together: memory per key is
/// bounded by both the limit and the window's milliseconds (a limit of a billion on a clock that
/// does not move is one entry), and each request costs amortised O(1), mutated in place.
public struct RateLimiter: Sendable {
    private var windows: [String: Window] = [:]

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
        return windows[key, default: Window()].admit(at: now.milliseconds, limit: limit.limit, window: limit.window.wholeMilliseconds)
    }

    /// Forgets everything.
    public mutating func reset() { windows = [:] }

    /// How many distinct instants are stored for `key` (for tests of the memory bound).
    func storedInstants(for key: String) -> Int { windows[key]?.stored ?? 0 }

    /// One key's admitted instants, oldest first from `head`: `instants[i]` admitted `counts[i]`
    /// times. An admission happens only below the limit, so no more than `limit` are kept (or
    /// the limit they were admitted under, until they expire, if it was lowered since).
    struct Window: Sendable {
        private var instants: [Int64] = []
        private var counts: [Int] = []
        private var head = 0
        private var total = 0

        var stored: Int { instants.count }

        mutating func admit(at instant: Int64, limit: Int, window: Int64) -> Decision {
            // The world's clock never goes back; should it, the instant counts as the last one.
            let now = max(instant, instants.last ?? instant)
            let horizon = now - window
            while head < instants.count, instants[head] <= horizon {
                total -= counts[head]
                head += 1
            }
            if total >= limit {
                // A slot frees when `total - limit + 1` admissions have left the window (one,
                // unless the limit was lowered since they were admitted).
                var leaving = total - limit + 1
                var i = head
                while leaving > counts[i] {
                    leaving -= counts[i]
                    i += 1
                }
                let frees = instants[i]
                compact()
                return .limited(retryAfter: .milliseconds(frees - horizon))
            }
            if head < instants.count, instants[instants.count - 1] == now {
                counts[counts.count - 1] += 1
            } else {
                instants.append(now)
                counts.append(1)
            }
            total += 1
            compact()
            return .allowed
        }

        /// Drops the expired prefix once it is at least half the storage (amortised O(1)).
        private mutating func compact() {
            guard head > 0, head * 2 >= instants.count else { return }
            instants.removeFirst(head)
            counts.removeFirst(head)
            head = 0
        }
    }
}
