import StarMockCore

/// The sh4de dialect (docs.sh4de.space, seed 001): `X-API-Key`, base path `/api/v1`, money
/// charged at once, 30 requests per minute per key, bodies pretty-printed as documented.
package struct Sh4de: CatalogueDialect {
    /// `sh4de`.
    package static let id: DialectID = "sh4de"
    package var id: DialectID { Self.id }

    /// The largest star order we accept (ours: the documents give no maximum).
    static let maxStars = 1_000_000

    /// The dialect.
    package init() {}

    package var endpoints: EndpointTable { Self.table }

    /// The documented endpoints (FastAPI-style: HEAD is answered as GET).
    static let table = EndpointTable(scopeDepth: 2, [
        Endpoint(.get, "/api/v1/prices") { _, world in Sh4de().prices(world) },
        Endpoint(.get, "/api/v1/balance") { call, world in Sh4de().balance(key: call.key, world: world) },
        Endpoint(.get, "/api/v1/user/{username}") { call, world in Sh4de().user(call["username"], world: world) },
        Endpoint(.post, "/api/v1/order/stars") { call, world in Sh4de().placeOrder(call, premium: false, world: &world) },
        Endpoint(.post, "/api/v1/order/premium") { call, world in Sh4de().placeOrder(call, premium: true, world: &world) },
        Endpoint(.get, "/api/v1/order/{id}") { call, world in Sh4de().orderStatus(call["id"], key: call.key, world: &world) },
    ])

    package func credential(of request: DialectRequest) -> Credential {
        guard let key = request.header("X-API-Key"), !key.isEmpty else { return .absent }
        return .presented(key)
    }

    /// 30 requests per minute per key, as documented.
    package func defaultRateLimit(_ setup: WorldSetup) -> RateLimit? { .perMinute30 }

    
    package var priceList: PriceListRule { .documented(.sh4de) }

    func prices(_ world: WorldState) -> DialectResponse {
        (world.setup.prices[id] ?? .sh4de).sh4deBody(self)
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

    func placeOrder(_ call: DialectCall, premium: Bool, world: inout WorldState) -> DialectResponse {
        let request = call.request
        let key = call.key
        let prices = world.setup.prices[id] ?? .sh4de
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
                dialect: id, key: key, kind: kind, username: user.username, cost: cost, reserve: false)
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

    func orderStatus(_ idText: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        guard idText.utf8.allSatisfy({ (48...57).contains($0) }), let number = Int(idText), number > 0 else {
            return render(.orderNotFound)
        }
        let ref = OrderRef(dialect: id, id: number)
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

    /// `{"status": "error", "code": …, "message": …}`, pretty-printed like every sh4de body.
    package func body(_ error: Sh4deError) -> DialectResponse {
        DialectResponse.json(
            error.status,
            .object([("status", .string("error")), ("code", .string(error.code)), ("message", .string(error.message))]),
            style: .pretty)
    }
}

extension PriceList {
    /// sh4de's documented prices: 0.013 per star, minimum 50; premium 4.99 / 8.99 / 15.99.
    package static let sh4de = PriceList(
        perStar: UnitPrice(micros: 13_000), minStars: 50,
        premium: [3: Money(cents: 499), 6: Money(cents: 899), 12: Money(cents: 1599)])

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

extension Sh4de {
    /// The three keys the documentation shows (`sh4de_xxxx`, `sh4de_` + 28 `x`, `sh4de_` + 47
    /// `x`), one owner with balance 25.50, 12 earlier orders and 8.42 spent, key label "My Stars
    /// Bot" (the documented balance body); the next order is 47.
    package func addDemo(to setup: inout WorldSetup) {
        let owner = "demo-sh4de"
        setup.keys += [
            APIKey(key: "sh4de_" + String(repeating: "x", count: 28), dialect: id, label: "Code examples key", owner: owner),
            APIKey(key: "sh4de_xxxx", dialect: id, label: "My Stars Bot", owner: owner),
            APIKey(key: "sh4de_" + String(repeating: "x", count: 47), dialect: id, label: "Long example key", owner: owner),
        ]
        setup.accounts[owner] = Account(available: Money(cents: 2550), spent: Money(cents: 842))
        setup.priorOrders[owner] = 12
        setup.firstOrderID[id] = 47
    }
}
