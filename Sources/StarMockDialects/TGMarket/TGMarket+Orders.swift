import StarMockCore

extension TGMarket {
    /// The largest star amount accepted (ours: the documents give no maximum).
    static let maxStars = 1_000_000

    /// `POST /api/v2/stars` and `POST /api/v2/premium`: validates, reserves the price and
    /// places the order; with `?wait=true` holds the request until the order ends.
    func purchase(_ product: Product, _ call: DialectCall, world: inout WorldState) -> DialectReply {
        let request = call.request
        let key = call.key
        guard let body = try? JSON.parse(request.body), body.objectPairs != nil else {
            return .now(render(.invalidJSON))
        }
        guard let name = body["username"]?.stringValue, !WorldState.normalizedUsername(name).isEmpty else {
            return .now(render(.usernameRequired))
        }
        let prices = world.setup.prices[id] ?? .tgmarket
        let kind: OrderKind
        let cost: Money
        switch product {
        case .stars:
            guard let amount = body["amount"]?.intValue, amount >= prices.minStars, amount <= Self.maxStars else {
                return .now(render(.invalidAmount))
            }
            kind = .stars(quantity: amount)
            cost = prices.perStar.cost(of: amount)
        case .premium:
            guard let months = body["duration"]?.intValue, [3, 6, 12].contains(months), let price = prices.premium[months]
            else { return .now(render(.invalidDuration)) }
            kind = .premium(months: months)
            cost = price
        }
        guard let user = world.user(named: name), world.account(key.owner) != nil else {
            return .now(render(.userNotFound))
        }
        guard product == .stars ? user.canReceiveStars : user.canReceivePremium else {
            return .now(render(.userCannotReceive))
        }
        let order: Order
        do {
            order = try world.placeOrder(
                dialect: id, key: key, kind: kind, username: user.username, cost: cost, reserve: true)
        } catch {
            switch error {
            case .insufficientFunds: return .now(render(.insufficientBalance))
            // The ledger refused the reservation for another reason (e.g. a price of zero).
            case .noAccount: return .now(render(.reservationFailed))
            }
        }
        guard Self.wantsToWait(request) else {
            return .now(
                ok(Self.fields(of: order) + [("status", .string(order.state.rawValue)), ("message", .string("Order queued..."))]))
        }
        return .held(order: order.ref, timeout: world.waitTimeout) { [self] result in
            waitAnswer(result, placed: order)
        }
    }

    /// `?wait=true` (also `1`, `yes`, `on`, any case, as Python web frameworks read a boolean).
    static func wantsToWait(_ request: DialectRequest) -> Bool {
        guard let value = request.queryValue("wait")?.lowercased() else { return false }
        return ["true", "1", "yes", "on"].contains(value)
    }

    /// The answer to a held purchase: the short shape once the order ends, 408 `timeout`
    /// with the order id when the wait runs out (the order stays pending), and the short
    /// shape with `"status":"pending"` when the server lets go first (shutdown, reset).
    func waitAnswer(_ result: OrderWaitResult, placed: Order) -> DialectResponse {
        switch result {
        case .final(let order): short(order)
        case .timedOut(let order): render(.timeout, orderID: order.ref.id)
        case .cancelled: short(placed)
        }
    }

    /// `{"ok":true,"order_id":42,"status":"completed","provider_order_id":"abc123","error_message":null}`
    func short(_ order: Order) -> DialectResponse {
        ok([("order_id", .int(order.ref.id))] + Self.outcome(of: order))
    }

    /// `GET /api/v2/stars/{id}` and `GET /api/v2/premium/{id}`: an order of another kind, of
    /// another key or that does not exist is `order_not_found` alike.
    func status(_ product: Product, _ call: DialectCall, world: inout WorldState) -> DialectResponse {
        let key = call.key
        guard let number = Int(call["id"]), number > 0 else { return render(.orderNotFound) }
        let ref = OrderRef(dialect: id, id: number)
        guard let existing = world.order(ref), existing.key == key.key, existing.kind.name == product.rawValue else {
            return render(.orderNotFound)
        }
        // A read counts as a poll: lifecycles that end orders on the N-th read apply here too.
        let order = world.pollOrder(ref) ?? existing
        return ok(Self.fields(of: order) + Self.outcome(of: order))
    }

    /// `order_id`, `username`, `amount` or `duration`, `price_usd`.
    static func fields(of order: Order) -> [(String, JSON)] {
        let size: (String, JSON) =
            switch order.kind {
            case .stars(let quantity): ("amount", .int(quantity))
            case .premium(let months): ("duration", .int(months))
            }
        return [
            ("order_id", .int(order.ref.id)),
            ("username", .string(order.username)),
            size,
            ("price_usd", .number(order.cost.twoDecimals)),
        ]
    }

    /// `status`, `provider_order_id`, `error_message`.
    static func outcome(of order: Order) -> [(String, JSON)] {
        [
            ("status", .string(order.state.rawValue)),
            ("provider_order_id", order.providerOrderID.map(JSON.string) ?? .null),
            ("error_message", order.errorMessage.map(JSON.string) ?? .null),
        ]
    }
}
