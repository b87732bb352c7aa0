import Foundation
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: loading a scenario through the control API", .timeLimit(.minutes(1)))
struct AdminScenarioTests {
    static let scenario = """
        name: tiny shop
        dialects: [sh4de]
        world:
          accounts: {shop: {balance: "3.00"}}
          keys: [{key: sh4de_tiny, label: Tiny, owner: shop}]
        """

    @Test("a good scenario replaces the world: its key works, the demo key no longer does")
    func loads() async throws {
        try await withServer { server in
            let loaded = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/scenario", body: Self.scenario)
            #expect(loaded.status == 200)
            #expect(loaded.bodyText == #"{"loaded":"tiny shop"}"#)
            let balance = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_tiny")])
            #expect(balance.status == 200)
            #expect(balance.bodyText.contains(#""balance_usd": 3.00"#))
            let demo = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
            #expect(demo.status == 401)
        }
    }

    @Test("a bad scenario is refused with scenario:LINE:COL and the world is untouched")
    func refuses() async throws {
        try await withServer { server in
            let refused = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/scenario",
                body: Self.scenario.replacingOccurrences(of: "owner: shop}]", with: "owner: shp}]"))
            #expect(refused.status == 400)
            #expect(refused.bodyText == #"{"error":"scenario:5:48: owner \"shp\" has no account; did you mean \"shop\"? Accounts: shop"}"#)
            let demo = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
            #expect(demo.status == 200)
        }
    }

    @Test("a scenario naming a dialect this server does not serve is refused")
    func notServed() async throws {
        try await withServer(dialects: DialectSet([])) { server in
            let refused = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/scenario", body: Self.scenario)
            #expect(refused.status == 400)
            #expect(refused.bodyText == #"{"error":"scenario:2:12: dialect \"sh4de\" is not served here (serving: none)"}"#)
        }
    }
}
