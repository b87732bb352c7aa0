public import StarMockCore

/// The papaya dialect (Papaya Bot API / AzothPay, seed 003): an ASP.NET Core app with an
/// `X-API-Key` header, invoices a Telegram user pays in a bot, and the on-chain subscriptions
/// those payments create. Bodies are System.Text.Json's (camelCase, compact, .NET escaping);
/// errors are ProblemDetails, or empty where ASP.NET's middleware answers. Every choice the
/// seed leaves open is listed in docs/dialects/papaya.md.
public struct Papaya: Dialect {
    /// `papaya`.
    public static let name = "papaya"
    public var name: String { Self.name }

    /// Most subscriptions on one page (ours); larger `limit`s are lowered to it.
    public static let maximumLimit = 100

    /// The dialect.
    public init() {}

    /// `/api/invoice…` and `/api/subscriptions…`, case-insensitively as ASP.NET routes; the
    /// rest of `/api/` belongs to other dialects.
    public func claims(path: String) -> Bool {
        // `/api/invoice…` or `/api/subscriptions…`, case-insensitive as ASP.NET routing, checked
        // without splitting the path: every request of every dialect asks this.
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: true)
        guard segments.count >= 2, Self.equalsLowercased(segments[0], "api") else { return false }
        return Self.equalsLowercased(segments[1], "invoice") || Self.equalsLowercased(segments[1], "subscriptions")
    }

    private static func equalsLowercased(_ bytes: Substring.UTF8View.SubSequence, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        return bytes.count == w.count && zip(bytes, w).allSatisfy { ($0 | 0x20) == $1 }
    }

    public func credential(of request: DialectRequest) -> String? { request.header("X-API-Key") }

    /// .NET's `HttpStatusCode` names.
    public var faultCodes: [String] {
        ["BadRequest", "InternalServerError", "NotFound", "ServiceUnavailable", "TooManyRequests", "Unauthorized"]
    }

    enum Route: Equatable {
        case createInvoice, invoice(String), subscriptions, subscription(String)
    }

    enum RoutingFailure: Error, Equatable {
        case notFound, methodNotAllowed([String])
    }

    func route(_ request: DialectRequest) -> Result<Route, RoutingFailure> {
        let s = request.segments.map { String($0) }
        guard s.count == 2 || s.count == 3, s[0].lowercased() == "api" else { return .failure(.notFound) }
        let route: Route
        let method: String
        switch (s[1].lowercased(), s.count) {
        case ("invoice", 2): (route, method) = (.createInvoice, "POST")
        case ("invoice", 3): (route, method) = (.invoice(s[2]), "GET")
        case ("subscriptions", 2): (route, method) = (.subscriptions, "GET")
        case ("subscriptions", 3): (route, method) = (.subscription(s[2]), "GET")
        default: return .failure(.notFound)
        }
        // ASP.NET does not answer HEAD for an [HttpGet] action: 405 like any other method.
        guard request.method.uppercased() == method else { return .failure(.methodNotAllowed([method])) }
        return .success(route)
    }

    public func handle(_ request: DialectRequest, in world: inout WorldState) -> DialectReply {
        .now(respond(request, in: &world))
    }

    func respond(_ request: DialectRequest, in world: inout WorldState) -> DialectResponse {
        let route: Route
        switch self.route(request) {
        case .success(let r): route = r
        case .failure(.notFound): return PapayaResponse.empty(404)
        case .failure(.methodNotAllowed(let allowed)):
            return PapayaResponse.empty(405, headers: [("Allow", allowed.joined(separator: ", "))])
        }
        // Authentication runs before model binding: a bad key never sees a 400.
        guard let presented = credential(of: request), !presented.isEmpty,
            case .valid(let key) = world.lookUpKey(presented, dialect: name)
        else { return PapayaResponse.empty(401) }
        if case .limited(let retryAfter) = world.admit(key: key.key, dialect: name) {
            return Self.tooManyRequests(retryAfter: retryAfter)
        }
        switch route {
        case .createInvoice: return createInvoice(request, key: key, world: &world)
        case .invoice(let id): return invoice(id, key: key, world: &world)
        case .subscriptions: return subscriptions(request, key: key, world: &world)
        case .subscription(let id): return subscription(id, key: key, world: &world)
        }
    }

    // MARK: Endpoints

    func createInvoice(_ request: DialectRequest, key: APIKey, world: inout WorldState) -> DialectResponse {
        guard Self.isJSON(request.header("Content-Type")) else { return PapayaResponse.problem(415, in: &world) }
        let body: PapayaInvoiceRequest
        switch PapayaInvoiceRequest.read(request.body) {
        case .success(let b): body = b
        case .failure(let failure): return PapayaResponse.validation(failure.errors, in: &world)
        }
        let invoice = world.createPapayaInvoice(
            owner: key.owner, title: body.title, message: body.message, rate: body.rate, period: body.period,
            metadata: body.metadata)
        return PapayaResponse.ok(
            .object([
                ("id", .int(invoice.id)),
                ("rate", .number(invoice.rate.dotNetText)),
                ("createdAt", .string(invoice.createdAt.dotNetText)),
                ("botUrl", .string(invoice.botUrl)),
            ]))
    }

    func invoice(_ idText: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        let id: Int64
        switch Self.bindInteger(idText, as: Int64.self) {
        case .success(let n): id = n
        case .failure(let message): return PapayaResponse.validation([("id", [message.text])], in: &world)
        }
        guard let invoice = world.papayaInvoice(id, owner: key.owner) else { return PapayaResponse.problem(404, in: &world) }
        return PapayaResponse.ok(Self.invoiceJSON(invoice))
    }

    func subscriptions(_ request: DialectRequest, key: APIKey, world: inout WorldState) -> DialectResponse {
        var errors: [(String, [String])] = []
        func bind(_ name: String, default value: Int32) -> Int32? {
            guard let text = Self.queryValue(name, in: request) else { return value }
            switch Self.bindInteger(text, as: Int32.self) {
            case .success(let n):
                guard n >= 1 else {
                    errors.append((name, ["The field \(name) must be between 1 and 2147483647."]))
                    return nil
                }
                return n
            case .failure(let message):
                errors.append((name, [message.text]))
                return nil
            }
        }
        let page = bind("page", default: 1)
        let limit = bind("limit", default: 50)
        guard errors.isEmpty, let page, let limit else { return PapayaResponse.validation(errors, in: &world) }
        let size = min(Int(limit), Self.maximumLimit)
        let all = world.papayaSubscriptions(owner: key.owner)
        let start = (Int(page) - 1) * size
        let items = start < all.count ? Array(all[start..<min(all.count, start + size)]) : []
        let now = world.now
        return PapayaResponse.ok(
            .object([
                ("items", .array(items.map { Self.subscriptionJSON($0, now: now) })),
                ("totalCount", .int(all.count)),
                ("page", .int(page)),
                ("limit", .int(size)),
                ("totalPages", .int((all.count + size - 1) / size)),
            ]))
    }

    func subscription(_ idText: String, key: APIKey, world: inout WorldState) -> DialectResponse {
        let id: Int64
        switch Self.bindInteger(idText, as: Int64.self) {
        case .success(let n): id = n
        case .failure(let message): return PapayaResponse.validation([("id", [message.text])], in: &world)
        }
        guard let subscription = world.papayaSubscription(id, owner: key.owner) else {
            return PapayaResponse.problem(404, detail: "Subscription not found", in: &world)
        }
        return PapayaResponse.ok(Self.subscriptionJSON(subscription, now: world.now))
    }

    // MARK: Bodies

    static func invoiceJSON(_ invoice: PapayaInvoice) -> JSON {
        .object([
            ("id", .int(invoice.id)),
            ("recipient", invoice.recipient.map(JSON.string) ?? .null),
            ("rate", .number(invoice.rate.dotNetText)),
            ("createdAt", .string(invoice.createdAt.dotNetText)),
            ("isPaid", .bool(invoice.isPaid)),
            ("metadata", invoice.metadata ?? .null),
            ("botUrl", .string(invoice.botUrl)),
        ])
    }

    static func subscriptionJSON(_ subscription: PapayaSubscription, now: WorldTime) -> JSON {
        .object([
            ("id", .int(subscription.id)),
            ("chainId", .int(subscription.chainID)),
            ("tokenName", .string(subscription.tokenName)),
            ("tx", .string(subscription.tx)),
            ("tgUserId", .int(subscription.tgUserID)),
            ("userAddress", .string(subscription.userAddress)),
            ("createdAt", .string(subscription.createdAt.dotNetText)),
            ("isActive", .bool(subscription.isActive(at: now))),
        ])
    }

    // MARK: Binding

    /// ASP.NET's simple-type binding of a route or query value: an optionally signed decimal
    /// integer in range; an empty value is "invalid", anything else "not valid".
    static func bindInteger<T: FixedWidthInteger>(_ text: String, as: T.Type) -> Result<T, BindingMessage> {
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty { return .failure(BindingMessage("The value '\(text)' is invalid.")) }
        guard let n = T(trimmed, radix: 10) else {
            return .failure(BindingMessage("The value '\(text)' is not valid."))
        }
        return .success(n)
    }

    struct BindingMessage: Error, Equatable {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// The first value of a query parameter, its name matched case-insensitively (ASP.NET's
    /// query collection).
    static func queryValue(_ name: String, in request: DialectRequest) -> String? {
        request.query.first { $0.0.lowercased() == name }?.1
    }

    /// `application/json`, `text/json` or `application/*+json`, any parameters: the media types
    /// ASP.NET's JSON input formatter reads.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = (contentType.split(separator: ";").first.map(String.init) ?? "").trimmingSpaces.lowercased()
        return type == "application/json" || type == "text/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    static func tooManyRequests(retryAfter: Duration) -> DialectResponse {
        let seconds = max(1, (retryAfter.wholeMilliseconds + 999) / 1000)
        return PapayaResponse.empty(429, headers: [("Retry-After", String(seconds))])
    }

    // MARK: Faults and problems

    public func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        switch code {
        case "BadRequest": PapayaResponse.problem(400, in: &world)
        case "Unauthorized": PapayaResponse.empty(401)
        case "NotFound": PapayaResponse.problem(404, in: &world)
        case "TooManyRequests": Self.tooManyRequests(retryAfter: .seconds(60))
        case "InternalServerError": PapayaResponse.problem(500, in: &world)
        case "ServiceUnavailable": PapayaResponse.empty(503)
        default: nil
        }
    }

    public func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge: PapayaResponse.empty(413)
        case .notFound: PapayaResponse.empty(404)
        case .methodNotAllowed(let allowed): PapayaResponse.empty(405, headers: [("Allow", allowed.joined(separator: ", "))])
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
        let end = scalars.lastIndex { !$0.properties.isWhitespace }.map { scalars.index(after: $0) } ?? start
        return start < end ? String(scalars[start..<end]) : ""
    }
}
