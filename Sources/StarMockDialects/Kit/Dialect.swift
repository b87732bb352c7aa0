import StarMockCore
import Yams

/// One upstream's API, all of it in one folder: its endpoint table, credential scheme, error
/// catalogue and routing quirks, its own part of the world (setup and state, under key types it
/// owns), its scenario section, its control-API routes and its defaults (rate limit, prices,
/// demo world). The `Pipeline` does what every request needs (routing, credential, key lookup,
/// rate limit, faults, journal); a dialect only answers. Called under the world's lock; never
/// touches I/O.
package protocol Dialect: Sendable {
    /// The dialect's identity in scenarios, keys, orders and the journal.
    var id: DialectID { get }

    /// The endpoints, with the quirks of the framework the upstream runs on.
    var endpoints: EndpointTable { get }

    /// The credential a request presents (API key or bot token).
    func credential(of request: DialectRequest) -> Credential

    /// Looks a presented credential up; by default, the world's keys of this dialect.
    func lookUp(_ credential: String, in world: WorldState) -> KeyLookup

    /// The answer to a request whose credential is missing, malformed, unknown or disabled.
    func refuse(_ failure: AuthFailure, _ request: DialectRequest) -> DialectResponse

    /// The answer to a request over its key's rate limit.
    func rateLimited(retryAfter: Duration, _ request: DialectRequest) -> DialectResponse

    /// The limit each key has when neither the scenario nor the control API sets one.
    func defaultRateLimit(_ setup: WorldSetup) -> RateLimit?

    /// Reads what the whole request needs before routing (a body format every method shares);
    /// by default nothing. A failure is answered as is.
    func prepare(_ request: DialectRequest) -> Preparation

    /// The error codes scenarios may script, in the dialect's own spelling.
    var faultCodes: [String] { get }

    /// Renders a scripted fault exactly as the upstream would; nil if `code` is not the
    /// dialect's.
    func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse?

    /// Renders a problem found before an endpoint could read the request.
    func render(_ problem: RequestProblem) -> DialectResponse

    /// Its part of the control API, under `/__admin/<id>/…`; none by default.
    var controlEndpoints: [ControlEndpoint] { get }

    /// The parts of the dashboard its control API offers; none by default.
    var dashboardPanels: [DashboardPanel] { get }

    /// Whether `starmock bots` runs bots against it: the bot steps play the bots' users through
    /// its control API (`GET /__admin/<id>`, `POST /__admin/<id>/message`, `…/pay`,
    /// `…/cancel-subscription`, `…/lose-webhook-answers`), and `scenarios/<id>` holds the bot
    /// scenarios. False by default.
    var hostsBots: Bool { get }

    /// What reading a recording of it needs to know (the credential's scheme, what its answers
    /// show of the world, its purchase fields, its rules' paths); by default the credential as
    /// `apiDescription` declares it and nothing more.
    var recording: RecordingTraits { get }

    /// Its part of a scenario's `world:` section, read into the setup; nil: it has none.
    var scenarioSection: ScenarioSection? { get }

    /// The documented price list sh4de-style dialects fall back on (`world.prices`), or why a
    /// price list makes no sense for this dialect.
    var priceList: PriceListRule { get }

    /// Whether a key of this dialect draws on an account (a bot's or an application's does not).
    var keysSpendMoney: Bool { get }

    /// Why a key of this dialect can never be presented as written (a malformed bot token);
    /// nil when it can.
    func keyProblem(_ secret: String) -> String?

    /// Every credential a world of this setup accepts for this dialect (its keys, then any
    /// it knows of itself).
    func credentials(in setup: WorldSetup) -> [String]

    /// The contract protocol's environment variable that carries a step's credential.
    var credentialVariable: String { get }

    /// Whether the upstream documents holding a purchase until its order ends, besides polling
    /// (TG Market's `?wait=true`): contract scenarios may then declare the mechanism they test.
    var documentsWaiting: Bool { get }

    /// Whether this request asks to be held until its order ends.
    func asksToWait(_ request: DialectRequest) -> Bool

    /// Adds the dialect's part of the demo world `starmock serve` starts with.
    func addDemo(to setup: inout WorldSetup)

    /// What its OpenAPI document says beyond the endpoint table (`GET /__admin/openapi/<id>.json`);
    /// by default only the title, no credential and errors of any shape.
    var apiDescription: APIDescription { get }
}

extension Dialect {
    package func lookUp(_ credential: String, in world: WorldState) -> KeyLookup {
        world.lookUpKey(credential, dialect: id)
    }
    package func prepare(_ request: DialectRequest) -> Preparation { .ready(Prepared(request)) }
    package var controlEndpoints: [ControlEndpoint] { [] }
    package var dashboardPanels: [DashboardPanel] { [] }
    package var hostsBots: Bool { false }
    package var recording: RecordingTraits { RecordingTraits(credential: apiDescription.security) }
    package var scenarioSection: ScenarioSection? { nil }
    package var priceList: PriceListRule { .none(reason: "\(id) sells nothing at a price list") }
    package var keysSpendMoney: Bool { true }
    package func keyProblem(_ secret: String) -> String? { nil }
    package func credentials(in setup: WorldSetup) -> [String] { setup.keys.filter { $0.dialect == id }.map(\.key) }
    package var credentialVariable: String { "STARMOCK_API_KEY" }
    package var documentsWaiting: Bool { false }
    package func asksToWait(_ request: DialectRequest) -> Bool { false }
    package var apiDescription: APIDescription { APIDescription(title: id.name, security: .path, errorSchema: nil) }
}

/// What a request presents as its credential.
package enum Credential: Sendable, Equatable {
    /// Nothing (no header, or an empty one).
    case absent
    /// Something, but not in the dialect's scheme (`Authorization: Basic …` for a bearer API).
    case malformed
    /// A key or token.
    case presented(String)

    /// The key or token, if one was presented.
    package var secret: String? {
        if case .presented(let s) = self { s } else { nil }
    }
}

/// Why a request's credential was refused.
package enum AuthFailure: Sendable, Equatable {
    /// No credential.
    case missing
    /// A credential not in the dialect's scheme.
    case malformed(Credential)
    /// No such key.
    case unknown(String)
    /// The key exists but is disabled.
    case disabled(String)
}

/// A request as `prepare` left it, with what it read for the handler.
package struct Prepared: Sendable {
    /// The request (its path may be rewritten, as the Bot API reads `method` from the body).
    package var request: DialectRequest
    /// What the dialect read, handed to the endpoint as `DialectCall.context`.
    package var context: (any Sendable)?

    /// A prepared request.
    package init(_ request: DialectRequest, context: (any Sendable)? = nil) {
        self.request = request
        self.context = context
    }
}

/// What `Dialect.prepare` made of a request.
package enum Preparation: Sendable {
    /// Go on with this.
    case ready(Prepared)
    /// Answer this at once.
    case answered(DialectResponse)
}

/// Where a dialect's prices come from.
package enum PriceListRule: Sendable {
    /// This documented list, unless `world.prices` replaces parts of it.
    case documented(PriceList)
    /// None: `world.prices.<dialect>` is refused with this reason.
    case none(reason: String)
}

/// A dialect's part of a scenario's `world:` section (`world.<id>:`), read once the shared
/// keys and users are known.
package struct ScenarioSection: Sendable {
    /// Reads the section into the context's setup.
    package let read: @Sendable (Node, inout ScenarioContext) throws(ScenarioError) -> Void

    /// A section reader.
    package init(_ read: @escaping @Sendable (Node, inout ScenarioContext) throws(ScenarioError) -> Void) {
        self.read = read
    }
}

/// What a dialect's scenario section sees of the scenario being read.
package struct ScenarioContext {
    /// The largest order id or count a scenario may give, far below where counting on from it
    /// could overflow.
    package static let largestCount = 999_999_999_999

    /// Turns mistakes into `file:line:col` diagnostics.
    package let reader: NodeReader
    /// The world being built.
    package var setup: WorldSetup
    /// Declared keys by secret, with where they were declared (a dialect may declare more).
    package var keys: [String: (key: APIKey, node: Node)]
    /// What relative times (`+60s`) count from; nil when the clock is real and no start is set.
    package let timeBase: WorldTime?

    /// A context.
    package init(reader: NodeReader, setup: WorldSetup, keys: [String: (key: APIKey, node: Node)], timeBase: WorldTime?) {
        self.reader = reader
        self.setup = setup
        self.keys = keys
        self.timeBase = timeBase
    }

    /// An instant on the world's clock; `+N` counts from `start`.
    package func instant(_ node: Node, _ name: String) throws(ScenarioError) -> WorldTime {
        switch try reader.time(node, name) {
        case .absolute(let time): return time
        case .relative(let offset):
            guard let timeBase else {
                throw reader.error(
                    node,
                    "\"\(name)\": a relative time needs \"start\" when the clock is real (the world would start at the wall time, unknown now); set \"start\" or use an absolute time")
            }
            return timeBase.adding(offset)
        }
    }

    /// Relative times were resolved against the implicit start of a virtual or scaled clock:
    /// pin it, so `--clock real` given on the command line keeps the windows in place.
    package mutating func pinStartIfRelative(_ node: Node) {
        if setup.startTime == nil, case .relative = try? reader.time(node, "") { setup.startTime = timeBase }
    }
}
