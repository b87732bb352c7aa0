import Foundation
import StarMockCore
import StarMockDialects
@testable import StarMockServer
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
            #expect(refused.bodyText == #"{"error":"scenario:2:12: dialect \"sh4de\" is not served here (serving: none)\nscenario: 1 more section was not checked, as they depend on what is wrong above: world"}"#)
        }
    }
}

@Suite("The dashboard page and the incremental journal")
struct DashboardTests {
    @Test("GET /__admin/ is the self-contained page: HTML, script inline, nothing fetched from elsewhere")
    func page() {
        let server = World(.demo)
        let admin = AdminAPI(world: server, dialects: .everything)
        for path in ["/__admin", "/__admin/", "/__admin/dashboard"] {
            let page = admin.handle(DialectRequest(method: "GET", target: path))
            #expect(page.status == 200)
            #expect(page.headers.contains { $0.0 == "Content-Type" && $0.1.hasPrefix("text/html") })
            let html = page.bodyText
            #expect(html.contains("<script>") && html.contains("/__admin/journal?after="))
            // No CDN: nothing loaded from elsewhere, and the script only calls the control API.
            #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("@import"))
            #expect(!html.contains("fetch(\"http") && html.contains("fetch(path"))
        }
        #expect(admin.handle(DialectRequest(method: "POST", target: "/__admin/")).status == 405)
    }

    @Test("?after=SEQ returns only the newer entries, with latency and Retry-After")
    func after() throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        let world = World(setup)
        let admin = AdminAPI(world: world, dialects: .everything)
        for _ in 0..<3 {
            _ = world.transact {
                DialectSet.everything.respond(
                    to: DialectRequest(method: "GET", target: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")]), in: &$0)
            }
        }
        let body = try JSON.parse(admin.handle(DialectRequest(method: "GET", target: "/__admin/journal?after=1")).body)
        let entries = try #require(body["entries"]?.arrayValue)
        #expect(entries.compactMap { $0["sequence"]?.intValue } == [2, 3])
        #expect(entries.allSatisfy { $0["latency_ms"]?.intValue == 0 })
        #expect(admin.handle(DialectRequest(method: "GET", target: "/__admin/journal?after=-1")).status == 400)
    }
}
