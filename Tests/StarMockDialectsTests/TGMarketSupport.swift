import Foundation
import StarMockCore
import StarMockDialects
import Synchronization
import Testing

/// A TG Market client with no socket: requests go through `DialectSet.respond` under the
/// world's lock, as the server sends them.
struct TGClient {
    let world: World
    var dialects = DialectSet([TGMarket()])
    var key: String? = TGWorld.key

    /// The demo key's header, as the documentation shows it.
    var authorization: [(String, String)] { key.map { [("Authorization", "Bearer \($0)")] } ?? [] }

    /// Sends a request and returns the dialect's reply (answered now or held).
    func reply(
        _ method: String, _ target: String, body: String? = nil, headers: [(String, String)]? = nil
    ) -> DialectReply {
        let request = DialectRequest(
            method: HTTPMethod(method), target: target, headers: headers ?? authorization, body: Array((body ?? "").utf8))
        return world.transact { dialects.respond(to: request, in: &$0).reply }
    }

    /// Sends a request that must be answered at once.
    func send(
        _ method: String, _ target: String, body: String? = nil, headers: [(String, String)]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> DialectResponse {
        switch reply(method, target, body: body, headers: headers) {
        case .now(let response): return response
        case .held(let order, _, _):
            Issue.record("expected an answer now, the request is held on \(order)", sourceLocation: sourceLocation)
            throw HeldUnexpectedly()
        case .waiting(let topic, _, _):
            Issue.record("expected an answer now, the request waits on \(topic)", sourceLocation: sourceLocation)
            throw HeldUnexpectedly()
        }
    }

    /// Sends a request that must be held, and registers it with the world as the server does.
    func hold(_ method: String, _ target: String, body: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> HeldRequest
    {
        switch reply(method, target, body: body) {
        case .now(let response):
            Issue.record("expected a held request, got \(response.status) \(response.bodyText)", sourceLocation: sourceLocation)
            throw HeldUnexpectedly()
        case .held(let order, let timeout, let render):
            let held = HeldRequest(order: order, timeout: timeout, render: render)
            held.waiter = world.transact { $0.waitForFinal(order, timeout: timeout, callback: held.deliver) }
            return held
        case .waiting(let topic, _, _):
            Issue.record("expected a request held on an order, it waits on \(topic)", sourceLocation: sourceLocation)
            throw HeldUnexpectedly()
        }
    }

    func balance() throws -> String { try send("GET", "/api/v2/balance").bodyText }

    struct HeldUnexpectedly: Error {}
}

/// A request held by `?wait=true`: its answer arrives when the world calls back.
final class HeldRequest: Sendable {
    let order: OrderRef
    let timeout: Duration
    let render: @Sendable (OrderWaitResult) -> DialectResponse
    private let answers = Mutex<[DialectResponse]>([])
    private let waiterID = Mutex<Int?>(nil)

    init(order: OrderRef, timeout: Duration, render: @escaping @Sendable (OrderWaitResult) -> DialectResponse) {
        self.order = order
        self.timeout = timeout
        self.render = render
    }

    var waiter: Int? {
        get { waiterID.withLock { $0 } }
        set { waiterID.withLock { $0 = newValue } }
    }

    var deliver: @Sendable (OrderWaitResult) -> Void { { result in self.answers.withLock { $0.append(self.render(result)) } } }

    /// Every answer delivered so far (a held request must get exactly one).
    var all: [DialectResponse] { answers.withLock { $0 } }

    /// The answer, if delivered.
    var answer: DialectResponse? { all.first }
}

/// Worlds for TG Market tests: the demo world on a virtual clock.
enum TGWorld {
    static let key = "sk-demo-tgmarket"
    static let owner = "demo-tgmarket"

    /// The demo world (key `sk-demo-tgmarket`, 25.50 available, first order 42, user
    /// `target`), on a virtual clock so waits end only when a test moves time.
    static func demo(lifecycles: [LifecycleKind: Lifecycle] = [:], configure: (inout WorldSetup) -> Void = { _ in }) -> World {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.lifecycles = lifecycles
        configure(&setup)
        return World(setup)
    }

    /// `{"username":"target","amount":100}`, the documented request.
    static let starsBody = #"{"username":"target","amount":100}"#

    static func account(_ world: World) -> Account? { world.read { $0.account(owner) } }
}

/// The fixtures under `fixtures/tgmarket/`, byte for byte.
enum TGFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/tgmarket")

    static func text(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: directory.appendingPathComponent(name)), as: UTF8.self)
    }
}
