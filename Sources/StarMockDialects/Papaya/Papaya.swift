import StarMockCore

/// The papaya dialect (Papaya Bot API / AzothPay, seed 003): an ASP.NET Core app with an
/// `X-API-Key` header, invoices a Telegram user pays in a bot, and the on-chain subscriptions
/// those payments create. Bodies are System.Text.Json's (camelCase, compact, .NET escaping);
/// errors are ProblemDetails, or empty where ASP.NET's middleware answers. Every choice the
/// seed leaves open is listed in docs/dialects/papaya.md.
package struct Papaya: Dialect {
    /// `papaya`.
    package static let id: DialectID = "papaya"
    package var id: DialectID { Self.id }

    /// Most subscriptions on one page (ours); larger `limit`s are lowered to it.
    package static let maximumLimit = 100

    /// The dialect.
    package init() {}

    package var endpoints: EndpointTable { Self.table }

    /// ASP.NET routing: paths without case; an [HttpGet] action does not answer HEAD (405 like
    /// any other method).
    /// Any other `/api/…` path no dialect claims (`/api/invoices`) is Papaya's empty 404.
    static let table = EndpointTable(scopeDepth: 2, fallbackDepth: 1, headAsGet: false, caseInsensitivePaths: true, [
        Endpoint(.post, "/api/invoice") { call, world in Papaya().createInvoice(call.request, key: call.key, world: &world) },
        Endpoint(.get, "/api/invoice/{id}") { call, world in Papaya().invoice(call["id"], key: call.key, world: &world) },
        Endpoint(.get, "/api/subscriptions") { call, world in
            Papaya().subscriptions(call.request, key: call.key, world: &world)
        },
        Endpoint(.get, "/api/subscriptions/{id}") { call, world in
            Papaya().subscription(call["id"], key: call.key, world: &world)
        },
    ])

    package func credential(of request: DialectRequest) -> Credential {
        guard let key = request.header("X-API-Key"), !key.isEmpty else { return .absent }
        return .presented(key)
    }

    /// Authentication runs before model binding: a bad key never sees a 400, and every
    /// refusal is the same empty 401.
    package func refuse(_ failure: AuthFailure, _ request: DialectRequest) -> DialectResponse {
        PapayaResponse.empty(401)
    }

    package func rateLimited(retryAfter: Duration, _ request: DialectRequest) -> DialectResponse {
        Self.tooManyRequests(retryAfter: retryAfter)
    }

    /// None documented, none by default.
    package func defaultRateLimit(_ setup: WorldSetup) -> RateLimit? { nil }

    /// .NET's `HttpStatusCode` names.
    package var faultCodes: [String] {
        ["BadRequest", "InternalServerError", "NotFound", "ServiceUnavailable", "TooManyRequests", "Unauthorized"]
    }

    package var priceList: PriceListRule {
        .none(reason: "papaya sells nothing at a price list (its prices come with each invoice); remove prices.papaya")
    }

    package var keysSpendMoney: Bool { false }

    package var scenarioSection: ScenarioSection? { ScenarioSection { node, context throws(ScenarioError) in try context.papaya(node) } }

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
        world.keepPapayaState()
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
        world.keepPapayaState()
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
        world.keepPapayaState()
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
        let trimmed = text.trimmed(.unicode)
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
        let type = (contentType.split(separator: ";").first.map(String.init) ?? "").trimmed(.unicode).lowercased()
        return type == "application/json" || type == "text/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    static func tooManyRequests(retryAfter: Duration) -> DialectResponse {
        var response = PapayaResponse.empty(429)
        response.addRetryAfter(retryAfter)
        return response
    }

    // MARK: Faults and problems

    package func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
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

    package func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge: PapayaResponse.empty(413)
        case .notFound: PapayaResponse.empty(404)
        case .methodNotAllowed(let allowed): PapayaResponse.empty(405, headers: [("Allow", allowed.joined(separator: ", "))])
        // Kestrel's own answers, before any middleware: empty.
        case .headersTooLarge: PapayaResponse.empty(431)
        case .badRequest: PapayaResponse.empty(400)
        }
    }
}

extension Papaya {
    /// `papaya-demo-key` (application `demo-papaya`) with one paid invoice (id 1, 4.99 per
    /// month) and its subscription (id 1, never lapsing by itself); new ids follow.
    package func addDemo(to setup: inout WorldSetup) {
        setup.keys.append(APIKey(key: "papaya-demo-key", dialect: id, label: "Demo app", owner: "demo-papaya"))
        setup.papaya = .demo
    }
}
