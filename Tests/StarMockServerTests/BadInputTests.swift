import Foundation
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: bad input and concurrency", .timeLimit(.minutes(1)))
struct BadInputTests {
    static let key = [("X-API-Key", "sh4de_xxxx")]

    @Test("A body over the limit gets sh4de's 413 in its own shape, not a dropped connection")
    func bodyTooLarge() async throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        let server = try await Server.start(
            world: World(setup), configuration: .init(port: 0, maxBodyBytes: 1024))
        defer { Task { try await server.shutdown() } }
        let big = #"{"username":"some_user","quantity":100,"pad":""# + String(repeating: "x", count: 5000) + #""}"#
        let response = try await RawHTTP.send(
            port: server.port, method: "POST", path: "/api/v1/order/stars", headers: Self.key, body: big)
        #expect(response.status == 413)
        let body = try JSON.parse(response.body)
        #expect(body["status"] == .string("error"))
        #expect(body["code"] == .string("PAYLOAD_TOO_LARGE"))
        #expect(server.world.read { $0.orders.isEmpty })
    }

    @Test("Malformed HTTP gets 400, and the server keeps serving")
    func malformedHTTP() async throws {
        try await withServer { server in
            let bytes = try await RawHTTP.exchange(port: server.port, bytes: Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            #expect(RawResponse(bytes: bytes).status == 400)
            let next = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/prices", headers: Self.key)
            #expect(next.status == 200)
        }
    }

    @Test("A path no dialect serves gets a JSON 404")
    func noDialect() async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/nowhere")
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "application/json")
            _ = try JSON.parse(response.body)
        }
    }

    @Test("Malformed JSON, wrong types and missing fields get sh4de 400s", arguments: [
        ("{", "INVALID_JSON"), ("[1,2]", "INVALID_JSON"), (#"{"username":"some_user"}"#, "MISSING_FIELD"),
        (#"{"username":"some_user","quantity":"100"}"#, "INVALID_QUANTITY"),
        (#"{"username":42,"quantity":100}"#, "INVALID_FIELD"),
    ])
    func badBodies(_ body: String, _ code: String) async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/api/v1/order/stars", headers: Self.key, body: body)
            #expect(response.status == 400)
            #expect(try JSON.parse(response.body)["code"] == .string(code))
        }
    }

    @Test("Pipelined requests on one connection are answered in order")
    func pipelining() async throws {
        try await withServer { server in
            let one = "GET /api/v1/prices HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\n\r\n"
            let two = "GET /api/v1/balance HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n\r\n"
            let bytes = try await RawHTTP.exchange(port: server.port, bytes: Array((one + two).utf8))
            let text = String(decoding: bytes, as: UTF8.self)
            let prices = try #require(text.range(of: "\"currency\""))
            let balance = try #require(text.range(of: "\"balance_usd\""))
            #expect(prices.lowerBound < balance.lowerBound)
        }
    }

    @Test("HEAD answers headers only")
    func head() async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(port: server.port, method: "HEAD", path: "/api/v1/prices", headers: Self.key)
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
        }
    }

    @Test("100 concurrent orders on a balance that covers 19 of them: exactly 19 succeed, none overdraw")
    func concurrentOrders() async throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.rateLimits = Dictionary(uniqueKeysWithValues: DialectSet.allNames.map { (DialectID($0), .unlimited) })
        setup.accounts["demo-sh4de"] = Account(available: Money(cents: 2500))  // 19 × 1.30 = 24.70
        try await withServer(setup) { server in
            let statuses = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await RawHTTP.send(
                            port: server.port, method: "POST", path: "/api/v1/order/stars", headers: Self.key,
                            body: #"{"username":"some_user","quantity":100}"#
                        ).status
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(statuses.count(where: { $0 == 200 }) == 19)
            #expect(statuses.count(where: { $0 == 400 }) == 81)
            let (account, orders, consistent) = server.world.read {
                ($0.account("demo-sh4de")!, $0.orders.count, $0.isConsistent)
            }
            #expect(orders == 19)
            #expect(account.available == Money(cents: 30))
            #expect(account.spent == Money(cents: 2470))
            #expect(consistent)
        }
    }

    @Test("The control API: reset, state, journal, clock advance")
    func controlAPI() async throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        try await withServer(setup) { server in
            let port = server.port
            _ = try await RawHTTP.send(
                port: port, method: "POST", path: "/api/v1/order/stars", headers: Self.key,
                body: #"{"username":"some_user","quantity":100}"#)
            let advanced = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/clock/advance", body: #"{"seconds": 65}"#)
            #expect(try JSON.parse(advanced.body)["now"] == .string("2026-03-28T03:01:05Z"))
            let state = try JSON.parse(try await RawHTTP.send(port: port, method: "GET", path: "/__admin/state").body)
            #expect(state["orders"]?.arrayValue?.first?["state"] == .string("completed"))
            #expect(state["consistent"] == .bool(true))
            let journal = try JSON.parse(try await RawHTTP.send(port: port, method: "GET", path: "/__admin/journal").body)
            #expect(journal["entries"]?.arrayValue?.count == 1)
            #expect(journal["entries"]?.arrayValue?.first?["target"] == .string("/api/v1/order/stars"))
            let reset = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/reset")
            #expect(reset.status == 200)
            let after = try JSON.parse(try await RawHTTP.send(port: port, method: "GET", path: "/__admin/state").body)
            #expect(after["orders"]?.arrayValue?.isEmpty == true)
            let health = try await RawHTTP.send(port: port, method: "GET", path: "/__admin/health")
            #expect(try JSON.parse(health.body)["status"] == .string("ok"))
            let bad = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/clock/advance", body: #"{"seconds": "soon"}"#)
            #expect(bad.status == 400)
        }
    }
}

@Suite("Live socket: the control API refuses mistyped options", .timeLimit(.minutes(1)))
struct ControlAPIValidationTests {
    @Test("Mistyped fault options and journal limits are 400s, not silently ignored", arguments: [
        ("POST", "/__admin/faults", #"{"dialect":"sh4de","code":"CHARGING_ERROR","times":"1"}"#),
        ("POST", "/__admin/faults", #"{"dialect":"sh4de","code":"CHARGING_ERROR","nth":0}"#),
        ("POST", "/__admin/faults", #"{"dialect":"sh4de","code":"CHARGING_ERROR","path":7}"#),
        ("POST", "/__admin/faults", #"{"dialect":"sh4de","code":"NO_SUCH_CODE"}"#),
        ("POST", "/__admin/faults", #"{"dialect":"sh4de","code":"CHARGING_ERROR","when":"now"}"#),
        ("GET", "/__admin/journal?limit=ten", ""),
    ])
    func refused(_ method: String, _ path: String, _ body: String) async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(
                port: server.port, method: method, path: path, body: body.isEmpty ? nil : body)
            #expect(response.status == 400)
            #expect(server.world.read { $0.faults.isEmpty })
        }
    }
}
