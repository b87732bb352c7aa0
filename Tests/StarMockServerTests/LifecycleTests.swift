import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StarMockCore
import StarMockDialects
import StarMockScenario
@testable import StarMockServer
import Synchronization
import Testing

/// The address the servers of these tests bind: on Linux, where all of 127/8 is local, one that
/// no other test binds, so a server another test starts on 127.0.0.1 port 0 (possibly the very
/// port one of these servers just released) can never be the one answering; elsewhere 127.0.0.1.
let closedPortHost: String = {
    #if os(Linux)
        "127.0.0.2"
    #else
        "127.0.0.1"
    #endif
}()

/// Whether something answers HTTP on `closedPortHost`:`port`: connects, asks
/// `GET /__admin/health`, and waits up to `patience` for a first byte. A refused connection, a
/// reset or silence is "no" (so ask with patience when expecting "yes": a loaded machine is slow).
///
/// Silence, not just refusal, because a closed server's listening socket can outlive it: NIO
/// does not open sockets close-on-exec, so a process spawned meanwhile (the contract tests
/// spawn clients while these run) inherits the socket, and the kernel keeps accepting
/// connections on it that nobody ever serves.
func servesHTTP(port: Int, patience: Duration = .seconds(1)) async -> Bool {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    do {
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: closedPortHost, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    } catch {
        return false
    }
    let raw = channel.channel
    let answered = try? await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(
                    ByteBuffer(string: "GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                for try await chunk in inbound where chunk.readableBytes > 0 { return true }
                return false
            }
        }
        group.addTask {
            try await Task.sleep(for: patience)
            raw.close(promise: nil)
            return false
        }
        let first = try await group.next() ?? false
        group.cancelAll()
        raw.close(promise: nil)
        return first
    }
    return answered == true
}

/// A client connection whose bytes the test writes piece by piece, reading the answer at the end.
struct SlowClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int) async throws -> SlowClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: closedPortHost, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return SlowClient(channel: channel)
    }

    /// Writes `first`, waits for `proceed`, writes `rest`, and returns everything read until the
    /// server closes.
    func send(_ first: String, then rest: String, after proceed: @Sendable () async throws -> Void) async throws
        -> RawResponse
    {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: first))
            try await proceed()
            try await outbound.write(ByteBuffer(string: rest))
            var received: [UInt8] = []
            for try await chunk in inbound { received += chunk.readableBytesView }
            return RawResponse(bytes: received)
        }
    }
}

@Suite("Embedding: Server as a swift-service-lifecycle Service", .timeLimit(.minutes(1)))
struct ServiceLifecycleTests {
    @Test("In a ServiceGroup, graceful shutdown answers the held request, closes the port, and run() returns")
    func gracefulShutdownInServiceGroup() async throws {
        let server = try await Server.start(
            world: World(TGMarketServerTests.virtualDemo()), configuration: .init(host: closedPortHost, port: 0))
        let port = server.port
        let group = ServiceGroup(
            services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            async let held = RawHTTP.send(
                host: closedPortHost, port: port, method: "POST", path: "/api/v2/stars?wait=true",
                headers: TGMarketServerTests.auth, body: TGMarketServerTests.starsBody)
            #expect(try await TGMarketServerTests.eventually(server) { $0.waitingCount == 1 })
            #expect(await servesHTTP(port: port, patience: .seconds(20)), "serves while the group runs")

            await group.triggerGracefulShutdown()
            try await tasks.next()  // group.run() returned: the server's run() returned

            let response = try await held
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#""status":"pending""#))
            #expect(!server.isListening)
            #expect(await !servesHTTP(port: port))
            #expect(server.world.read { $0.waitingCount } == 0)
            #expect(server.world.read { $0.journal.entries.map(\.status) } == [200])
        }
    }

    @Test("Cancelling the task running run() shuts the server down too")
    func cancellation() async throws {
        let server = try await Server.start(
            world: World(TGMarketServerTests.virtualDemo()), configuration: .init(host: closedPortHost, port: 0))
        let running = Task { try await server.run() }
        let balance = try await RawHTTP.send(
            host: closedPortHost, port: server.port, method: "GET", path: "/api/v2/balance",
            headers: TGMarketServerTests.auth)
        #expect(balance.status == 200)
        running.cancel()
        try await running.value
        #expect(!server.isListening)
        #expect(await !servesHTTP(port: server.port))
    }

    @Test("run() returns when the server is shut down some other way")
    func runEndsOnShutdown() async throws {
        let server = try await Server.start(world: World(.demo), configuration: .init(host: closedPortHost, port: 0))
        let running = Task { try await server.run() }
        try await server.shutdown()
        try await running.value
        #expect(!server.isListening)
        #expect(await !servesHTTP(port: server.port))
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

final class TaskList: Sendable {
    private let list = Mutex<[Task<Void, any Error>]>([])
    var tasks: [Task<Void, any Error>] { list.withLock { $0 } }
    func append(_ task: Task<Void, any Error>) { list.withLock { $0.append(task) } }
}

@Suite("Embedding: shutdown", .timeLimit(.minutes(1)))
struct ConcurrentShutdownTests {
    /// What one attempt saw.
    struct Attempt {
        /// The in-flight request's answer (nil: the server closed the connection unanswered).
        var response: RawResponse?
        /// Shutdowns that had returned while the request was still incomplete.
        var returnedWhileInFlight: Int
        /// Whether a new connection went unserved while shutting down.
        var refusedWhileShuttingDown: Bool
        var server: Server
    }

    /// Sends the head and half the body of an order, calls `shutdown()` twice concurrently,
    /// waits, then sends the rest of the body.
    func attempt() async throws -> Attempt {
        let server = try await Server.start(world: World(.demo), configuration: .init(host: closedPortHost, port: 0))
        let port = server.port
        let client = try await SlowClient.connect(port: port)
        let returned = Counter()
        let whileInFlight = Counter()
        let refused = Counter()
        let body = #"{"username":"some_user","quantity":100}"#
        let head =
            "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let half = body.utf8.count / 2
        let first = head + String(body.utf8.prefix(half))!
        let rest = String(body.utf8.dropFirst(half))!

        let shutdowns = TaskList()
        let response = try? await client.send(first, then: rest) {
            try await Task.sleep(for: .milliseconds(300))  // time for the server to read the head
            for _ in 0..<2 {
                let task = Task {
                    try await server.shutdown()
                    #expect(!server.isListening, "returned before the server's channel was closed")
                    returned.increment()
                }
                shutdowns.append(task)
            }
            try await Task.sleep(for: .milliseconds(500))
            for _ in 0..<returned.value { whileInFlight.increment() }
            if await !servesHTTP(port: port) { refused.increment() }
        }
        for task in shutdowns.tasks { try await task.value }
        #expect(returned.value == 2)
        return Attempt(
            response: response?.status == nil ? nil : response, returnedWhileInFlight: whileInFlight.value,
            refusedWhileShuttingDown: refused.value == 1, server: server)
    }

    @Test("Two concurrent shutdowns both wait for the in-flight request, and return once the server is closed")
    func twoShutdowns() async throws {
        // The premise, a request in flight when the shutdown begins, holds only if the server
        // read the head in time; on a loaded machine it may not have, then the connection is
        // closed unanswered as idle and the attempt proves nothing: try again.
        for _ in 0..<5 {
            let seen = try await attempt()
            guard let response = seen.response else { continue }
            // The request was in flight: neither shutdown returned before it was answered.
            #expect(seen.returnedWhileInFlight == 0, "a shutdown returned while a request was still in flight")
            // A connection opened during the shutdown is answered with Connection: close
            // (GracefulShutdownTests), or refused once the port is closed: never reset.
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#""order_id": 47"#))
            #expect(!seen.server.isListening)
            try await seen.server.waitUntilClosed()
            // A later call returns at once.
            try await seen.server.shutdown()
            return
        }
        Issue.record("in 5 attempts the server never read the request's head within 300 ms")
    }
}

@Suite("Embedding: withStarMock", .timeLimit(.minutes(1)))
struct WithStarMockTests {
    struct Boom: Error, Equatable {}

    static let yaml = """
        name: with-starmock
        dialects: [sh4de]
        world:
          accounts: {shop: {balance: "25.50"}}
          keys: [{key: sh4de_test_key, owner: shop}]
        """

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("Returns the closure's value and stops the server afterwards")
    func normalReturn() async throws {
        let (mock, statuses) = try await withStarMock(yaml: Self.yaml, clock: .virtual, host: closedPortHost) { mock in
            let balance = try await RawHTTP.send(
                host: closedPortHost, port: mock.port, method: "GET", path: "/api/v1/balance",
                headers: [("X-API-Key", "sh4de_test_key")])
            #expect(balance.bodyText.contains("25.50"))
            #expect(mock.server.isListening)
            return (mock, mock.journal.map(\.status))
        }
        #expect(statuses == [200])
        #expect(!mock.server.isListening)
        #expect(await !servesHTTP(port: mock.port))
    }

    @Test("Rethrows the closure's error and stops the server anyway")
    func thrownError() async throws {
        let served = Mutex<StarMock?>(nil)
        await #expect(throws: Boom.self) {
            let path = Self.repositoryRoot.appendingPathComponent("scenarios/sh4de/charging-error.yaml").path
            try await withStarMock(scenario: path, host: closedPortHost) { mock in
                served.withLock { $0 = mock }
                #expect(await servesHTTP(port: mock.port, patience: .seconds(20)))
                throw Boom()
            }
        }
        let mock = try #require(served.withLock { $0 })
        #expect(!mock.server.isListening)
        #expect(await !servesHTTP(port: mock.port))
    }

    @Test("The setup: variant serves the given world and dialects")
    func setupVariant() async throws {
        let status = try await withStarMock(setup: .demo, dialects: ["tgmarket"]) { mock in
            try await RawHTTP.send(
                port: mock.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")]
            ).status
        }
        #expect(status == 404)
        await #expect(throws: UnknownDialect.self) {
            try await withStarMock(setup: .demo, dialects: ["nosuch"]) { _ in }
        }
    }

    @Test("The Scenario variant honours the clock override")
    func scenarioVariant() async throws {
        let scenario = try Scenario.parse(yaml: Self.yaml)
        let clock = try await withStarMock(scenario, clock: .virtual) { mock in mock.world.read { $0.clockMode } }
        #expect(clock == .virtual)
    }
}

@Suite("Embedding: logging", .timeLimit(.minutes(1)))
struct LoggingTests {
    @Test("The exchange line: dialect, method, target, status, latency, fault; '-' and 'none' for what is missing")
    func line() {
        #expect(
            ExchangeLog.line(
                dialect: "sh4de", method: "GET", target: "/api/v1/balance", status: 200, fault: "latency 200ms",
                latency: .milliseconds(200))
                == #"sh4de GET /api/v1/balance → 200 latency=200ms fault="latency 200ms""#)
        #expect(
            ExchangeLog.line(dialect: nil, method: "GET", target: "/nowhere?a=1", status: 404, fault: nil, latency: nil)
                == "- GET /nowhere?a=1 → 404 latency=none fault=none")
        #expect(
            ExchangeLog.line(
                dialect: "sh4de", method: "POST", target: "/api/v1/order/stars", status: nil,
                fault: #"reset after commit; say "hi""#, latency: .zero)
                == #"sh4de POST /api/v1/order/stars → - latency=none fault="reset after commit; say \"hi\"""#)
    }

    @Test("At info, one line per exchange as its answer leaves, lost answers included; control API calls are not exchanges")
    func exchangesLogged() async throws {
        let capture = LogCapture()
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.faults = [
            FaultRule(dialect: "sh4de", action: .transport(.reset), path: "/api/v1/order/stars", times: 1, phase: .after)
        ]
        let server = try await Server.start(
            world: World(setup), configuration: .init(host: "127.0.0.1", port: 0, logger: capture.logger(level: .info)))
        let port = server.port
        _ = try await RawHTTP.send(port: port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        _ = try? await RawHTTP.send(
            port: port, method: "POST", path: "/api/v1/order/stars", headers: [("X-API-Key", "sh4de_xxxx")],
            body: #"{"username":"some_user","quantity":100}"#)
        _ = try await RawHTTP.send(port: port, method: "GET", path: "/nowhere?x=1")
        _ = try await RawHTTP.send(port: port, method: "GET", path: "/__admin/health")
        try await server.shutdown()
        #expect(
            capture.all.filter { $0.level == .info }.map(\.message) == [
                "sh4de GET /api/v1/balance → 200 latency=none fault=none",
                #"sh4de POST /api/v1/order/stars → - latency=none fault="reset after commit""#,
                "- GET /nowhere?x=1 → 404 latency=none fault=none",
            ])
    }

    @Test("Above info nothing is logged for an exchange")
    func quietByLevel() async throws {
        let capture = LogCapture()
        try await withServerLogging(capture.logger(level: .notice)) { server in
            _ = try await RawHTTP.send(
                port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        }
        #expect(capture.all.isEmpty)
    }

    @Test("Bad HTTP: the connection's error is logged at debug, with its addresses, before it closes")
    func connectionErrorLogged() async throws {
        let capture = LogCapture()
        try await withServerLogging(capture.logger(level: .debug)) { server in
            let bytes = try await RawHTTP.exchange(port: server.port, bytes: Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            #expect(RawResponse(bytes: bytes).status == 400)
        }
        let record = try #require(capture.all.first { $0.message.hasPrefix("closing connection after error") })
        #expect(record.level == .debug)
        #expect(record.metadata["remote"]?.description.contains("127.0.0.1") == true)
        #expect(record.metadata["local"]?.description.contains("127.0.0.1") == true)
    }

    @Test("By default the configuration's logger is silent")
    func silentByDefault() {
        let configuration = Server.Configuration()
        #expect(configuration.logger.handler is SwiftLogNoOpLogHandler)
    }

    func withServerLogging(_ logger: Logger, _ body: (Server) async throws -> Void) async throws {
        let server = try await Server.start(
            world: World(.demo), configuration: .init(host: "127.0.0.1", port: 0, logger: logger))
        do {
            try await body(server)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }
}
