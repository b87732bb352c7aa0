import StarMockCore

/// The generic reseller dialect (seed 002): an illustrative B2B supplier flow, not one real
/// product. Validate a Telegram user id, top it up with a star package paid from the
/// balance at once, poll the order. The seed shows two bodies; they are reproduced byte for
/// byte, spacing included, and every other body uses the same layout. Auth, errors, limits,
/// prices and the extra endpoints are ours (docs/dialects/reseller.md).
package struct Reseller: CatalogueDialect {
    /// `reseller`.
    package static let id: DialectID = "reseller"
    package var id: DialectID { Self.id }

    /// The only platform served.
    package static let platform = "telegram"

    /// The dialect.
    package init() {}

    package var endpoints: EndpointTable { Self.table }

    /// The seed's endpoints and ours (HEAD answered as GET).
    static let table = EndpointTable(scopeDepth: 1, [
        Endpoint(.post, "/validate-user") { call, world in Reseller().validateUser(call.request, world: world) },
        Endpoint(.post, "/topup") { call, world in Reseller().topup(call.request, key: call.key, world: &world) },
        Endpoint(.get, "/orders/{id}") { call, world in Reseller().order(call["id"], key: call.key, world: &world) },
        Endpoint(.get, "/balance") { call, world in Reseller().balance(key: call.key, world: world) },
        Endpoint(.get, "/packages") { _, world in Reseller().packages(world: world) },
    ])

    /// `Authorization: Bearer <token>` (scheme case-insensitive); anything else is missing.
    package func credential(of request: DialectRequest) -> Credential {
        request.bearerToken.map(Credential.presented) ?? .absent
    }

    /// Ours: 60 requests per minute per key.
    package func defaultRateLimit(_ setup: WorldSetup) -> RateLimit? { Self.rateLimit }

    /// Ours: 60 requests per minute per key.
    package static let rateLimit = RateLimit(limit: 60, window: .seconds(60))

    
    package var priceList: PriceListRule {
        .none(reason: "reseller prices are its star packages: set world.reseller.packages: {50: \"0.85\", 100: \"1.70\"}")
    }

    package var scenarioSection: ScenarioSection? { ScenarioSection { node, context throws(ScenarioError) in try context.reseller(node) } }

    // MARK: Endpoints

    /// `{ "valid": true, "username": "@username" }`, or `{ "valid": false }` for an id no
    /// Stars can go to (unknown, or a user who cannot receive them).
    func validateUser(_ request: DialectRequest, world: WorldState) -> DialectResponse {
        let userID: Int64
        switch readRecipient(request.body) {
        case .success(let r): userID = r.id
        case .failure(let e): return render(e)
        }
        guard let user = world.user(id: userID), user.canReceiveStars else { return ok([("valid", .bool(false))]) }
        return ok([("valid", .bool(true)), ("username", .string("@" + user.username))])
    }

    /// `{ "order_id": "ORD-005", "status": "processing" }`: the package price is debited at
    /// once and refunded if the order fails.
    func topup(_ request: DialectRequest, key: APIKey, world: inout WorldState) -> DialectResponse {
        let recipient: (id: Int64, text: String)
        let body: JSON
        switch readRecipient(request.body) {
        case .success(let r): (recipient, body) = ((r.id, r.text), r.body)
        case .failure(let e): return render(e)
        }
        guard let starsValue = body["stars"], starsValue != .null else { return render(.missingField("stars")) }
        let packages = world.setup[ResellerSetup.self].packages
        guard let stars = starsValue.intValue, let price = packages[stars] else {
            return render(.invalidPackage(packages.keys.sorted()))
        }
        guard let user = world.user(id: recipient.id) else { return render(.userNotFound) }
        guard user.canReceiveStars else { return render(.userCannotReceive) }
        let order: Order
        do {
            order = try world.placeOrder(
                dialect: id, key: key, kind: .stars(quantity: stars), username: user.username, cost: price,
                reserve: false)
        } catch {
            let available = world.account(key.owner)?.available ?? .zero
            return render(.insufficientBalance(balance: available.twoDecimals, price: price.twoDecimals))
        }
        world[ResellerState.self].recipients[order.ref.id] = ResellerState.Recipient(
            platform: Self.platform, userID: recipient.text)
        return ok([("order_id", .string(Self.orderID(order.ref.id))), ("status", .string(Self.status(order.state)))])
    }

    func order(_ idText: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        guard let number = Self.parseOrderID(idText) else { return render(.orderNotFound) }
        let ref = OrderRef(dialect: id, id: number)
        guard let existing = world.order(ref), existing.owner == key.owner else { return render(.orderNotFound) }
        let order = world.pollOrder(ref) ?? existing
        let recipient = world[ResellerState.self].recipients[number]
        let stars: Int =
            switch order.kind {
            case .stars(let quantity): quantity
            case .premium: 0
            }
        var fields: [(String, JSON)] = [
            ("order_id", .string(Self.orderID(number))),
            ("status", .string(Self.status(order.state))),
            ("platform", .string(recipient?.platform ?? Self.platform)),
            ("user_id", recipient.map { .string($0.userID) } ?? .null),
            ("username", .string("@" + order.username)),
            ("stars", .int(stars)),
            ("price", .string(order.cost.twoDecimals)),
            ("currency", .string("USD")),
            ("created_at", .string(order.createdAt.iso8601)),
            ("updated_at", .string(order.updatedAt.iso8601)),
        ]
        if order.state == .failed { fields.append(("failure_reason", .string(order.errorMessage ?? "Delivery failed"))) }
        return ok(fields)
    }

    func balance(key: APIKey, world: WorldState) -> DialectResponse {
        let available = world.account(key.owner)?.available ?? .zero
        return ok([("balance", .string(available.twoDecimals)), ("currency", .string("USD"))])
    }

    func packages(world: WorldState) -> DialectResponse {
        let packages = world.setup[ResellerSetup.self].packages
        let list: [JSON] = packages.keys.sorted().map { stars in
            .object([("stars", .int(stars)), ("price", .string(packages[stars]!.twoDecimals))])
        }
        return ok([("currency", .string("USD")), ("packages", .array(list))])
    }

    // MARK: Reading

    struct Recipient {
        let id: Int64
        let text: String
        let body: JSON
    }

    /// The body's `platform` and `user_id` (a string of digits as the seed sends it, or a
    /// JSON integer).
    func readRecipient(_ bytes: [UInt8]) -> Result<Recipient, ResellerError> {
        guard let body = try? JSON.parse(bytes), body.objectPairs != nil else { return .failure(.invalidJSON) }
        guard let platform = body["platform"], platform != .null else { return .failure(.missingField("platform")) }
        guard let userIDValue = body["user_id"], userIDValue != .null else { return .failure(.missingField("user_id")) }
        guard platform.stringValue == Self.platform else { return .failure(.unsupportedPlatform) }
        let text: String
        switch userIDValue {
        case .string(let s): text = s
        case .number(let n) where userIDValue.intValue != nil: text = n
        default: return .failure(.invalidUserID)
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(text), id > 0 else {
            return .failure(.invalidUserID)
        }
        return .success(Recipient(id: id, text: text, body: body))
    }

    // MARK: Ids and states

    /// `ORD-005`: at least three digits.
    package static func orderID(_ id: Int) -> String {
        let digits = String(id)
        return "ORD-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// The number in an order id written exactly as `orderID` writes it.
    static func parseOrderID(_ text: String) -> Int? {
        guard text.hasPrefix("ORD-"), let id = Int(text.dropFirst(4)), id > 0, orderID(id) == text else { return nil }
        return id
    }

    /// `processing`, `completed`, `failed`.
    static func status(_ state: OrderState) -> String {
        switch state {
        case .pending: "processing"
        case .completed: "completed"
        case .failed: "failed"
        }
    }

    // MARK: Rendering

    func ok(_ fields: [(String, JSON)]) -> DialectResponse {
        Self.json(200, .object(fields))
    }

    static func json(_ status: Int, _ value: JSON) -> DialectResponse {
        DialectResponse(status: status, headers: [("Content-Type", "application/json")], body: value.spacedBytes)
    }

    /// `{ "error": { "code": …, "message": … } }`; a 401 also says `WWW-Authenticate: Bearer`.
    package func body(_ error: ResellerError) -> DialectResponse {
        var response = Self.json(
            error.status,
            .object([("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))]))
        if error.status == 401 { response.headers.append(("WWW-Authenticate", "Bearer")) }
        return response
    }
}

extension Reseller {
    /// `reseller-demo-key` (`Authorization: Bearer`), balance 100.00; the first order is
    /// `ORD-005`, as the seed shows.
    package func addDemo(to setup: inout WorldSetup) {
        setup.keys.append(APIKey(key: "reseller-demo-key", dialect: id, label: "Demo", owner: "demo-reseller"))
        setup.accounts["demo-reseller"] = Account(available: Money(cents: 10_000))
        setup.firstOrderID[id] = 5
    }
}
