/// A connection-level fault, applied next to the socket.
public enum TransportFault: Sendable, Equatable, CustomStringConvertible {
    /// RST: SO_LINGER 0 then close; the client sees ECONNRESET.
    case reset
    /// Close without answering ("empty reply").
    case close
    /// Write these bytes instead of an HTTP response, then close.
    case garbage([UInt8])
    /// Send only the first N bytes of the response, then close.
    case truncate(afterBytes: Int)
    /// Send the response in chunks of N bytes spread over a duration (real time).
    case dribble(chunkBytes: Int, over: Duration)

    public var description: String {
        switch self {
        case .reset: "reset"
        case .close: "close"
        case .garbage(let b): "garbage(\(b.count) bytes)"
        case .truncate(let n): "truncate(\(n))"
        case .dribble(let n, let d): "dribble(\(n) bytes over \(d.wholeMilliseconds)ms)"
        }
    }

    /// Whether it needs the real response (truncate, dribble) and so can only apply after.
    public var needsResponse: Bool {
        switch self {
        case .truncate, .dribble: true
        default: false
        }
    }
}

/// An answer a `respond_verbatim` fault sends as it is: status, header fields in order, body.
public struct VerbatimAnswer: Sendable, Equatable {
    /// The status code (100 … 599).
    public var status: Int
    /// Header fields, in order (`Content-Length` is the server's).
    public var headers: [VerbatimHeader]
    /// The body's bytes.
    public var body: [UInt8]

    /// An answer.
    public init(status: Int, headers: [VerbatimHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// One header field of a verbatim answer.
public struct VerbatimHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A scripted misbehaviour and the requests it applies to: an error in the dialect's own
/// words (`CHARGING_ERROR`, `reservation_failed`, …), a transport fault, or latency.
public struct FaultRule: Sendable, Equatable {
    /// What happens to a matching request.
    public enum Action: Sendable, Equatable, CustomStringConvertible {
        /// Answer with the dialect's error `code`, rendered as the upstream would.
        case respond(code: String)
        /// Break the connection.
        case transport(TransportFault)
        /// Delay the answer by a sample of this distribution (on the world's clock).
        case delay(DelayDistribution)
        /// Answer with exactly this status, these headers and this body (an answer recorded
        /// from a real upstream that the dialect's model would never give).
        case verbatim(VerbatimAnswer)

        public var description: String {
            switch self {
            case .respond(let code): code
            case .verbatim(let answer): "verbatim \(answer.status)"
            case .transport(let fault): fault.description
            case .delay(let d): "latency \(d)"
            }
        }
    }

    /// When the fault replaces the answer.
    public enum Phase: String, Sendable, Equatable {
        /// Before the request reaches the world: nothing changes (the charge never happened).
        case before
        /// After the world committed the request: the order exists, the client sees the error.
        case after
    }

    /// The dialect it belongs to (its error catalogue renders `code`); nil for every dialect.
    public var dialect: DialectID?
    /// What it does.
    public var action: Action
    /// The dialect's error code, e.g. `CHARGING_ERROR`, for `respond` rules.
    public var code: String? { if case .respond(let code) = action { code } else { nil } }
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
    /// Before or after the world acts, for errors and transport faults; latency ignores it
    /// (it always delays the answer).
    public var phase: Phase

    /// Requests that matched so far.
    public internal(set) var matched = 0
    /// Times it fired so far.
    public internal(set) var fired = 0

    /// A rule answering with the dialect's error `code`.
    public init(
        dialect: DialectID?, code: String, method: String? = nil, path: String? = nil, key: String? = nil,
        nth: Int? = nil, times: Int? = nil, probability: Double? = nil, from: WorldTime? = nil,
        until: WorldTime? = nil, phase: Phase = .before
    ) {
        self.init(
            dialect: dialect, action: .respond(code: code), method: method, path: path, key: key, nth: nth,
            times: times, probability: probability, from: from, until: until, phase: phase)
    }

    /// A rule.
    public init(
        dialect: DialectID?, action: Action, method: String? = nil, path: String? = nil, key: String? = nil,
        nth: Int? = nil, times: Int? = nil, probability: Double? = nil, from: WorldTime? = nil,
        until: WorldTime? = nil, phase: Phase = .before
    ) {
        self.dialect = dialect
        self.action = action
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

    func matches(_ query: FaultQuery, at now: WorldTime) -> Bool {
        if let dialect, dialect != query.dialect { return false }
        if let m = self.method, m.uppercased() != query.method.uppercased() { return false }
        if let p = self.path, !PathPattern.matches(pattern: p, path: query.path) { return false }
        if let k = self.key, k != query.key { return false }
        if let from, now < from { return false }
        if let until, now >= until { return false }
        return true
    }
}

/// `/api/v1/order/*` style patterns: `*` is one segment, `**` the rest, and a segment ending
/// in `*` any segment with that prefix (`/bot*/getMe`: the Bot API's token is part of its first
/// segment). One matcher for requests (`matches`) and for route templates (`overlaps`).
public enum PathPattern {
    /// Whether `path` (without query) matches `pattern`.
    public static func matches(pattern: String, path: String) -> Bool {
        walk(pattern, path) { part, segment in
            if part == "*" { return !segment.isEmpty }
            if part.hasSuffix("*") { return segment.hasPrefix(part.dropLast()) }
            return part == segment
        }
    }

    /// Whether some request path could match both patterns (a scenario's pattern against a
    /// route template, where `*` in either stands for any segment).
    public static func overlaps(_ pattern: String, _ other: String, caseInsensitive: Bool = false) -> Bool {
        walk(pattern, other) { a, b in
            if a == "*" || b == "*" { return true }
            if a.hasSuffix("*") && b.hasSuffix("*") { return a.dropLast().hasPrefix(b.dropLast()) || b.dropLast().hasPrefix(a.dropLast()) }
            if a.hasSuffix("*") { return b.hasPrefix(a.dropLast()) }
            if b.hasSuffix("*") { return a.hasPrefix(b.dropLast()) }
            return caseInsensitive ? a.lowercased() == b.lowercased() : a == b
        }
    }

    /// Walks the two segment lists: `**` in the first accepts the rest; otherwise every pair
    /// must agree and the lengths match.
    private static func walk(_ pattern: String, _ other: String, _ agree: (Substring, Substring) -> Bool) -> Bool {
        let p = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let s = other.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in p.enumerated() {
            if part == "**" { return true }
            guard i < s.count, agree(part, s[i]) else { return false }
        }
        return p.count == s.count
    }
}
