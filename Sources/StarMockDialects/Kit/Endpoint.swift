import StarMockCore

/// One endpoint of a dialect: its method, its path template and the handler that answers.
/// Adding an endpoint is one entry in the dialect's `EndpointTable` plus its handler.
package struct Endpoint: Sendable {
    /// The method it answers; nil: any method (the Bot API takes GET and POST alike).
    package let method: HTTPMethod?
    /// The path template, as `/api/v1/order/{id}` or `/bot{token}/getMe`.
    package let path: PathTemplate
    /// What it does.
    package let handler: @Sendable (DialectCall, inout WorldState) -> DialectReply

    /// An endpoint that may hold its answer (`?wait=true`).
    package init(
        _ method: HTTPMethod?, _ path: PathTemplate,
        reply handler: @escaping @Sendable (DialectCall, inout WorldState) -> DialectReply
    ) {
        self.method = method
        self.path = path
        self.handler = handler
    }

    /// An endpoint that answers at once.
    package init(
        _ method: HTTPMethod?, _ path: PathTemplate,
        _ handler: @escaping @Sendable (DialectCall, inout WorldState) -> DialectResponse
    ) {
        self.init(method, path, reply: { call, world in .now(handler(call, &world)) })
    }
}

/// What an endpoint's handler gets: the request, the path's captures, the key the pipeline
/// authenticated and what the dialect's `prepare` read.
package struct DialectCall: Sendable {
    /// The request.
    package let request: DialectRequest
    /// The key that was presented and accepted.
    package let key: APIKey
    /// Captured path segments by name (`{id}` → `captures["id"]`).
    package let captures: [String: String]
    /// What `Dialect.prepare` read (the Bot API's parameters), if anything.
    package let context: (any Sendable)?

    /// A call.
    package init(request: DialectRequest, key: APIKey, captures: [String: String] = [:], context: (any Sendable)? = nil) {
        self.request = request
        self.key = key
        self.captures = captures
        self.context = context
    }

    /// A captured path segment (empty when the template has no such capture).
    package subscript(_ name: String) -> String { captures[name] ?? "" }
}

/// A path template: literal segments, whole-segment captures `{id}`, and captures behind a
/// literal prefix `bot{token}` (the Bot API's token shares its segment with `bot`).
package struct PathTemplate: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// One segment of a template.
    package enum Segment: Sendable, Equatable {
        /// This text.
        case literal(String)
        /// Any non-empty segment starting with `prefix` (possibly empty), the rest captured.
        case capture(prefix: String, name: String)
    }

    /// The segments after the leading `/`.
    package let segments: [Segment]
    /// The template as written.
    package let text: String

    /// A template of these segments (a scope: the leading segments of another).
    init(segments: [Segment]) {
        self.segments = segments
        self.text = "/" + segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .capture(let prefix, let name): "\(prefix){\(name)}"
            }
        }.joined(separator: "/")
    }

    /// Parses `/api/v1/order/{id}`.
    package init(_ text: String) {
        self.text = text
        self.segments = text.split(separator: "/").map { part in
            if let open = part.firstIndex(of: "{"), part.hasSuffix("}") {
                return .capture(
                    prefix: String(part[..<open]), name: String(part[part.index(after: open)..<part.index(before: part.endIndex)]))
            }
            return .literal(String(part))
        }
    }

    package init(stringLiteral value: String) { self.init(value) }

    package var description: String { text }

    /// How many segments are literal (routing prefers the template with the most).
    package var literalCount: Int {
        segments.count { if case .literal = $0 { true } else { false } }
    }

    /// The template as a scenario path pattern: each capture becomes `*` (`bot{token}` → `bot*`).
    package var pattern: String {
        "/" + segments.map { segment in
            switch segment {
            case .literal(let text): text
            case .capture(let prefix, _): prefix + "*"
            }
        }.joined(separator: "/")
    }

    /// The captures when `path` (split at `/`, without the leading empty segment) matches.
    /// - Parameter caseInsensitive: literals compare without case (a capture's prefix never).
    package func match(_ path: [Substring], caseInsensitive: Bool, depth: Int? = nil) -> [String: String]? {
        let count = depth ?? segments.count
        guard depth == nil ? path.count == segments.count : path.count >= count && segments.count >= count else {
            return nil
        }
        var captures: [String: String] = [:]
        for i in 0..<count {
            let part = path[i]
            switch segments[i] {
            case .literal(let text):
                guard caseInsensitive ? part.caseInsensitiveEquals(text) : part == text else { return nil }
            case .capture(let prefix, let name):
                // Deciding the scope, `bot` alone is still the Bot API's (its own 404). By bytes,
                // as the upstreams' routers compare (and no grapheme is counted per request).
                let bytes = part.utf8
                let prefixBytes = prefix.utf8.count
                guard bytes.starts(with: prefix.utf8), bytes.count > prefixBytes || depth != nil else { return nil }
                if depth == nil { captures[name] = String(part[bytes.index(bytes.startIndex, offsetBy: prefixBytes)...]) }
            }
        }
        return captures
    }
}

/// A dialect's endpoints and the quirks of the framework it runs on. Routing, the 404 and 405
/// answers with their `Allow` header, and scenario path validation all come from this table.
package final class EndpointTable: Sendable {
    /// The endpoints.
    package let endpoints: [Endpoint]
    /// How many leading segments decide that a path belongs to this dialect (`/api/v1` is 2);
    /// a claimed path that matches no endpoint gets the dialect's own 404.
    package let scopeDepth: Int
    /// HEAD is answered as GET, and listed in `Allow` (Starlette, Express).
    package let headAsGet: Bool
    /// Literal path segments match without case (ASP.NET, the Bot API's method names).
    package let caseInsensitivePaths: Bool
    /// Authentication runs before the endpoint is looked up (the Bot API checks the token
    /// first, so an unknown method with a bad token is 401).
    package let authenticateFirst: Bool
    /// Said when a scenario's path pattern matches a route only without case (fault patterns
    /// compare paths exactly as sent).
    package let caseNote: String?
    /// How many leading segments claim a path that no dialect claims by `scopeDepth` (Papaya's
    /// `/api/…`: `/api/invoices` is its empty 404); nil: none.
    package let fallbackDepth: Int?

    /// The distinct leading `scopeDepth` and `fallbackDepth` segments of the endpoints: what
    /// `claims` compares, instead of every endpoint.
    private let scopes: [PathTemplate]
    private let fallbackScopes: [PathTemplate]
    /// The endpoints by segment count, then by their last segment when it is a literal
    /// (lowercased for ``caseInsensitivePaths``): routing compares only the candidates.
    private let index: [Int: Bucket]

    /// One segment count's endpoints, as indices into ``endpoints``.
    private struct Bucket: Sendable {
        var byLastLiteral: [SegmentKey: [Int]] = [:]
        var lastIsCapture: [Int] = []
    }

    /// A table.
    package init(
        scopeDepth: Int, fallbackDepth: Int? = nil, headAsGet: Bool = true, caseInsensitivePaths: Bool = false,
        authenticateFirst: Bool = false, caseNote: String? = nil, _ endpoints: [Endpoint]
    ) {
        self.caseNote = caseNote
        self.fallbackDepth = fallbackDepth
        self.endpoints = endpoints
        self.scopeDepth = scopeDepth
        self.headAsGet = headAsGet
        self.caseInsensitivePaths = caseInsensitivePaths
        self.authenticateFirst = authenticateFirst
        func distinctPrefixes(_ depth: Int?) -> [PathTemplate] {
            guard let depth else { return [] }
            var seen: [[PathTemplate.Segment]] = []
            for endpoint in endpoints where endpoint.path.segments.count >= depth {
                let prefix = Array(endpoint.path.segments.prefix(depth))
                if !seen.contains(prefix) { seen.append(prefix) }
            }
            return seen.map { PathTemplate(segments: $0) }
        }
        self.scopes = distinctPrefixes(scopeDepth)
        self.fallbackScopes = distinctPrefixes(fallbackDepth)
        var index: [Int: Bucket] = [:]
        for (i, endpoint) in endpoints.enumerated() {
            let segments = endpoint.path.segments
            switch segments.last {
            case .literal(let text)?:
                index[segments.count, default: Bucket()].byLastLiteral[Self.key(text, caseInsensitivePaths), default: []].append(i)
            case .capture?, nil:
                index[segments.count, default: Bucket()].lastIsCapture.append(i)
            }
        }
        self.index = index
    }

    private static func key(_ segment: some StringProtocol, _ caseInsensitive: Bool) -> SegmentKey {
        SegmentKey(Substring(segment), folded: caseInsensitive)
    }

    /// A path segment as a dictionary key, ASCII case folded when paths match without case
    /// (as ``PathTemplate/match(_:caseInsensitive:depth:)`` compares them); hashed and
    /// compared in place, so looking a request's segment up copies nothing.
    struct SegmentKey: Hashable, Sendable {
        let text: Substring
        let folded: Bool

        init(_ text: Substring, folded: Bool) {
            self.text = text
            self.folded = folded
        }

        static func == (a: SegmentKey, b: SegmentKey) -> Bool {
            a.folded ? a.text.caseInsensitiveEquals(b.text) : a.text.utf8.elementsEqual(b.text.utf8)
        }

        func hash(into hasher: inout Hasher) {
            for byte in text.utf8 { hasher.combine(folded && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        }
    }

    /// What routing found.
    package enum Match: Sendable {
        /// This endpoint, with its captures.
        case found(Endpoint, [String: String])
        /// The dialect's 404 (or a 405 with the methods the path has).
        case problem(RequestProblem)
    }

    /// Whether this dialect serves `path` (its leading `scopeDepth` segments match an endpoint's).
    package func claims(_ segments: [Substring]) -> Bool {
        scopes.contains { $0.match(segments, caseInsensitive: caseInsensitivePaths, depth: scopeDepth) != nil }
    }

    /// Whether this dialect serves `path` when no dialect claims it by scope (``fallbackDepth``).
    package func claimsAsFallback(_ segments: [Substring]) -> Bool {
        guard let depth = fallbackDepth else { return false }
        return fallbackScopes.contains { $0.match(segments, caseInsensitive: caseInsensitivePaths, depth: depth) != nil }
    }

    /// Finds the endpoint for a request; 404 when no template matches the path, 405 with the
    /// methods it does have when none answers this method.
    package func route(_ request: DialectRequest) -> Match {
        route(method: request.method, segments: Self.segments(request.path))
    }

    package func route(method: HTTPMethod, segments: [Substring]) -> Match {
        // The most specific templates win: `/api/v1/order/stars` over `/api/v1/order/{id}`;
        // among equals, the first in table order. A candidate with fewer literals than the
        // best so far is not even matched (nor its captures made).
        guard let bucket = index[segments.count] else { return .problem(.notFound) }
        let named = segments.last.flatMap { bucket.byLastLiteral[Self.key($0, caseInsensitivePaths)] } ?? []
        var best: [(index: Int, endpoint: Endpoint, captures: [String: String])] = []
        var bestLiterals = -1
        func consider(_ i: Int) {
            let endpoint = endpoints[i]
            let literals = endpoint.path.literalCount
            guard literals >= bestLiterals,
                let captures = endpoint.path.match(segments, caseInsensitive: caseInsensitivePaths)
            else { return }
            if literals > bestLiterals {
                best = [(i, endpoint, captures)]
                bestLiterals = literals
            } else {
                best.append((i, endpoint, captures))
            }
        }
        for i in named { consider(i) }
        for i in bucket.lastIsCapture { consider(i) }
        if best.count > 1 { best.sort { $0.index < $1.index } }
        var allowed: [HTTPMethod] = []
        for (_, endpoint, captures) in best {
            guard let wanted = endpoint.method else { return .found(endpoint, captures) }
            if wanted == method || (headAsGet && method == .head && wanted == .get) { return .found(endpoint, captures) }
            allowed.append(wanted)
            if headAsGet && wanted == .get { allowed.append(.head) }
        }
        if allowed.isEmpty { return .problem(.notFound) }
        return .problem(.methodNotAllowed(allowed: allowed.map(\.name)))
    }

    /// Path segments, empty ones dropped as the upstreams' routers do: `/api/v1/balance/` →
    /// `api`, `v1`, `balance`.
    package static func segments(_ path: String) -> [Substring] {
        // By byte: `/` is ASCII, and a Character-wise split segments graphemes on every request.
        var out: [Substring] = []
        let utf8 = path.utf8
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == UInt8(ascii: "/") {
                if start != i { out.append(path[start..<i]) }
                start = utf8.index(after: i)
            }
            utf8.formIndex(after: &i)
        }
        if start != utf8.endIndex { out.append(path[start..<utf8.endIndex]) }
        return out
    }

    /// Every route as a scenario path pattern (`/api/v1/order/*`), in table order, once each.
    package var patterns: [String] {
        var seen: Set<String> = []
        return endpoints.map(\.path.pattern).filter { seen.insert($0).inserted }
    }

    /// What every path of this dialect starts with, as a pattern (`/api/v1/`, `/bot*/`, `/`).
    package var basePattern: String {
        let all = endpoints.map { $0.path.pattern.split(separator: "/") }
        // The leading segments every endpoint shares, within the scope.
        var base: [Substring] = []
        for i in 0..<scopeDepth {
            guard let part = all.first.flatMap({ $0.count > i ? $0[i] : nil }), all.allSatisfy({ $0.count > i && $0[i] == part })
            else { break }
            base.append(part)
        }
        return "/" + base.map { $0 + "/" }.joined()
    }
}

extension Substring {
    fileprivate func caseInsensitiveEquals(_ other: String) -> Bool {
        caseInsensitiveEquals(Substring(other))
    }
}
