public import StarMockCore

/// The generic reseller dialect (seed 002): an illustrative B2B supplier flow, not one real
/// product. Validate a Telegram user id, top it up with a star package paid from the
/// balance at once, poll the order. The seed shows two bodies; they are reproduced byte for
/// byte, spacing included, and every other body uses the same layout. Auth, errors, limits,
/// prices and the extra endpoints are ours (docs/dialects/reseller.md).
public struct Reseller: Dialect {
    /// `reseller`.
    public static let name = "reseller"
    public var name: String { Self.name }

    /// The only platform served.
    public static let platform = "telegram"

    /// The dialect.
    public init() {}

    static let roots: Set<String> = ["validate-user", "topup", "orders", "balance", "packages"]

    public func claims(path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        let first = path.dropFirst().prefix { $0 != "/" }
        return Self.roots.contains(String(first))
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
    public func credential(of request: DialectRequest) -> String? { request.bearerToken }

    public var faultCodes: [String] { ResellerError.scriptable.keys.sorted() + ["INSUFFICIENT_BALANCE"] }

    enum Route: Equatable {
        case validateUser, topup, order(String), balance, packages
    }

    func route(_ request: DialectRequest) -> Result<Route, ResellerError> {
        let s = request.segments.map { String($0) }
        let (route, method): (Route, String)
        switch (s.first, s.count) {
        case ("validate-user", 1): (route, method) = (.validateUser, "POST")
        case ("topup", 1): (route, method) = (.topup, "POST")
        case ("orders", 2): (route, method) = (.order(s[1]), "GET")
        case ("balance", 1): (route, method) = (.balance, "GET")
        case ("packages", 1): (route, method) = (.packages, "GET")
        default: return .failure(.notFound)
        }
        guard request.usesMethod(in: [method]) else {
            return .failure(.methodNotAllowed([method]))
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
        guard let presented = credential(of: request) else { return render(.missingAPIKey) }
        let key: APIKey
        switch world.lookUpKey(presented, dialect: name) {
        case .unknown: return render(.invalidAPIKey)
        case .disabled: return render(.keyDisabled)
        case .valid(let k): key = k
        }
        if case .limited(let retryAfter) = world.admit(key: key.key, dialect: name) {
            return render(.rateLimited, retryAfter: retryAfter)
        }
        switch route {
        case .validateUser: return validateUser(request, world: world)
        case .topup: return topup(request, key: key, world: &world)
        case .order(let id): return order(id, key: key, world: &world)
        case .balance: return balance(key: key, world: world)
        case .packages: return packages(world: world)
        }
    }

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
        let packages = world.setup.reseller.packages
        guard let stars = starsValue.intValue, let price = packages[stars] else {
            return render(.invalidPackage(packages.keys.sorted()))
        }
        guard let user = world.user(id: recipient.id) else { return render(.userNotFound) }
        guard user.canReceiveStars else { return render(.userCannotReceive) }
        let order: Order
        do {
            order = try world.placeOrder(
                dialect: name, key: key, kind: .stars(quantity: stars), username: user.username, cost: price,
                reserve: false)
        } catch {
            let available = world.account(key.owner)?.available ?? .zero
            return render(.insufficientBalance(balance: available.twoDecimals, price: price.twoDecimals))
        }
        world.rememberResellerRecipient(order: order.ref.id, platform: Self.platform, userID: recipient.text)
        return ok([("order_id", .string(Self.orderID(order.ref.id))), ("status", .string(Self.status(order.state)))])
    }

    func order(_ idText: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        guard let id = Self.parseOrderID(idText) else { return render(.orderNotFound) }
        let ref = OrderRef(dialect: name, id: id)
        guard let existing = world.order(ref), existing.owner == key.owner else { return render(.orderNotFound) }
        let order = world.pollOrder(ref) ?? existing
        let recipient = world.reseller.recipients[id]
        let stars: Int =
            switch order.kind {
            case .stars(let quantity): quantity
            case .premium: 0
            }
        var fields: [(String, JSON)] = [
            ("order_id", .string(Self.orderID(id))),
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
        let packages = world.setup.reseller.packages
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
    public static func orderID(_ id: Int) -> String {
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
        DialectResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(value.spacedText.utf8))
    }

    func render(_ error: ResellerError, retryAfter: Duration? = nil) -> DialectResponse {
        var response = Self.json(
            error.status,
            .object([("error", .object([("code", .string(error.code)), ("message", .string(error.message))]))]))
        if error.status == 401 { response.headers.append(("WWW-Authenticate", "Bearer")) }
        if let retryAfter { response.addRetryAfter(retryAfter) }
        if let allow = error.allow { response.headers.append(("Allow", allow)) }
        return response
    }

    public func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        if code == "INSUFFICIENT_BALANCE" {
            let available =
                credential(of: request).flatMap { world.keys[$0] }.flatMap { world.account($0.owner) }?.available ?? .zero
            return render(.insufficientBalance(balance: available.twoDecimals, price: (available + Money(cents: 1)).twoDecimals))
        }
        guard let error = ResellerError.scriptable[code] else { return nil }
        return render(error, retryAfter: code == "RATE_LIMITED" ? .seconds(60) : nil)
    }

    public func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge(let limit): render(.payloadTooLarge(limit))
        case .notFound: render(.notFound)
        case .methodNotAllowed(let allowed): render(.methodNotAllowed(allowed))
        }
    }
}
