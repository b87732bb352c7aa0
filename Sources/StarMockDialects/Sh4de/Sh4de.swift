public import StarMockCore

/// The sh4de dialect (docs.sh4de.space, seed 001): `X-API-Key`, base path `/api/v1`, money
/// charged at once, 30 requests per minute per key, bodies pretty-printed as documented.
public struct Sh4de: Dialect {
    /// `sh4de`.
    public static let name = "sh4de"
    public var name: String { Self.name }

    /// The largest star order we accept (ours: the documents give no maximum).
    static let maxStars = 1_000_000

    /// The dialect.
    public init() {}

    public func claims(path: String) -> Bool { path == "/api/v1" || path.hasPrefix("/api/v1/") }

    public func credential(of request: DialectRequest) -> String? { request.header("X-API-Key") }

    public var faultCodes: [String] { Sh4deError.scriptable.keys.sorted() + ["INSUFFICIENT_BALANCE"] }

    enum Route {
        case prices, balance, user(String), orderStars, orderPremium, order(String)
    }

    func route(_ request: DialectRequest) -> Result<Route, Sh4deError> {
        let s = request.segments
        guard s.count >= 3, s[0] == "api", s[1] == "v1" else { return .failure(.notFound) }
        let (route, methods): (Route?, [String])
        switch (s.count, s[2]) {
        case (3, "prices"): (route, methods) = (.prices, ["GET"])
        case (3, "balance"): (route, methods) = (.balance, ["GET"])
        case (4, "user"): (route, methods) = (.user(String(s[3])), ["GET"])
        case (4, "order") where s[3] == "stars": (route, methods) = (.orderStars, ["POST"])
        case (4, "order") where s[3] == "premium": (route, methods) = (.orderPremium, ["POST"])
        case (4, "order"): (route, methods) = (.order(String(s[3])), ["GET"])
        default: return .failure(.notFound)
        }
        guard let route else { return .failure(.notFound) }
        guard request.usesMethod(in: methods) else {
            return .failure(.methodNotAllowed(methods))
        }
        return .success(route)
    }

    public func handle(_ request: DialectRequest, in world: inout WorldState) -> DialectReply {
        .now(respond(request, in: &world))
    }

    func respond(_ request: DialectRequest, in world: inout WorldState) -> DialectResponse {
        let route: Route
        switch self.route(request) {
        case .success(let r): route = r
        case .failure(let e): return render(e)
        }
        // Authentication, then the per-key limit.
        guard let presented = credential(of: request), !presented.isEmpty else { return render(.missingAPIKey) }
        let key: APIKey
        switch world.lookUpKey(presented, dialect: name) {
        case .unknown: return render(.invalidAPIKey)
        case .disabled: return render(.keyDisabled)
        case .valid(let k): key = k
        }
        if case .limited(let retryAfter) = world.admit(key: key.key, dialect: name) {
            return render(.rateLimitExceeded, retryAfter: retryAfter)
        }
        let prices = world.setup.prices[name] ?? .sh4de
        switch route {
        case .prices: return prices.sh4deBody(self)
        case .balance: return balance(key: key, world: world)
        case .user(let username): return user(username, world: world)
        case .orderStars: return placeOrder(request, key: key, premium: false, prices: prices, world: &world)
        case .orderPremium: return placeOrder(request, key: key, premium: true, prices: prices, world: &world)
        case .order(let id): return orderStatus(id, key: key, world: &world)
        }
    }

    func balance(key: APIKey, world: WorldState) -> DialectResponse {
        let account = world.account(key.owner) ?? Account(available: .zero)
        return ok([
            ("balance_usd", .number(account.available.twoDecimals)),
            ("total_orders", .int(world.totalOrders(owner: key.owner))),
            ("total_spent_usd", .number(account.spent.twoDecimals)),
            ("key_label", .string(key.label)),
        ])
    }

    func user(_ username: String, world: WorldState) -> DialectResponse {
        guard let user = world.user(named: username) else { return render(.userNotFound) }
        return ok([
            ("username", .string(user.username)),
            ("can_receive_stars", .bool(user.canReceiveStars)),
            ("can_receive_premium", .bool(user.canReceivePremium)),
        ])
    }

    func placeOrder(
        _ request: DialectRequest, key: APIKey, premium: Bool, prices: PriceList, world: inout WorldState
    ) -> DialectResponse {
        guard let body = try? JSON.parse(request.body), body.objectPairs != nil else {
            return render(.invalidJSON)
        }
        guard let usernameValue = body["username"], usernameValue != .null else { return render(.missingField("username")) }
        guard let username = usernameValue.stringValue else { return render(.invalidField("username", "a string")) }
        guard !WorldState.normalizedUsername(username).isEmpty else { return render(.missingField("username")) }

        let kind: OrderKind
        let cost: Money
        let amountField: (String, JSON)
        if premium {
            guard let months = body["months"], months != .null else { return render(.missingField("months")) }
            guard let m = months.intValue, let price = prices.premium[m] else { return render(.invalidMonths) }
            kind = .premium(months: m)
            cost = price
            amountField = ("months", .int(m))
        } else {
            guard let quantity = body["quantity"], quantity != .null else { return render(.missingField("quantity")) }
            guard let q = quantity.intValue, q >= prices.minStars, q <= Self.maxStars else {
                return render(.invalidQuantity(minimum: prices.minStars, maximum: Self.maxStars))
            }
            kind = .stars(quantity: q)
            cost = prices.perStar.cost(of: q)
            amountField = ("quantity", .int(q))
        }
        guard let user = world.user(named: username) else { return render(.userNotFound) }
        if premium ? !user.canReceivePremium : !user.canReceiveStars {
            return render(premium ? .cannotReceivePremium : .cannotReceiveStars)
        }
        let order: Order
        do {
            order = try world.placeOrder(
                dialect: name, key: key, kind: kind, username: user.username, cost: cost, reserve: false)
        } catch {
            let available = world.account(key.owner)?.available ?? .zero
            return render(.insufficientBalance(balance: available.twoDecimals, cost: cost.twoDecimals))
        }
        let newBalance = world.account(key.owner)?.available ?? .zero
        return ok([
            ("order_id", .int(order.ref.id)),
            ("username", .string(order.username)),
            amountField,
            ("cost_usd", .number(order.cost.twoDecimals)),
            ("new_balance_usd", .number(newBalance.twoDecimals)),
            ("status_order", .string(order.state.rawValue)),
            ("note", .string("Track: GET /api/v1/order/\(order.ref.id)")),
        ])
    }

    func orderStatus(_ id: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        guard id.utf8.allSatisfy({ (48...57).contains($0) }), let number = Int(id), number > 0 else { return render(.orderNotFound) }
        let ref = OrderRef(dialect: name, id: number)
        guard let existing = world.order(ref) else { return render(.orderNotFound) }
        guard existing.key == key.key else { return render(.forbidden) }
        // "Automatically refreshes from upstream if still pending": a read may end the order.
        let order = world.pollOrder(ref) ?? existing
        let amount: (String, JSON) =
            switch order.kind {
            case .stars(let q): ("quantity", .int(q))
            case .premium(let m): ("months", .int(m))
            }
        // The documented body has "status" twice: "ok", then the order's state.
        return ok([
            ("order_id", .int(order.ref.id)),
            ("type", .string(order.kind.name)),
            ("username", .string(order.username)),
            amount,
            ("cost_usd", .number(order.cost.twoDecimals)),
            ("status", .string(order.state.rawValue)),
            ("created_at", .string(order.createdAt.sh4deText)),
            ("updated_at", .string(order.updatedAt.sh4deText)),
        ])
    }

    // MARK: Rendering

    func ok(_ fields: [(String, JSON)]) -> DialectResponse {
        .json(200, .object([("status", .string("ok"))] + fields), style: .pretty)
    }

    func render(_ error: Sh4deError, retryAfter: Duration? = nil) -> DialectResponse {
        var response = DialectResponse.json(
            error.status,
            .object([("status", .string("error")), ("code", .string(error.code)), ("message", .string(error.message))]),
            style: .pretty)
        if let allow = error.allow { response.headers.append(("Allow", allow.joined(separator: ", "))) }
        if let retryAfter { response.addRetryAfter(retryAfter) }
        return response
    }

    public func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        if code == "INSUFFICIENT_BALANCE" {
            let balance = request.header("X-API-Key").flatMap { world.keys[$0] }.flatMap { world.account($0.owner) }
            let available = balance?.available ?? .zero
            return render(.insufficientBalance(balance: available.twoDecimals, cost: (available + Money(cents: 10)).twoDecimals))
        }
        guard let error = Sh4deError.scriptable[code] else { return nil }
        return render(error, retryAfter: code == "RATE_LIMIT_EXCEEDED" ? .seconds(60) : nil)
    }

    public func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge(let limit): render(.payloadTooLarge(limit))
        case .notFound: render(.notFound)
        case .methodNotAllowed(let allowed): render(.methodNotAllowed(allowed))
        }
    }
}

extension PriceList {
    func sh4deBody(_ dialect: Sh4de) -> DialectResponse {
        let premiumFields = premium.keys.sorted().map { ("\($0)_months", JSON.number(premium[$0]!.shortDecimal)) }
        return dialect.ok([
            ("currency", .string("USD")),
            (
                "stars",
                .object([
                    ("price_per_star", .number(perStar.shortDecimal)),
                    ("min_quantity", .int(minStars)),
                    ("example_100", .number(perStar.cost(of: 100).shortDecimal)),
                ])
            ),
            ("premium", .object(premiumFields)),
        ])
    }
}
