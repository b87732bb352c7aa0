import StarMockCore
import StarMockDialects
import StarMockScenario
import StarMockServer
import Testing

/// Same scenario + same seed ⇒ identical journal: what makes a reproduced incident reproducible.
@Suite("Live socket: a seeded scenario replays identically", .timeLimit(.minutes(1)))
struct DeterminismTests {
    static func yaml(seed: Int) -> String {
        """
        name: dice everywhere
        seed: \(seed)
        clock: virtual
        dialects: [sh4de, tgmarket]
        world:
          accounts:
            shop: {balance: "500.00"}
            market: {balance: "500.00"}
          keys:
            - {key: sh4de_k, dialect: sh4de, owner: shop}
            - {key: sk-k, dialect: tgmarket, owner: market}
          users:
            - {username: some_user, id: 1}
        lifecycles:
          stars: {pending: {uniform: {min: 1s, max: 30s}}, outcome: {weights: {completed: 1, failed: 1}}}
        faults:
          - {dialect: sh4de, respond: CHARGING_ERROR, method: POST, path: /api/v1/order/stars, probability: 0.3}
          - {dialect: tgmarket, respond: order_creation_failed, method: POST, path: /api/v2/stars, probability: 0.3}
        rate_limits:
          sh4de: none
          tgmarket: none
        """
    }

    /// Places 12 orders on each dialect, lets the clock run, reads every order, returns the journal.
    func run(seed: Int) async throws -> [JournalEntry] {
        let scenario = try Scenario.parse(yaml: Self.yaml(seed: seed), file: "dice.yaml")
        return try await withServer(scenario.setup) { server in
            let sh4de = [("X-API-Key", "sh4de_k")]
            let tg = [("Authorization", "Bearer sk-k")]
            for _ in 0..<12 {
                _ = try await RawHTTP.send(
                    port: server.port, method: "POST", path: "/api/v1/order/stars", headers: sh4de,
                    body: #"{"username":"some_user","quantity":100}"#)
                _ = try await RawHTTP.send(
                    port: server.port, method: "POST", path: "/api/v2/stars", headers: tg,
                    body: #"{"username":"some_user","amount":100}"#)
            }
            server.world.advance(by: .seconds(60))
            let ids = server.world.read { $0.orders.keys.sorted { ($0.dialect, $0.id) < ($1.dialect, $1.id) } }
            for ref in ids {
                let (path, headers) =
                    ref.dialect == "sh4de" ? ("/api/v1/order/\(ref.id)", sh4de) : ("/api/v2/stars/\(ref.id)", tg)
                _ = try await RawHTTP.send(port: server.port, method: "GET", path: path, headers: headers)
            }
            return server.world.read { $0.journal.entries }
        }
    }

    @Test("Two runs with seed 7 give byte-identical journals; seed 8 gives another")
    func replay() async throws {
        let first = try await run(seed: 7)
        let second = try await run(seed: 7)
        let other = try await run(seed: 8)
        #expect(first.count > 24)
        #expect(first == second)
        #expect(first != other)
        // The dice did roll both ways, so the equality above means something.
        let faults = first.compactMap(\.fault)
        #expect(!faults.isEmpty && faults.count < 24)
        let bodies = first.map(\.responseBody).joined()
        #expect(bodies.contains("\"completed\"") && bodies.contains("\"failed\""))
    }
}
