public import StarMockCore

/// The Telegram Bot API's Stars subset (seed 004): `/bot<TOKEN>/<method>`, method names in any
/// case, GET or POST with parameters in the query string, a url-encoded form, JSON or
/// multipart/form-data, and the `{"ok":…}` envelope with HTTP status = `error_code`.
///
/// Methods: `getMe`, `getMyStarBalance`, `getStarTransactions`, `refundStarPayment`,
/// `createInvoiceLink`, `sendInvoice` (Stars only: currency `XTR`, one price, no provider).
public struct TelegramBotAPI: Dialect {
    /// `telegram`.
    public static let name = "telegram"
    public var name: String { Self.name }

    /// The dialect.
    public init() {}

    public func claims(path: String) -> Bool { path.hasPrefix("/bot") }

    public func credential(of request: DialectRequest) -> String? {
        guard case .bot(let token, _) = Self.route(path: request.path) else { return nil }
        return token
    }

    public var faultCodes: [String] { (TelegramError.scriptable.keys.sorted() + ["TOO_MANY_REQUESTS"]).sorted() }

    /// What a path asks for.
    enum Route: Equatable {
        /// `/bot<token>/<method>` (the method may be empty).
        case bot(token: String, method: String)
        /// Anything else: 404 `Not Found`.
        case notFound
    }

    /// Splits `/bot<token>/<method>` as the Bot API server does: the token runs to the next
    /// `/`; without one the path is not found.
    static func route(path: String) -> Route {
        guard path.hasPrefix("/bot") else { return .notFound }
        let rest = path.dropFirst(4)
        guard let slash = rest.firstIndex(of: "/") else { return .notFound }
        return .bot(token: String(rest[..<slash]), method: String(rest[rest.index(after: slash)...]))
    }

    /// Whether a token is well formed, by the Bot API server's rules: `<id>:<secret>`, at most
    /// 80 characters, not starting with `0`, the id a positive integer below 2^54.
    static func isWellFormed(token: String) -> Bool {
        guard !token.isEmpty, token.utf8.count <= 80, !token.hasPrefix("0"), let colon = token.firstIndex(of: ":")
        else { return false }
        let id = token[..<colon]
        guard !id.isEmpty, id.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int64(id) else { return false }
        return value > 0 && value < (1 << 54)
    }

    public func handle(_ request: DialectRequest, in world: inout WorldState) -> DialectReply {
        switch respond(request, in: &world) {
        case .success(let result): .now(TelegramJSON.ok(result))
        case .failure(let error): .now(TelegramJSON.error(error))
        }
    }

    func respond(_ request: DialectRequest, in world: inout WorldState) -> Result<JSON, TelegramError> {
        // The body is read first, as the HTTP layer does before routing.
        let parameters: TelegramParameters
        switch TelegramParameters.read(request) {
        case .success(let p): parameters = p
        case .failure(.invalidJSON): return .failure(.invalidJSONBody)
        case .failure(.invalidMultipart): return .failure(.invalidMultipartBody)
        }
        guard case .bot(let token, var method) = Self.route(path: request.path) else { return .failure(.notFound) }
        guard Self.isWellFormed(token: token) else { return .failure(.invalidToken) }
        guard let bot = Self.bot(token: token, in: world) else { return .failure(.unauthorized) }
        if case .limited(let wait) = admit(token: token, in: &world) {
            return .failure(.tooManyRequests(retryAfter: Self.wholeSeconds(wait)))
        }
        // The method may also come as a parameter when the path has none.
        if method.isEmpty { method = parameters["method"] ?? "" }
        let call = Call(bot: bot, parameters: parameters)
        switch method.lowercased() {
        case "getme": return .success(TelegramJSON.me(bot))
        case "getmystarbalance": return getMyStarBalance(call, in: &world)
        case "getstartransactions": return getStarTransactions(call, in: &world)
        case "refundstarpayment": return refundStarPayment(call, in: &world)
        case "createinvoicelink": return createInvoiceLink(call, in: &world)
        case "sendinvoice": return sendInvoice(call, in: &world)
        default: return .failure(.methodNotFound)
        }
    }

    /// One method call by a known bot.
    struct Call {
        let bot: TelegramBot
        let parameters: TelegramParameters
    }

    /// The bot of a known, enabled token: listed in the setup, or an enabled `telegram` key.
    static func bot(token: String, in world: WorldState) -> TelegramBot? {
        switch world.lookUpKey(token, dialect: name) {
        case .disabled: return nil
        case .valid(let key):
            if let bot = world.setup.telegram.bot(token: token) { return bot }
            let id = TelegramBot.id(fromToken: token) ?? 0
            return TelegramBot(token: token, id: id, username: "bot\(id)_bot", firstName: key.label)
        case .unknown:
            return world.setup.telegram.bot(token: token)
        }
    }

    /// Counts the request against the token's limit: `WorldSetup.rateLimits["telegram"]` (or a
    /// per-key override) if set, else `TelegramSetup.rateLimit`.
    func admit(token: String, in world: inout WorldState) -> RateLimiter.Decision {
        if world.rateLimits[name] == nil, world.keyRateLimits[token] == nil {
            guard let fallback = world.setup.telegram.rateLimit else { return .allowed }
            world.rateLimits[name] = fallback
        }
        return world.admit(key: token, dialect: name)
    }

    /// A wait rounded up to whole seconds, at least 1.
    static func wholeSeconds(_ duration: Duration) -> Int {
        max(1, Int((duration.wholeMilliseconds + 999) / 1000))
    }

    public func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        if code == "TOO_MANY_REQUESTS" {
            return TelegramJSON.error(.tooManyRequests(retryAfter: max(1, world.setup.telegram.floodRetryAfter)))
        }
        return TelegramError.scriptable[code].map(TelegramJSON.error)
    }

    public func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge: TelegramJSON.error(.requestTooLarge)
        case .notFound: TelegramJSON.error(.notFound)
        case .methodNotAllowed: TelegramJSON.error(.methodNotFound)
        }
    }
}
