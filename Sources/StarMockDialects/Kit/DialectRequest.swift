public import StarMockCore

/// An HTTP request as a dialect sees it: no sockets, no NIO.
public struct DialectRequest: Sendable {
    /// `GET`, `POST`, … as sent.
    public var method: HTTPMethod
    /// The request target exactly as sent (path and query, not decoded).
    public var target: String
    /// The path, percent-decoded, without the query.
    public var path: String
    /// Query parameters in order, percent-decoded.
    public var query: [(String, String)]
    /// Header fields in order.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]

    /// A request.
    public init(method: HTTPMethod, path: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target =
            query.isEmpty ? path : path + "?" + query.map { "\($0)=\($1)" }.joined(separator: "&")
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits `/api/v2/stars?wait=true` into a path and query parameters.
    public init(method: HTTPMethod, target: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        let (path, query) = DialectRequest.split(target: target)
        self.init(method: method, path: path, query: query, headers: headers, body: body)
        self.target = target
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// The token of `Authorization: Bearer <token>` (the scheme case-insensitive, as RFC 9110
    /// says); nil when the header is absent, empty or uses another scheme.
    public var bearerToken: String? {
        guard let value = header("Authorization") else { return nil }
        // Read as bytes, once per request of every bearer dialect: spaces, the scheme (any
        // case), spaces, the token, spaces.
        let bytes = value.utf8
        let space = UInt8(ascii: " ")
        var i = bytes.startIndex
        while i < bytes.endIndex, bytes[i] == space { i = bytes.index(after: i) }
        let schemeStart = i
        while i < bytes.endIndex, bytes[i] != space { i = bytes.index(after: i) }
        guard bytes[schemeStart..<i].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        while i < bytes.endIndex, bytes[i] == space { i = bytes.index(after: i) }
        var end = bytes.endIndex
        while end > i, bytes[bytes.index(before: end)] == space { end = bytes.index(before: end) }
        return i < end ? String(value[i..<end]) : nil
    }

    /// The last query parameter with this name.
    public func queryValue(_ name: String) -> String? {
        query.last { $0.0 == name }?.1
    }

    /// Path segments as routing sees them: `/api/v1/order/47` → `["api", "v1", "order", "47"]`.
    public var segments: [Substring] { EndpointTable.segments(path) }

    static func split(target: String) -> (String, [(String, String)]) {
        // Searched as bytes: the character view would segment graphemes on every request.
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (percentDecode(target) ?? target, []) }
        let path = String(target[..<q])
        return (percentDecode(path) ?? path, parseForm(target[target.index(after: q)...]))
    }

    /// Parses `a=1&b=two` (application/x-www-form-urlencoded: `+` is a space).
    public static func parseForm(_ text: some StringProtocol) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingPlus()
            let value = parts.count > 1 ? String(parts[1]).replacingPlus() : ""
            return (percentDecode(name) ?? name, percentDecode(value) ?? value)
        }
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func percentDecode(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%") {
                guard bytes.count >= 2, let hi = hexValue(bytes.popFirst()!), let lo = hexValue(bytes.popFirst()!) else {
                    return nil
                }
                out.append(hi << 4 | lo)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: b - 48
        case 65...70: b - 55
        case 97...102: b - 87
        default: nil
        }
    }
}

extension String {
    /// ASCII case-insensitive equality (header names), without allocating.
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        Self.caseInsensitiveEquals(utf8, other.utf8)
    }

    static func caseInsensitiveEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }

    fileprivate func replacingPlus() -> String { replacingOccurrences(of: "+", with: " ") }

    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// A response as a dialect renders it.
public struct DialectResponse: Sendable, Equatable {
    /// HTTP status.
    public var status: Int
    /// Header fields beyond those the server adds (`Content-Length`, `Date`).
    public var headers: [(String, String)]
    /// The exact body bytes.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response in the given layout.
    public static func json(_ status: Int, _ value: JSON, style: JSON.Style = .compact) -> DialectResponse {
        DialectResponse(
            status: status, headers: [("Content-Type", "application/json")], body: value.bytes(style))
    }

    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Adds `Retry-After` (see `retryAfterSeconds`).
    public mutating func addRetryAfter(_ wait: Duration) {
        headers.append(("Retry-After", String(Self.retryAfterSeconds(wait))))
    }

    /// The one Retry-After rule: a wait in whole seconds, rounded up, at least 1 (also the
    /// Bot API's `retry_after`).
    public static func retryAfterSeconds(_ wait: Duration) -> Int {
        max(1, Int((wait.wholeMilliseconds + 999) / 1000))
    }

    public static func == (lhs: DialectResponse, rhs: DialectResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.map(\.0) == rhs.headers.map(\.0)
            && lhs.headers.map(\.1) == rhs.headers.map(\.1)
    }
}

/// What a dialect answers: now, or once an order ends (TG Market's `?wait=true`).
public enum DialectReply: Sendable {
    /// Answer now.
    case now(DialectResponse)
    /// Hold the request until the order ends or `timeout` passes on the world's clock, then
    /// answer with `render`.
    case held(order: OrderRef, timeout: Duration, render: @Sendable (OrderWaitResult) -> DialectResponse)
    /// Hold the request until `topic` is signalled on the world (`WorldState.signal`) or
    /// `timeout` passes on the world's clock, then answer with `render`, which runs inside the
    /// world's transaction (the Bot API's long-polling `getUpdates`).
    case waiting(topic: String, timeout: Duration, render: @Sendable (HoldEnd, inout WorldState) -> DialectResponse)
}

/// Problems found before a dialect can read a request.
public enum RequestProblem: Sendable, Equatable {
    /// The body is larger than the server accepts.
    case bodyTooLarge(limit: Int)
    /// No route for this path.
    case notFound
    /// The path exists but not with this method.
    case methodNotAllowed(allowed: [String])
    /// The request's header section is larger than the server reads (431).
    case headersTooLarge(limit: Int)
    /// The request is not valid HTTP for a reason the server names (400: an HTTP/1.1 request
    /// without `Host`).
    case badRequest(String)
}

extension Substring {
    /// ASCII case-insensitive equality (path segments), without copying either side.
    func caseInsensitiveEquals(_ other: Substring) -> Bool {
        String.caseInsensitiveEquals(utf8, other.utf8)
    }
}
