import StarMockCore

/// The Telegram Bot API's Stars subset (seed 004): `/bot<TOKEN>/<method>`, method names in any
/// case, GET or POST with parameters in the query string, a url-encoded form, JSON or
/// multipart/form-data, and the `{"ok":…}` envelope with HTTP status = `error_code`.
///
/// Methods: `getMe`, `getMyStarBalance`, `getStarTransactions`, `refundStarPayment`,
/// `createInvoiceLink`, `sendInvoice` (Stars only: currency `XTR`, one price, no provider).
package struct TelegramBotAPI: Dialect {
    /// `telegram`.
    package static let id: DialectID = "telegram"
    package var id: DialectID { Self.id }

    /// The dialect.
    package init() {}

    package var endpoints: EndpointTable { Self.table }

    /// `/bot<TOKEN>/<method>`: any HTTP method, method names in any case, the token checked
    /// before the method is looked up.
    static let table = EndpointTable(
        scopeDepth: 1, caseInsensitivePaths: true, authenticateFirst: true,
        caseNote: "method names are matched as clients send them, in camelCase",
        [
        method("getMe") { _, call, _ in .success(TelegramJSON.me(call.bot)) },
        method("getMyStarBalance") { api, call, world in api.getMyStarBalance(call, in: &world) },
        method("getStarTransactions") { api, call, world in api.getStarTransactions(call, in: &world) },
        method("refundStarPayment") { api, call, world in api.refundStarPayment(call, in: &world) },
        method("createInvoiceLink") { api, call, world in api.createInvoiceLink(call, in: &world) },
        method("sendInvoice") { api, call, world in api.sendInvoice(call, in: &world) },
        method("sendMessage") { api, call, world in api.sendMessage(call, in: &world) },
        method("answerPreCheckoutQuery") { api, call, world in api.answerPreCheckoutQuery(call, in: &world) },
        method("editUserStarSubscription") { api, call, world in api.editUserStarSubscription(call, in: &world) },
        method("getWebhookInfo") { api, call, world in api.getWebhookInfo(call, in: &world) },
        replying("getUpdates") { api, call, world in api.getUpdates(call, in: &world) },
        replying("setWebhook") { api, call, world in api.setWebhook(call, in: &world) },
        replying("deleteWebhook") { api, call, world in api.deleteWebhook(call, in: &world) },
    ])

    /// A method that answers with its own reply (held, or with a `description`).
    static func replying(
        _ name: String, _ answer: @escaping @Sendable (TelegramBotAPI, Call, inout WorldState) -> DialectReply
    ) -> Endpoint {
        Endpoint(nil, PathTemplate("/bot{token}/\(name)"), reply: { call, world in
            guard let bot = bot(token: call.key.key, in: world) else { return .now(TelegramJSON.error(.unauthorized)) }
            let parameters = call.context as? TelegramParameters ?? TelegramParameters([])
            return answer(TelegramBotAPI(), Call(bot: bot, parameters: parameters), &world)
        })
    }

    /// One Bot API method: `/bot{token}/<name>`, answered in the `{"ok":…}` envelope.
    static func method(
        _ name: String, _ answer: @escaping @Sendable (TelegramBotAPI, Call, inout WorldState) -> Result<JSON, TelegramError>
    ) -> Endpoint {
        Endpoint(nil, PathTemplate("/bot{token}/\(name)")) { call, world in
            guard let bot = bot(token: call.key.key, in: world) else { return TelegramJSON.error(.unauthorized) }
            let parameters = call.context as? TelegramParameters ?? TelegramParameters([])
            switch answer(TelegramBotAPI(), Call(bot: bot, parameters: parameters), &world) {
            case .success(let result): return TelegramJSON.ok(result)
            case .failure(let error): return TelegramJSON.error(error)
            }
        }
    }

    /// The token of `/bot<token>/<method>`: it runs to the next `/`; without one there is none.
    package func credential(of request: DialectRequest) -> Credential {
        guard let (token, _) = Self.split(path: request.path) else { return .absent }
        return .presented(token)
    }

    static func split(path: String) -> (token: String, method: Substring)? {
        // Read as bytes (every Bot API request comes through here twice).
        let utf8 = path.utf8
        guard utf8.starts(with: "/bot".utf8) else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: 4)
        guard let slash = utf8[start...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
        return (String(path[start..<slash]), path[utf8.index(after: slash)...])
    }

    /// The parameters are read first, as the HTTP layer does before routing; the method may
    /// also come as the `method` parameter when the path has none.
    package func prepare(_ request: DialectRequest) -> Preparation {
        let parameters: TelegramParameters
        switch TelegramParameters.read(request) {
        case .success(let p): parameters = p
        case .failure(.invalidJSON): return .answered(TelegramJSON.error(.invalidJSONBody))
        case .failure(.invalidMultipart): return .answered(TelegramJSON.error(.invalidMultipartBody))
        }
        var request = request
        if let (token, method) = Self.split(path: request.path), method.isEmpty, let named = parameters["method"] {
            request.path = "/bot\(token)/\(named)"
        }
        return .ready(Prepared(request, context: parameters))
    }

    /// A listed bot, or an enabled `telegram` key (with a plain profile).
    package func lookUp(_ token: String, in world: WorldState) -> KeyLookup {
        let lookup = world.lookUpKey(token, dialect: id)
        guard case .unknown = lookup, let bot = world.setup.telegram.bot(token: token) else { return lookup }
        return .valid(APIKey(key: token, dialect: id, label: bot.firstName, owner: ""))
    }

    /// A path without a token is not found; a malformed token is refused before it is looked up.
    package func refuse(_ failure: AuthFailure, _ request: DialectRequest) -> DialectResponse {
        switch failure {
        case .missing, .malformed: TelegramJSON.error(.notFound)
        case .unknown(let token), .disabled(let token):
            TelegramJSON.error(Self.isWellFormed(token: token) ? .unauthorized : .invalidToken)
        }
    }

    package func rateLimited(retryAfter: Duration, _ request: DialectRequest) -> DialectResponse {
        TelegramJSON.error(.tooManyRequests(retryAfter: DialectResponse.retryAfterSeconds(retryAfter)))
    }

    /// `TelegramSetup.rateLimit` (30 per second per token unless the scenario says otherwise).
    package func defaultRateLimit(_ setup: WorldSetup) -> RateLimit? { setup.telegram.rateLimit }

    package var faultCodes: [String] { (TelegramError.scriptable.keys.sorted() + ["TOO_MANY_REQUESTS"]).sorted() }

    package var priceList: PriceListRule {
        .none(reason: "telegram sells nothing at a price list (its prices come with each invoice); remove prices.telegram")
    }

    package var keysSpendMoney: Bool { false }

    package func keyProblem(_ secret: String) -> String? { ScenarioContext.tokenProblem(secret) }

    /// Its keys, then the listed bots' tokens.
    package func credentials(in setup: WorldSetup) -> [String] {
        setup.keys.filter { $0.dialect == id }.map(\.key) + setup.telegram.bots.map(\.token)
    }

    /// A bot's token travels as `STARMOCK_BOT_TOKEN`.
    package var credentialVariable: String { "STARMOCK_BOT_TOKEN" }

    package var scenarioSection: ScenarioSection? { ScenarioSection { node, context throws(ScenarioError) in try context.telegram(node) } }

    /// Whether a token is well formed, by the Bot API server's rules: `<id>:<secret>`, at most
    /// 80 characters, not starting with `0`, the id a positive integer below 2^54.
    static func isWellFormed(token: String) -> Bool {
        guard !token.isEmpty, token.utf8.count <= 80, !token.hasPrefix("0"), let colon = token.utf8.firstIndex(of: UInt8(ascii: ":"))
        else { return false }
        let id = token[..<colon]
        guard !id.isEmpty, id.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int64(id) else { return false }
        return value > 0 && value < (1 << 54)
    }

    /// One method call by a known bot.
    struct Call {
        let bot: TelegramBot
        let parameters: TelegramParameters
    }

    /// The bot of a known, enabled token: listed in the setup, or an enabled `telegram` key.
    static func bot(token: String, in world: WorldState) -> TelegramBot? {
        switch world.lookUpKey(token, dialect: id) {
        case .disabled: return nil
        case .valid(let key):
            if let bot = world.setup.telegram.bot(token: token) { return bot }
            let botID = TelegramBot.id(fromToken: token) ?? 0
            return TelegramBot(token: token, id: botID, username: "bot\(botID)_bot", firstName: key.label)
        case .unknown:
            return world.setup.telegram.bot(token: token)
        }
    }

    package func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        if code == "TOO_MANY_REQUESTS" {
            return TelegramJSON.error(.tooManyRequests(retryAfter: max(1, world.setup.telegram.floodRetryAfter)))
        }
        return TelegramError.scriptable[code].map(TelegramJSON.error)
    }

    package func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge: TelegramJSON.error(.requestTooLarge)
        case .notFound, .methodNotAllowed: TelegramJSON.error(.methodNotFound)
        case .headersTooLarge: TelegramJSON.error(TelegramError(status: 431, description: "Request Header Fields Too Large"))
        case .badRequest(let message): TelegramJSON.error(.badRequest(message))
        }
    }

    /// The bot token `TelegramSetup.demoToken`, 1500 Stars (`TelegramSetup.demo`).
    package func addDemo(to setup: inout WorldSetup) {
        setup.keys.append(APIKey(key: TelegramSetup.demoToken, dialect: id, label: "StarMock Demo", owner: "demo-telegram"))
        setup.telegram = .demo
    }
}
