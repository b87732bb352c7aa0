import Foundation
import NIOCore
import NIOPosix
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

// Issue 14: each numbered defect has its test here, written against the behaviour before the
// fix (where it failed) and kept for the one after.

/// A raw connection the test writes piece by piece and reads with a deadline.
final class Wire: @unchecked Sendable {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private(set) var received: [UInt8] = []
    private(set) var closed = false

    init(port: Int) async throws {
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        iterator = channel.inbound.makeAsyncIterator()
        outbound = channel.outbound
    }

    func write(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    func write(bytes: [UInt8]) async throws { try await outbound.write(ByteBuffer(bytes: bytes)) }

    /// Reads until `done` holds for what was received, the server closes, or `patience` passes.
    @discardableResult
    func read(patience: Duration = .seconds(5), until done: ([UInt8]) -> Bool = { _ in false }) async -> [UInt8] {
        let raw = channel.channel
        let timer = Task {
            try await Task.sleep(for: patience)
            raw.close(promise: nil)
        }
        defer { timer.cancel() }
        while !done(received) {
            do {
                guard let chunk = try await iterator.next() else {
                    closed = true
                    break
                }
                received += chunk.readableBytesView
            } catch {
                closed = true
                break
            }
        }
        return received
    }

    /// Whether the server closed the connection within `patience` (no answer needed).
    func closedByServer(within patience: Duration) async -> Bool {
        let started = ContinuousClock.now
        await read(patience: patience + .seconds(2))
        return closed && ContinuousClock.now - started < patience + .seconds(1)
    }

    /// Whether the connection is still open (false once the server closed it).
    var isOpen: Bool { channel.channel.isActive }

    func close() {
        outbound.finish()
        channel.channel.close(promise: nil)
    }

    deinit {
        outbound.finish()
        channel.channel.close(promise: nil)
    }
}

extension Array where Element == UInt8 {
    /// A whole response was read (head and a body of its Content-Length).
    var hasWholeResponse: Bool {
        let response = RawResponse(bytes: self)
        guard response.status != nil, let end = firstRange(of: Array("\r\n\r\n".utf8)) else { return false }
        if response.status == 100 { return false }
        let length = response.header("Content-Length").flatMap(Int.init) ?? 0
        return count - end.upperBound >= length
    }
}

func virtualDemo() -> WorldSetup {
    var setup = WorldSetup.demo
    setup.clock = .virtual
    return setup
}

@Suite("Issue 14 (1): the journal is bounded in bytes, its credentials redacted", .timeLimit(.minutes(2)))
struct JournalBoundTests {
    @Test("Twenty 1 MB unauthenticated POSTs: bodies cut at the cap with their size kept, the budget holds, dropped counts")
    func largeBodies() async throws {
        var setup = virtualDemo()
        setup.journalByteBudget = 64 * 1024
        let body = String(repeating: "a", count: 1_000_000)
        try await withServer(setup) { server in
            for _ in 0..<20 {
                let response = try await RawHTTP.send(
                    port: server.port, method: "POST", path: "/api/v1/order/stars",
                    headers: [("X-API-Key", "sh4de_wrong_key_123456")], body: body)
                #expect(response.status == 401)
            }
            let journal = server.world.read { $0.journal }
            #expect(journal.recorded == 20)
            #expect(journal.bytes <= 64 * 1024)
            #expect(journal.dropped == 20 - journal.count)
            #expect(journal.dropped > 0)
            for entry in journal.entries {
                #expect(entry.requestBodySize == 1_000_000)
                #expect(entry.requestBody.utf8.count <= WorldSetup().journalBodyCap)
            }
            let view = try JSON.parse(
                try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/journal").body)
            #expect(view["dropped"]?.intValue == journal.dropped)
            #expect(view["entries"]?.arrayValue?.first?["request_body_size"]?.intValue == 1_000_000)
        }
    }

    @Test("Keys and bot tokens, wrong ones included, are redacted in the control API's journal; in process they stay")
    func redacted() async throws {
        try await withServer(virtualDemo()) { server in
            _ = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_not_a_real_key_9876")])
            let token = "123456789:AAdemo_token_for_starmock_only_0000"
            _ = try await RawHTTP.send(port: server.port, method: "GET", path: "/bot\(token)/getMyStarBalance")
            let text = try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/journal").bodyText
            #expect(!text.contains("sh4de_not_a_real_key_9876"))
            #expect(!text.contains(token))
            let entries = try JSON.parse(Array(text.utf8))["entries"]?.arrayValue ?? []
            #expect(entries.map { $0["key"]?.stringValue } == ["[REDACTED]9876", "[REDACTED]0000"])
            #expect(entries.last?["target"]?.stringValue == "/bot[REDACTED]0000/getMyStarBalance")
            // In process (the contract suite's rules) the journal keeps what was presented.
            #expect(server.world.read { $0.journal.entries.map(\.key) } == ["sh4de_not_a_real_key_9876", token])
        }
    }
}

@Suite("Issue 14 (2): the control API refuses other sites, other hosts and missing tokens", .timeLimit(.minutes(1)))
struct AdminGuardTests {
    static let zero = #"{"owner":"demo-sh4de","available":"0.00"}"#

    func balance(_ server: Server) -> Money? { server.world.read { $0.account("demo-sh4de")?.available } }

    @Test("A page's text/plain POST with a foreign Origin is refused and changes nothing", arguments: [
        [("Origin", "http://evil.example")], [("Origin", "null")], [("Sec-Fetch-Site", "cross-site")],
        [("Host", "evil.example:8080")], [("Host", "rebound.example")],
    ])
    func crossSite(_ headers: [(String, String)]) async throws {
        try await withServer(virtualDemo()) { server in
            let before = balance(server)
            var text = "POST /__admin/balance HTTP/1.1\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            if !headers.contains(where: { $0.0 == "Host" }) { text += "Host: 127.0.0.1:\(server.port)\r\n" }
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(Self.zero.utf8.count)\r\n\r\n\(Self.zero)"
            let response = RawResponse(bytes: try await RawHTTP.exchange(port: server.port, bytes: Array(text.utf8)))
            #expect(response.status == 403)
            #expect(try JSON.parse(response.body)["error"] != nil)
            #expect(balance(server) == before)
        }
    }

    @Test("curl's own requests, and a same-origin page's, still work", arguments: [
        [(String, String)](), [("Origin", "http://127.0.0.1")], [("Origin", "http://localhost:3000")],
        [("Sec-Fetch-Site", "same-origin")], [("Host", "localhost")],
    ])
    func sameOrigin(_ headers: [(String, String)]) async throws {
        try await withServer(virtualDemo()) { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/balance", headers: headers, body: Self.zero)
            #expect(response.status == 200)
            #expect(balance(server) == Money("0.00"))
        }
    }

    @Test("With a token: /__admin needs Authorization: Bearer TOKEN; the dialects and Server.control do not")
    func token() async throws {
        let server = try await Server.start(
            world: World(virtualDemo()), configuration: .init(port: 0, adminToken: "s3cret-admin-token"))
        defer { Task { try await server.shutdown() } }
        let none = try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/state")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        let wrong = try await RawHTTP.send(
            port: server.port, method: "GET", path: "/__admin/state", headers: [("Authorization", "Bearer nope")])
        #expect(wrong.status == 401)
        let right = try await RawHTTP.send(
            port: server.port, method: "GET", path: "/__admin/state",
            headers: [("Authorization", "Bearer s3cret-admin-token")])
        #expect(right.status == 200)
        let dialect = try await RawHTTP.send(
            port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        #expect(dialect.status == 200)
        #expect(server.control(method: "GET", path: "/__admin/health").status == 200)
    }

    @Test("A non-loopback address without a token refuses to start, saying how to choose")
    func exposed() async throws {
        do {
            _ = try await Server.start(world: World(.demo), configuration: .init(host: "0.0.0.0", port: 0))
            Issue.record("started on 0.0.0.0 without a token")
        } catch let error as ServerError {
            let text = "\(error)"
            #expect(text.contains("--admin-token"))
            #expect(text.contains("--admin-open"))
            #expect(text.contains("STARMOCK_ADMIN_TOKEN"))
        }
    }
}

@Suite("Issue 14 (3): held and delayed answers are sent on reset, scenario load and shutdown", .timeLimit(.minutes(1)))
struct NoLostAnswerTests {
    static func delayedSetup() -> WorldSetup {
        var setup = virtualDemo()
        setup.faults = [FaultRule(dialect: "sh4de", action: .delay(.fixed(.seconds(600))), path: "/api/v1/balance")]
        return setup
    }

    static let scenario = """
        name: reloaded
        dialects: [sh4de, tgmarket]
        clock: virtual
        world:
          accounts: {shop: {balance: "5.00"}}
          keys: [{key: sh4de_test_key, dialect: sh4de, owner: shop}]
        """

    /// Starts a delayed and a held request, runs `event`, and checks both were answered.
    func bothAnswered(_ event: @escaping @Sendable (Server) async throws -> Void) async throws {
        let server = try await Server.start(world: World(Self.delayedSetup()), configuration: .init(port: 0))
        let port = server.port
        async let delayed = RawHTTP.send(
            port: port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        async let held = RawHTTP.send(
            port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: TGMarketServerTests.auth,
            body: TGMarketServerTests.starsBody)
        #expect(try await TGMarketServerTests.eventually(server) { $0.waitingCount == 1 && $0.hasTimers })
        // The delayed request is decided once it is in the world's timers: wait for its fault counter.
        #expect(try await TGMarketServerTests.eventually(server) { $0.faults.first?.fired == 1 })
        try await event(server)
        let (d, h) = try await (delayed, held)
        #expect(d.status == 200)
        #expect(d.bodyText.contains("balance_usd"))
        #expect(h.status == 200)
        try? await server.shutdown()
    }

    @Test("POST /__admin/reset answers them")
    func reset() async throws {
        try await bothAnswered { server in
            let response = try await RawHTTP.send(port: server.port, method: "POST", path: "/__admin/reset")
            #expect(response.status == 200)
        }
    }

    @Test("POST /__admin/scenario answers them")
    func scenario() async throws {
        try await bothAnswered { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/scenario", body: Self.scenario)
            #expect(response.status == 200, "\(response.bodyText)")
        }
    }

    @Test("Shutdown answers them")
    func shutdown() async throws {
        try await bothAnswered { server in try await server.shutdown() }
    }
}

@Suite("Issue 14 (4): slow clients are closed, everyone else is served", .timeLimit(.minutes(1)))
struct SlowClientTests {
    static func server(_ configure: (inout Server.Configuration) -> Void) async throws -> Server {
        var configuration = Server.Configuration(port: 0)
        configure(&configuration)
        return try await Server.start(world: World(virtualDemo()), configuration: configuration)
    }

    static let orderHead =
        "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"

    @Test("Complete headers and half a body: closed after the body deadline; another client is served meanwhile")
    func halfBody() async throws {
        let server = try await Self.server { $0.bodyTimeout = .milliseconds(500) }
        defer { Task { try await server.shutdown() } }
        let slow = try await Wire(port: server.port)
        try await slow.write(Self.orderHead + #"{"username":"#)
        let other = try await RawHTTP.send(
            port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        #expect(other.status == 200)
        #expect(await slow.closedByServer(within: .seconds(2)))
    }

    @Test("A body dribbled below the minimum rate is closed, though bytes keep coming")
    func dribbledBody() async throws {
        let server = try await Self.server {
            $0.bodyTimeout = .milliseconds(300)
            $0.minBodyRate = 100
        }
        defer { Task { try await server.shutdown() } }
        let slow = try await Wire(port: server.port)
        try await slow.write(Self.orderHead.replacingOccurrences(of: "Content-Length: 40", with: "Content-Length: 4000"))
        let started = ContinuousClock.now
        var closed = false
        while ContinuousClock.now - started < .seconds(5) {
            guard slow.isOpen, (try? await slow.write("x")) != nil else {
                closed = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(closed, "a 10 B/s body was still accepted after 5 s")
    }

    @Test("Slowloris: a head sent one byte at a time is closed after the header deadline")
    func slowHead() async throws {
        let server = try await Self.server { $0.headerTimeout = .milliseconds(500) }
        defer { Task { try await server.shutdown() } }
        let slow = try await Wire(port: server.port)
        let started = ContinuousClock.now
        var closed = false
        for byte in Array("GET /api/v1/balance HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "p", count: 200))".utf8) {
            guard slow.isOpen, (try? await slow.write(bytes: [byte])) != nil else {
                closed = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
            if ContinuousClock.now - started > .seconds(5) { break }
        }
        let closedLater = closed ? true : await slow.closedByServer(within: .seconds(1))
        #expect(closedLater)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("An idle keep-alive connection is closed after the idle timeout")
    func idle() async throws {
        // Long enough for a loaded machine to send the first request in time (3 s was not,
        // once, with the whole suite running beside two release builds).
        let server = try await Self.server { $0.idleTimeout = .seconds(5) }
        defer { Task { try await server.shutdown() } }
        let wire = try await Wire(port: server.port)
        // The server answers after this instant, so its idle timeout cannot end before it plus
        // 5 s. (Measured from when this task read the answer, a loaded suite once made the
        // close look early: the read was scheduled 1.2 s after the answer left.)
        let sent = ContinuousClock.now
        try await wire.write("GET /api/v1/prices HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\n\r\n")
        let first = await wire.read { $0.hasWholeResponse }
        #expect(RawResponse(bytes: first).status == 200)
        #expect(await wire.closedByServer(within: .seconds(8)))
        #expect(ContinuousClock.now - sent > .seconds(4.5), "closed before the idle timeout")
    }

    @Test("Over the connection cap, one more gets a bare 503; the open ones are still served")
    func cap() async throws {
        let server = try await Self.server { $0.maxConnections = 2 }
        defer { Task { try await server.shutdown() } }
        let a = try await Wire(port: server.port)
        let b = try await Wire(port: server.port)
        try await Task.sleep(for: .milliseconds(200))
        let c = try await Wire(port: server.port)
        let refused = RawResponse(bytes: await c.read { $0.hasWholeResponse })
        #expect(refused.status == 503)
        try await a.write("GET /api/v1/prices HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n\r\n")
        #expect(RawResponse(bytes: await a.read()).status == 200)
        b.close()
    }
}

@Suite("Issue 14 (5): graceful shutdown", .timeLimit(.minutes(1)))
struct GracefulShutdownTests {
    @Test("A request still uploading when the shutdown begins is answered; a connection opened meanwhile gets Connection: close")
    func uploading() async throws {
        let server = try await Server.start(world: World(virtualDemo()), configuration: .init(port: 0))
        let body = #"{"username":"some_user","quantity":100}"#
        let wire = try await Wire(port: server.port)
        try await wire.write(
            "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(10)))
        // The server must have accepted the connection before the shutdown begins: one still in
        // the kernel's backlog is not the server's yet (under a loaded suite, 500 ms was once
        // not enough, and the shutdown found no connection and stopped listening).
        let accepting = ContinuousClock.now
        while server.openConnections == 0 && ContinuousClock.now - accepting < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(server.openConnections == 1)
        try await Task.sleep(for: .milliseconds(500))
        let shutdown = Task { try await server.shutdown() }
        try await Task.sleep(for: .milliseconds(300))
        // Accepted during the shutdown: answered, and told the connection ends.
        let late = try await Wire(port: server.port)
        try await late.write("GET /api/v1/prices HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\n\r\n")
        let lateResponse = RawResponse(bytes: await late.read())
        #expect(lateResponse.status == 200)
        #expect(lateResponse.header("Connection")?.lowercased() == "close")
        try await wire.write(String(body.dropFirst(10)))
        let response = RawResponse(bytes: await wire.read())
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""order_id": 47"#))
        try await shutdown.value
    }

    @Test("A request that never finishes uploading is closed at the shutdown deadline, and the shutdown returns")
    func deadline() async throws {
        let server = try await Server.start(
            world: World(virtualDemo()),
            configuration: .init(port: 0, bodyTimeout: .seconds(60), shutdownTimeout: .milliseconds(500)))
        let wire = try await Wire(port: server.port)
        try await wire.write(SlowClientTests.orderHead + "{")
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        try await server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await wire.closedByServer(within: .seconds(1)))
    }
}

@Suite("Issue 14 (6): HTTP edges", .timeLimit(.minutes(1)))
struct HTTPEdgeTests {
    @Test("A 100 KB header value gets 431 in the dialect's shape", arguments: [
        ("/api/v1/balance", "REQUEST_HEADERS_TOO_LARGE"), ("/api/v2/balance", "request_headers_too_large"),
    ])
    func headersTooLarge(_ path: String, _ code: String) async throws {
        try await withServer(virtualDemo()) { server in
            let response = try await RawHTTP.send(
                port: server.port, method: "GET", path: path, headers: [("X-Big", String(repeating: "a", count: 100_000))])
            #expect(response.status == 431)
            let body = try JSON.parse(response.body)
            #expect(body["code"]?.stringValue == code || body["error"]?.stringValue == code)
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent")
    func continue100() async throws {
        try await withServer(virtualDemo()) { server in
            let body = #"{"username":"some_user","quantity":100}"#
            let wire = try await Wire(port: server.port)
            try await wire.write(
                "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            let interim = await wire.read(patience: .seconds(5)) { $0.firstRange(of: Array("\r\n\r\n".utf8)) != nil }
            #expect(String(decoding: interim, as: UTF8.self).hasPrefix("HTTP/1.1 100 Continue\r\n"))
            try await wire.write(body)
            let all = String(decoding: await wire.read(), as: UTF8.self)
            #expect(all.contains("HTTP/1.1 200 OK"))
        }
    }

    @Test("HTTP/1.1 without Host is 400 in the dialect's shape; HTTP/1.0 without it is served")
    func missingHost() async throws {
        try await withServer(virtualDemo()) { server in
            let bytes = try await RawHTTP.exchange(
                port: server.port, bytes: Array("GET /api/v1/prices HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
            let response = RawResponse(bytes: bytes)
            #expect(response.status == 400)
            #expect(try JSON.parse(response.body)["code"] == .string("BAD_REQUEST"))
            let old = RawResponse(
                bytes: try await RawHTTP.exchange(
                    port: server.port, bytes: Array("GET /api/v1/prices HTTP/1.0\r\nX-API-Key: sh4de_xxxx\r\n\r\n".utf8)))
            #expect(old.status == 200)
        }
    }

    @Test("Papaya's unrouted /api/invoices is its empty 404, all dialects served")
    func papayaUnrouted() async throws {
        try await withServer(virtualDemo()) { server in
            for path in ["/api/invoices", "/api/invoice/1/x"] {
                let response = try await RawHTTP.send(
                    port: server.port, method: "GET", path: path, headers: [("X-API-Key", "papaya-demo-key")])
                #expect(response.status == 404)
                #expect(response.body.isEmpty, "\(path): \(response.bodyText)")
            }
        }
    }
}

@Suite("Issue 14 (2, 7): serve options and OpenAPI documents", .timeLimit(.minutes(1)))
struct ServeHardeningTests {
    @Test("serve --host 0.0.0.0 without a token exits 1 before listening, saying how to choose")
    func exposedServe() throws {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "STARMOCK_ADMIN_TOKEN")
        let run = try ServeCommandTests.runToExit(["serve", "--host", "0.0.0.0", "--port", "0"], environment: environment)
        #expect(run.status == 1)
        #expect(run.err.contains("--admin-token"))
        #expect(run.err.contains("--admin-open"))
        #expect(run.out.isEmpty)
    }

    @Test("serve reads the admin token from STARMOCK_ADMIN_TOKEN")
    func tokenFromEnvironment() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["STARMOCK_ADMIN_TOKEN"] = "from-the-environment"
        let (process, out, _) = try ServeCommandTests.launch(
            ["serve", "--port", "0", "--clock", "virtual"], environment: environment, keepStderr: false)
        defer { if process.isRunning { process.terminate() } }
        let match = try #require(ServeCommandTests.firstLine(out).wholeMatch(of: /starmock listening on http:\/\/127\.0\.0\.1:(\d+)\n/))
        let port = try #require(Int(match.1))
        #expect(try await RawHTTP.send(port: port, method: "GET", path: "/__admin/health").status == 401)
        let authorized = try await RawHTTP.send(
            port: port, method: "GET", path: "/__admin/health", headers: [("Authorization", "Bearer from-the-environment")])
        #expect(authorized.status == 200)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("GET /__admin/openapi/{dialect}.json: OpenAPI 3.1 with every endpoint of the table and its path parameters", arguments: DialectSet.allNames)
    func openAPI(_ name: String) async throws {
        try await withServer(virtualDemo()) { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/openapi/\(name).json")
            #expect(response.status == 200)
            let document = try JSON.parse(response.body)
            #expect(document["openapi"] == .string("3.1.0"))
            let paths = document["paths"]?.objectPairs?.map(\.0) ?? []
            #expect(!paths.isEmpty)
            for path in paths where path.contains("{") {
                let operations = document["paths"]?[path]?.objectPairs ?? []
                for (_, operation) in operations {
                    let parameters = operation["parameters"]?.arrayValue ?? []
                    #expect(parameters.contains { $0["in"] == .string("path") }, "\(path) declares no path parameter")
                }
            }
            #expect(
                try await RawHTTP.send(port: server.port, method: "GET", path: "/__admin/openapi/nowhere.json").status == 404)
        }
    }
}
