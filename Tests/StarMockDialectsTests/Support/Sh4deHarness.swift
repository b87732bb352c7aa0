import Foundation
import StarMockCore
import StarMockDialects
import Testing

/// Drives the sh4de dialect the way the server does, without a socket: one request is one
/// `world.transact` through `DialectSet.respond`, scripted faults included.
struct Sh4deHarness: Sendable {
    /// The key the seed's request examples show: `X-API-Key: sh4de_xxxx` ("My Stars Bot").
    static let docsKey = "sh4de_xxxx"
    /// The key of the seed's Python, Node and PHP examples; same owner as `docsKey`.
    static let codeExamplesKey = "sh4de_" + String(repeating: "x", count: 28)
    /// The demo world's sh4de account.
    static let owner = "demo-sh4de"

    let world: World
    let dialects = DialectSet([Sh4de()])

    /// A world from `setup` (the demo world by default) on the virtual clock, so it starts at
    /// the documented 2026-03-28 03:00:00 and moves only when a test says so.
    init(_ setup: WorldSetup = .demo) {
        var setup = setup
        setup.clock = .virtual
        world = World(setup)
    }

    /// A demo world changed by `change` first.
    init(changing change: (inout WorldSetup) -> Void) {
        var setup = WorldSetup.demo
        change(&setup)
        self.init(setup)
    }

    /// Sends one request and returns the reply, which sh4de always gives at once.
    @discardableResult
    func send(
        _ method: String, _ target: String, key: String? = Sh4deHarness.docsKey, body: String? = nil,
        headers: [(String, String)] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) -> DialectResponse {
        var fields = headers
        if let key { fields.append(("X-API-Key", key)) }
        if body != nil { fields.append(("Content-Type", "application/json")) }
        let request = DialectRequest(method: HTTPMethod(method), target: target, headers: fields, body: Array((body ?? "").utf8))
        let routed = world.transact { dialects.respond(to: request, in: &$0) }
        guard case .now(let response) = routed.reply else {
            Issue.record("sh4de held \(method) \(target); it must always answer at once", sourceLocation: sourceLocation)
            return DialectResponse(status: 0, body: [])
        }
        return response
    }

    /// `POST /api/v1/order/stars` with the seed's field names.
    @discardableResult
    func orderStars(_ username: String = "some_user", quantity: Int = 100, key: String = Sh4deHarness.docsKey)
        -> DialectResponse
    {
        send("POST", "/api/v1/order/stars", key: key, body: #"{"username":"\#(username)","quantity":\#(quantity)}"#)
    }

    /// `POST /api/v1/order/premium` with the seed's field names.
    @discardableResult
    func orderPremium(_ username: String = "some_user", months: Int = 3, key: String = Sh4deHarness.docsKey)
        -> DialectResponse
    {
        send("POST", "/api/v1/order/premium", key: key, body: #"{"username":"\#(username)","months":\#(months)}"#)
    }

    /// Moves the virtual clock.
    func advance(seconds: Int64) { world.advance(by: .seconds(seconds)) }

    /// The owner's account.
    var account: Account? { world.read { $0.account(Sh4deHarness.owner) } }

    /// The owner's available funds as sh4de prints them.
    var balance: String? { account?.available.twoDecimals }

    /// Whether the ledger invariants hold and every order's money is where it should be.
    var isConsistent: Bool { world.read(\.isConsistent) }

    /// Sets the owner's available funds.
    func setBalance(_ text: String) throws {
        let amount = try #require(Money(text))
        try world.transact { try $0.setBalance(amount, owner: Sh4deHarness.owner) }
    }

    /// The order sh4de numbered `id`.
    func order(_ id: Int) -> Order? { world.read { $0.order(OrderRef(dialect: "sh4de", id: id)) } }

    /// Scripts a fault.
    func addFault(_ rule: FaultRule) { world.transact { $0.addFault(rule) } }
}

/// The bytes of an sh4de error body, written out by hand in the documented layout (two-space
/// indentation, `"key": value`, no trailing newline) so the dialect's writer is checked, not
/// reused.
func sh4deErrorBody(_ code: String, _ message: String) -> String {
    "{\n  \"status\": \"error\",\n  \"code\": \"\(code)\",\n  \"message\": \"\(message)\"\n}"
}

extension DialectResponse {
    /// The first header with this name (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body parsed with our ordered JSON reader.
    var json: JSON? { try? JSON.parse(body) }

    /// `code` of an error body.
    var code: String? { json?["code"]?.stringValue }
}

/// The documented example bodies under `fixtures/sh4de/`, read from the repository.
enum Sh4deFixture {
    /// The repository root: this file is `Tests/StarMockDialectsTests/Support/Sh4deHarness.swift`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // StarMockDialectsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The exact bytes of `fixtures/sh4de/<name>`.
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = repositoryRoot.appendingPathComponent("fixtures/sh4de/\(name)")
        return Array(try Data(contentsOf: url))
    }

    /// The fixture as text.
    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }
}
