public import StarMockCore

/// The TG Market dialect (tg-market.store, seed 000): `Authorization: Bearer sk-…`, base path
/// `/api/v2`, `ok: true/false` envelopes with lowercase error codes, 10 requests per second
/// per key, funds *reserved* when an order is placed and settled or released when it ends,
/// and `?wait=true` holding a purchase open until its order ends (408 after 90 s).
public struct TGMarket: Dialect {
    /// `tgmarket`.
    public static let name = "tgmarket"
    public var name: String { Self.name }

    /// The dialect.
    public init() {}

    public func claims(path: String) -> Bool { path == "/api/v2" || path.hasPrefix("/api/v2/") }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive, as RFC 9110
    /// says); nil when the header is absent or uses another scheme.
    public func credential(of request: DialectRequest) -> String? { request.bearerToken }

    public var faultCodes: [String] { TGMarketError.scriptable.keys.sorted() }

    enum Route: Equatable {
        case balance
        case purchase(Product)
        case status(Product, id: String)
    }

    /// What a purchase buys: the two product paths.
    enum Product: String, Equatable {
        case stars, premium
    }

    /// A route, or why there is none.
    enum Routing: Equatable {
        case found(Route)
        case problem(RequestProblem)
    }

    func route(_ request: DialectRequest) -> Routing {
        let s = request.segments
        guard s.count >= 3, s[0] == "api", s[1] == "v2" else { return .problem(.notFound) }
        let route: Route
        let methods: [String]
        switch (s.count, s[2]) {
        case (3, "balance"): (route, methods) = (.balance, ["GET"])
        case (3, "stars"): (route, methods) = (.purchase(.stars), ["POST"])
        case (3, "premium"): (route, methods) = (.purchase(.premium), ["POST"])
        case (4, "stars"): (route, methods) = (.status(.stars, id: String(s[3])), ["GET"])
        case (4, "premium"): (route, methods) = (.status(.premium, id: String(s[3])), ["GET"])
        default: return .problem(.notFound)
        }
        guard request.usesMethod(in: methods) else {
            return .problem(.methodNotAllowed(allowed: methods))
        }
        return .found(route)
    }

    public func handle(_ request: DialectRequest, in world: inout WorldState) -> DialectReply {
        let route: Route
        switch self.route(request) {
        case .found(let r): route = r
        case .problem(let problem): return .now(render(problem))
        }
        // Authentication, then the per-key limit: refused keys do not use up the window.
        guard let presented = request.header("Authorization"), !presented.trimmingSpaces.isEmpty else {
            return .now(render(.missingAPIKey))
        }
        guard let token = credential(of: request), case .valid(let key) = world.lookUpKey(token, dialect: name) else {
            return .now(render(.invalidAPIKey))
        }
        if case .limited(let retryAfter) = world.admit(key: key.key, dialect: name) {
            return .now(render(.rateLimitExceeded, retryAfter: retryAfter))
        }
        switch route {
        case .balance: return .now(balance(key: key, world: world))
        case .purchase(let product): return purchase(product, request: request, key: key, world: &world)
        case .status(let product, let id): return .now(status(product, id: id, key: key, world: &world))
        }
    }

    /// `{"ok":true,"balance_usd":25.5,"locked_usd":2.0,"available_usd":23.5}`; the balance is
    /// available + locked.
    func balance(key: APIKey, world: WorldState) -> DialectResponse {
        guard let account = world.account(key.owner) else { return render(.userNotFound) }
        return ok([
            ("balance_usd", .number(account.total.shortDecimal)),
            ("locked_usd", .number(account.locked.shortDecimal)),
            ("available_usd", .number(account.available.shortDecimal)),
        ])
    }
}

