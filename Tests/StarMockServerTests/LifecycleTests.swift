import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StarMockCore
import StarMockScenario
@testable import StarMockServer
import Synchronization
import Testing

/// True when nothing accepts TCP connections on 127.0.0.1:`port` any more.
func refusesConnections(port: Int) async -> Bool {
    do {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        try? await channel.close()
        return false
    } catch {
        return true
    }
}

/// A client connection whose bytes the test writes piece by piece, reading the answer at the end.
struct SlowClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int) async throws -> SlowClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
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
            world: World(TGMarketServerTests.virtualDemo()), configuration: .init(host: "127.0.0.1", port: 0))
        let port = server.port
        let group = ServiceGroup(
            services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            async let held = RawHTTP.send(
                port: port, method: "POST", path: "/api/v2/stars?wait=true", headers: TGMarketServerTests.auth,
                body: TGMarketServerTests.starsBody)
            #expect(try await TGMarketServerTests.eventually(server) { $0.waitingCount == 1 })
            #expect(await !refusesConnections(port: port), "serves while the group runs")

            await group.triggerGracefulShutdown()
            try await tasks.next()  // group.run() returned: the server's run() returned

            let response = try await held
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#""status":"pending""#))
            #expect(await refusesConnections(port: port))
            #expect(server.world.read { $0.waitingCount } == 0)
            #expect(server.world.read { $0.journal.entries.map(\.status) } == [200])
        }
    }

    @Test("Cancelling the task running run() shuts the server down too")
    func cancellation() async throws {
        let server = try await Server.start(
            world: World(TGMarketServerTests.virtualDemo()), configuration: .init(host: "127.0.0.1", port: 0))
        let running = Task { try await server.run() }
        let balance = try await RawHTTP.send(
            port: server.port, method: "GET", path: "/api/v2/balance", headers: TGMarketServerTests.auth)
        #expect(balance.status == 200)
        running.cancel()
        try await running.value
        #expect(await refusesConnections(port: server.port))
    }

    @Test("run() returns when the server is shut down some other way")
    func runEndsOnShutdown() async throws {
        let server = try await Server.start(world: World(.demo), configuration: .init(host: "127.0.0.1", port: 0))
        let running = Task { try await server.run() }
        try await server.shutdown()
        try await running.value
        #expect(await refusesConnections(port: server.port))
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
    @Test("Two concurrent shutdowns both wait for the in-flight request, and return once the server is closed")
    func twoShutdowns() async throws {
        let server = try await Server.start(world: World(.demo), configuration: .init(host: "127.0.0.1", port: 0))
        let port = server.port
        let client = try await SlowClient.connect(port: port)
        let returned = Counter()
        let body = #"{"username":"some_user","quantity":100}"#
        // The head and half of the body: the request is in flight until the rest arrives, so
        // the shutdown cannot finish before that.
        let head =
            "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let half = body.utf8.count / 2
        let first = head + String(body.utf8.prefix(half))!
        let rest = String(body.utf8.dropFirst(half))!

        let shutdowns = TaskList()
        let response = try await client.send(first, then: rest) {
            try await Task.sleep(for: .milliseconds(300))  // the server reads the head
            for _ in 0..<2 {
                let task = Task {
                    try await server.shutdown()
                    #expect(!server.isListening, "returned before the server's channel was closed")
                    returned.increment()
                }
                shutdowns.append(task)
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(returned.value == 0, "a shutdown returned while a request was still in flight")
            #expect(await refusesConnections(port: port), "no new connections once shutting down")
        }
        for task in shutdowns.tasks { try await task.value }
        // The in-flight request was answered in full before either shutdown returned.
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""order_id": 47"#))
        #expect(returned.value == 2)
        #expect(!server.isListening)
        try await server.waitUntilClosed()
        // A third, later call returns at once.
        try await server.shutdown()
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
        let (port, statuses) = try await withStarMock(yaml: Self.yaml, clock: .virtual) { mock in
            let balance = try await RawHTTP.send(
                port: mock.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_test_key")])
            #expect(balance.bodyText.contains("25.50"))
            return (mock.port, mock.journal.map(\.status))
        }
        #expect(statuses == [200])
        #expect(await refusesConnections(port: port))
    }

    @Test("Rethrows the closure's error and stops the server anyway")
    func thrownError() async throws {
        let port = Mutex(0)
        await #expect(throws: Boom.self) {
            let path = Self.repositoryRoot.appendingPathComponent("scenarios/sh4de/charging-error.yaml").path
            try await withStarMock(scenario: path) { mock in
                port.withLock { $0 = mock.port }
                #expect(await !refusesConnections(port: mock.port))
                throw Boom()
            }
        }
        let closed = port.withLock { $0 }
        #expect(closed > 0)
        #expect(await refusesConnections(port: closed))
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
