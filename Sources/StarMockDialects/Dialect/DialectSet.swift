public import StarMockCore

/// The dialects served on one port, and the one step every request goes through: pick the
/// dialect by path, apply scripted faults, let the dialect answer. Still no I/O.
public struct DialectSet: Sendable {
    /// The dialects, in routing order.
    public let dialects: [any Dialect]

    /// A set of dialects.
    public init(_ dialects: [any Dialect]) { self.dialects = dialects }

    /// Every dialect StarMock knows, by name.
    public static let all: [String: any Dialect] = [
        Sh4de.name: Sh4de(),
        TGMarket.name: TGMarket(),
        TelegramBotAPI.name: TelegramBotAPI(),
        Papaya.name: Papaya(),
        Reseller.name: Reseller(),
    ]

    /// Names of every dialect, sorted.
    public static var allNames: [String] { all.keys.sorted() }

    /// The set serving every known dialect, the two flagship dialects first (routing asks
    /// each in turn whether it claims a path).
    public static var everything: DialectSet {
        let first = ["sh4de", "tgmarket", "telegram"]
        return DialectSet((first + allNames.filter { !first.contains($0) }).compactMap { all[$0] })
    }

    /// The dialect with this name.
    public func dialect(named name: String) -> (any Dialect)? { dialects.first { $0.name == name } }

    /// The dialect serving `path`; with a single dialect, that one answers every path.
    public func dialect(for path: String) -> (any Dialect)? {
        if dialects.count == 1 { return dialects[0] }
        return dialects.first { $0.claims(path: path) }
    }

    /// The outcome of routing one request.
    public struct Routed: Sendable {
        /// The dialect that answered, if any claimed the path.
        public var dialect: String?
        /// The credential presented.
        public var credential: String?
        /// The reply.
        public var reply: DialectReply
        /// The scripted fault applied, if any.
        public var fault: String?

        /// A routing outcome.
        public init(dialect: String?, credential: String?, reply: DialectReply, fault: String?) {
            self.dialect = dialect
            self.credential = credential
            self.reply = reply
            self.fault = fault
        }
    }

    /// Answers `request` against the world: scripted faults before the world acts, the
    /// dialect, then scripted faults after the world committed.
    public func respond(to request: DialectRequest, in world: inout WorldState) -> Routed {
        guard let dialect = dialect(for: request.path) else {
            return Routed(dialect: nil, credential: nil, reply: .now(Self.noDialect(request)), fault: nil)
        }
        let credential = dialect.credential(of: request)
        if let rule = world.takeFault(
            dialect: dialect.name, method: request.method, path: request.path, key: credential, phase: .before),
            let code = rule.code, let response = dialect.renderFault(code: code, request: request, in: &world)
        {
            return Routed(dialect: dialect.name, credential: credential, reply: .now(response), fault: code)
        }
        let reply = dialect.handle(request, in: &world)
        if let rule = world.takeFault(
            dialect: dialect.name, method: request.method, path: request.path, key: credential, phase: .after),
            let code = rule.code, let response = dialect.renderFault(code: code, request: request, in: &world)
        {
            return Routed(dialect: dialect.name, credential: credential, reply: .now(response), fault: code)
        }
        return Routed(dialect: dialect.name, credential: credential, reply: reply, fault: nil)
    }

    /// Renders a problem in the shape of the dialect serving `path`.
    public func render(_ problem: RequestProblem, path: String) -> DialectResponse {
        if let dialect = dialect(for: path) { return dialect.render(problem) }
        return .json(404, .object([("error", .string("not_found")), ("message", .string("No dialect serves \(path)"))]))
    }

    static func noDialect(_ request: DialectRequest) -> DialectResponse {
        .json(
            404,
            .object([
                ("error", .string("not_found")),
                ("message", .string("No served dialect has the path \(request.path)")),
            ]))
    }
}
