import NIOCore
import NIOPosix
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

/// TG Market over a real socket: both dialects on one port, the documented bytes on the
/// wire, and held `?wait=true` requests that cost no thread: hundreds at once, all released
/// by one move of the virtual clock, by a scaled clock, or by shutdown.
@Suite("Live socket: TG Market", .timeLimit(.minutes(2)))
struct TGMarketServerTests {
    static let auth = [("Authorization", "Bearer sk-demo-tgmarket")]
    static let starsBody = #"{"username":"target","amount":100}"#

    /// The demo world on a virtual clock.
    static func virtualDemo(_ configure: (inout WorldSetup) -> Void = { _ in }) -> WorldSetup {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        configure(&setup)
        return setup
    }

    /// Polls the world (not the socket) until `condition` holds, for at most `seconds` of real time.
    static func eventually(
        _ server: Server, seconds: Int = 30, _ condition: @Sendable (WorldState) -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        while clock.now < deadline {
            if server.world.read(condition) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return server.world.read(condition)
    }

    @Test("both dialects are served on one port by default; their paths do not collide")
    func bothDialects() async throws {
        try await withServer(Self.virtualDemo()) { server in
            let tg = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v2/balance", headers: Self.auth)
            #expect(tg.status == 200)
            #expect(tg.bodyText == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
            let sh4de = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
            #expect(sh4de.status == 200)
            #expect(sh4de.bodyText.contains(#""balance_usd": 25.50"#))
            let health = try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/health")
            #expect(health.bodyText.contains(#""sh4de""#) && health.bodyText.contains(#""tgmarket""#))
        }
    }

    @Test("serving TG Market alone (starmock serve --dialect tgmarket): every path is TG Market's")
    func alone() async throws {
        try await withServer(Self.virtualDemo(), dialects: DialectSet([TGMarket()])) { server in
            let other = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
            #expect(other.status == 404)
            #expect(other.bodyText == #"{"ok":false,"error":"not_found"}"#)
            let tg = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v2/balance", headers: Self.auth)
            #expect(tg.status == 200)
        }
    }

    @Test("the documented purchase body arrives byte for byte, with its headers")
    func documentedBytes() async throws {
        try await withServer(Self.virtualDemo()) { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/api/v2/stars", headers: Self.auth, body: Self.starsBody)
            let body =
                #"{"ok":true,"order_id":42,"username":"target","amount":100,"price_usd":1.20,"status":"pending","message":"Order queued..."}"#
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Content-Length") == String(body.utf8.count))
            #expect(response.bodyText == body)
        }
    }

    @Test("500 concurrent ?wait=true requests are held, and one clock advance answers them all")
    func fiveHundredHeld() async throws {
        let setup = Self.virtualDemo {
            $0.accounts["demo-tgmarket"] = Account(available: Money(cents: 100_000))
            $0.rateLimits["tgmarket"] = .unlimited  // 500 requests in one virtual instant
        }
        let count = 500
        try await withServer(setup) { server in
            let port = server.port
            try await withThrowingTaskGroup(of: RawResponse.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        try await RawHTTP.send(
                            port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: Self.auth,
                            body: Self.starsBody)
                    }
                }
                #expect(try await Self.eventually(server) { $0.waitingCount == count })
                #expect(server.world.read { $0.orders.count } == count)

                let advance = try await RawHTTP.send(
                    port: port, method: "POST", path: "/__admin/clock/advance", body: #"{"seconds":65}"#)
                #expect(advance.status == 200)

                var ids: [Int] = []
                for try await response in group {
                    #expect(response.status == 200)
                    let body = try JSON.parse(response.bodyText)
                    #expect(body["status"] == .string("completed"))
                    #expect(body["error_message"] == .null)
                    #expect(body["provider_order_id"]?.stringValue?.count == 6)
                    #expect(body.objectPairs?.map(\.0) == ["ok", "order_id", "status", "provider_order_id", "error_message"])
                    if let id = body["order_id"]?.intValue { ids.append(id) }
                }
                #expect(ids.sorted() == Array(42..<(42 + count)))
            }
            #expect(server.world.read { $0.waitingCount } == 0)
            let account = try #require(server.world.read { $0.account("demo-tgmarket") })
            #expect(account.locked == .zero)
            #expect(account.available == Money(cents: 100_000 - 120 * Int64(count)))
        }
    }

    @Test("over the socket: 408 timeout when the control API moves the clock past 90 s")
    func timeoutByAdvance() async throws {
        let setup = Self.virtualDemo { $0.lifecycles[.stars] = Lifecycle(outcomes: [(.stuck, 1)]) }
        try await withServer(setup) { server in
            let port = server.port
            async let held = RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: Self.auth, body: Self.starsBody)
            #expect(try await Self.eventually(server) { $0.waitingCount == 1 })
            _ = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/clock/advance", body: #"{"seconds":89.999}"#)
            #expect(server.world.read { $0.waitingCount } == 1)
            _ = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/clock/advance", body: #"{"seconds":0.001}"#)
            let response = try await held
            #expect(response.status == 408)
            #expect(response.bodyText == #"{"ok":false,"error":"timeout","order_id":42}"#)
            let status = try await RawHTTP.send(port: port, method: "GET", path: "/api/v2/stars/42", headers: Self.auth)
            #expect(status.bodyText.contains(#""status":"pending""#))
        }
    }

    @Test("on a scaled clock held requests end by themselves: completed and 408 alike")
    func scaledClock() async throws {
        var setup = WorldSetup.demo
        setup.clock = .scaled(1000)  // 65 s of world time in 65 ms, 90 s in 90 ms
        setup.lifecycles[.premium] = Lifecycle(outcomes: [(.stuck, 1)])
        let started = ContinuousClock.now
        try await withServer(setup) { server in
            let port = server.port
            async let stars = RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: Self.auth, body: Self.starsBody)
            async let premium = RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/premium?wait=true", headers: Self.auth,
                body: #"{"username":"target","duration":3}"#)
            let (s, p) = try await (stars, premium)
            #expect(s.status == 200)
            #expect(s.bodyText.contains(#""status":"completed""#))
            #expect(p.status == 408)
            #expect(p.bodyText.hasPrefix(#"{"ok":false,"error":"timeout","order_id":"#))
        }
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("shutdown answers held requests at once with the pending short shape and returns promptly")
    func shutdownWithHeld() async throws {
        let server = try await Server.start(
            world: World(Self.virtualDemo()), configuration: .init(host: "127.0.0.1", port: 0))
        let port = server.port
        let count = 10
        try await withThrowingTaskGroup(of: RawResponse.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await RawHTTP.send(
                        port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: Self.auth, body: Self.starsBody)
                }
            }
            #expect(try await Self.eventually(server) { $0.waitingCount == count })
            let clock = ContinuousClock()
            let elapsed = try await clock.measure { try await server.shutdown() }
            #expect(elapsed < .seconds(5))
            var ids: [Int] = []
            for try await response in group {
                #expect(response.status == 200)
                let body = try JSON.parse(response.bodyText)
                #expect(body["status"] == .string("pending"))
                #expect(body["provider_order_id"] == .null)
                if let id = body["order_id"]?.intValue { ids.append(id) }
            }
            #expect(ids.sorted() == Array(42..<(42 + count)))
        }
        #expect(server.world.read { $0.waitingCount } == 0)
    }

    @Test("a client that goes away stops waiting; its order carries on")
    func clientGone() async throws {
        try await withServer(Self.virtualDemo()) { server in
            let request =
                "POST /api/v2/stars?wait=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-demo-tgmarket\r\n"
                + "Content-Length: \(Self.starsBody.utf8.count)\r\n\r\n" + Self.starsBody
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: request))
                #expect(try await Self.eventually(server) { $0.waitingCount == 1 })
            }
            #expect(try await Self.eventually(server) { $0.waitingCount == 0 })
            #expect(server.world.read { $0.order(OrderRef(dialect: "tgmarket", id: 42))?.state } == .pending)
        }
    }

    @Test(
        "reservation_failed and order_creation_failed reached through the control API (POST /__admin/faults)",
        arguments: [("reservation_failed", 400), ("order_creation_failed", 500)])
    func faultsThroughControlAPI(code: String, status: Int) async throws {
        try await withServer(Self.virtualDemo()) { server in
            let port = server.port
            let rule = try await RawHTTP.send(
                port: port, method: "POST", path: "/__admin/faults",
                body: #"{"dialect":"tgmarket","code":"\#(code)","method":"POST","path":"/api/v2/stars","times":1}"#)
            #expect(rule.status == 200)
            let refused = try await RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/stars", headers: Self.auth, body: Self.starsBody)
            #expect(refused.status == status)
            #expect(refused.bodyText == #"{"ok":false,"error":"\#(code)"}"#)
            let balance = try await RawHTTP.send(port: port, method: "GET", path: "/api/v2/balance", headers: Self.auth)
            #expect(balance.bodyText == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
            let next = try await RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/stars", headers: Self.auth, body: Self.starsBody)
            #expect(next.status == 200)
            let journal = try await RawHTTP.send(port: port, method: "GET", path: "/__admin/journal")
            #expect(journal.bodyText.contains(#""fault":"\#(code)""#))
        }
    }

    @Test("a body over the server's limit: 413 payload_too_large in TG Market's shape")
    func tooLarge() async throws {
        let server = try await Server.start(
            world: World(Self.virtualDemo()), configuration: .init(host: "127.0.0.1", port: 0, maxBodyBytes: 64))
        let response = try await RawHTTP.send(
            port: server.port, method: "POST", path: "/api/v2/stars", headers: Self.auth,
            body: #"{"username":"target","amount":100,"padding":"\#(String(repeating: "x", count: 100))"}"#)
        try await server.shutdown()
        #expect(response.status == 413)
        #expect(response.bodyText == #"{"ok":false,"error":"payload_too_large"}"#)
    }

    @Test("the 11th request in a second over the socket: 429 with Retry-After")
    func rateLimit() async throws {
        try await withServer(Self.virtualDemo()) { server in
            for _ in 0..<10 {
                let ok = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v2/balance", headers: Self.auth)
                #expect(ok.status == 200)
            }
            let limited = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v2/balance", headers: Self.auth)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "1")
            #expect(limited.bodyText == #"{"ok":false,"error":"rate_limit_exceeded"}"#)
        }
    }
}
