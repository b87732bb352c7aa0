public import Logging
public import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
public import StarMockCore
public import StarMockDialects
import StarMockTransport
import Synchronization

/// A running StarMock: one port serving the dialects and the control API over one world.
///
/// ```swift
/// let server = try await Server.start(world: World(.demo), configuration: .init(port: 0))
/// print(server.baseURL)           // http://127.0.0.1:54321
/// try await server.shutdown()
/// ```
///
/// It is also a swift-service-lifecycle `Service`: in a `ServiceGroup`, ``run()`` serves until
/// the group shuts down gracefully (or the task is cancelled), then shuts the server down.
public final class Server: Sendable, Service {
    /// How a server listens and what it serves.
    public struct Configuration: Sendable {
        /// The address to bind.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// The dialects served.
        public var dialects: DialectSet
        /// Bodies larger than this get the dialect's 413.
        public var maxBodyBytes: Int
        /// Connections idle this long (real time) are closed.
        public var idleTimeout: TimeAmount
        /// Where the server logs: connection errors (`debug`, `warning` for the unexpected ones)
        /// and one line per exchange (`info`). By default it logs nothing.
        public var logger: Logger

        /// A logger that writes nothing: the default, so that embedding StarMock is silent.
        public static var silentLogger: Logger {
            Logger(label: "starmock", factory: { _ in SwiftLogNoOpLogHandler() })
        }

        /// A configuration; by default every dialect on 127.0.0.1:8080, logging nothing.
        public init(
            host: String = "127.0.0.1", port: Int = 8080, dialects: DialectSet = .everything,
            maxBodyBytes: Int = 1 << 20, idleTimeout: TimeAmount = .seconds(300),
            logger: Logger = Configuration.silentLogger
        ) {
            self.host = host
            self.port = port
            self.dialects = dialects
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.logger = logger
        }
    }

    /// The world this server serves.
    public let world: World
    /// The configuration it started with.
    public let configuration: Configuration
    /// The port it listens on (the real one when 0 was asked).
    public let port: Int
    /// The host it listens on.
    public let host: String

    private let channel: any Channel
    private let quiesce: ServerQuiescingHelper
    private let group: any EventLoopGroup
    private let state: ServerState

    /// `http://HOST:PORT`.
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(
        world: World, configuration: Configuration, channel: any Channel, quiesce: ServerQuiescingHelper,
        group: any EventLoopGroup, state: ServerState
    ) throws {
        self.world = world
        self.configuration = configuration
        self.channel = channel
        self.quiesce = quiesce
        self.group = group
        self.state = state
        guard let port = channel.localAddress?.port else { throw ServerError.noLocalAddress }
        self.port = port
        self.host = configuration.host
    }

    /// Binds and starts serving.
    public static func start(
        world: World, configuration: Configuration = Configuration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Server {
        let quiesce = ServerQuiescingHelper(group: group)
        let state = ServerState(
            world: world, dialects: configuration.dialects, maxBodyBytes: configuration.maxBodyBytes,
            logger: configuration.logger, group: group)
        let idle = configuration.idleTimeout
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // Byte-level faults sit next to the socket, below the HTTP encoder.
                    let bytes = ByteFaultHandler()
                    try sync.addHandler(bytes)
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try sync.addHandler(IdleStateHandler(allTimeout: idle))
                    try sync.addHandler(HTTPHandler(state: state, byteFaults: bytes))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let server = try Server(
            world: world, configuration: configuration, channel: channel, quiesce: quiesce, group: group, state: state)
        // Requests StarMock itself sends (webhook pushes) leave from here.
        state.outbound.start()
        return server
    }

    /// Stops accepting, lets in-flight requests finish, answers held requests, then returns.
    ///
    /// Calling it again, even concurrently, starts nothing new: every call returns when the
    /// first shutdown has finished.
    public func shutdown() async throws {
        try await initiateShutdown().get()
    }

    /// Serves until the surrounding `ServiceGroup` shuts down gracefully or the task is
    /// cancelled, then shuts down as ``shutdown()`` does and returns. Also returns when the
    /// server was shut down some other way (``shutdown()``, `StarMock.stop()`).
    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            _ = self.initiateShutdown()
        }
        try await initiateShutdown().get()
    }

    /// Starts the shutdown once; every caller gets the same completion.
    private func initiateShutdown() -> EventLoopFuture<Void> {
        let (completion, first) = state.shutdownCompletion(on: channel.eventLoop)
        guard let first else { return completion }
        // Held requests (`?wait=true`) and delayed answers leave now rather than when the
        // clock gets there.
        state.outbound.stop()
        world.transact { $0.stopWaiting() }
        state.delayed.flushAll()
        quiesce.initiateShutdown(promise: first)
        return completion
    }

    /// Calls the control API in process, as `METHOD /__admin/…` over HTTP would (used by the
    /// contract runner's `admin:` steps and by embedding tests).
    public func control(method: String, path: String, body: [UInt8] = []) -> DialectResponse {
        state.admin.handle(DialectRequest(method: HTTPMethod(method), target: path, body: body))
    }

    /// Whether the listening socket is still open (false once a shutdown has begun closing it).
    var isListening: Bool { channel.isActive }

    /// Waits until the server has shut down.
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }
}

/// Why a server could not start.
public enum ServerError: Error, Sendable {
    /// The socket has no local address after binding.
    case noLocalAddress
}

/// What every connection of one server shares.
final class ServerState: Sendable {
    let world: World
    let dialects: DialectSet
    let pipeline: Pipeline
    let maxBodyBytes: Int
    let admin: AdminAPI
    let delayed = DelayedAnswers()
    let logger: Logger
    /// The sender of webhook pushes.
    let outbound: OutboundSender
    /// The shutdown's completion, once one has begun.
    private let shutdown = Mutex<EventLoopFuture<Void>?>(nil)

    init(world: World, dialects: DialectSet, maxBodyBytes: Int, logger: Logger, group: any EventLoopGroup) {
        self.world = world
        self.outbound = OutboundSender(world: world, group: group)
        self.dialects = dialects
        self.pipeline = Pipeline(dialects)
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.admin = AdminAPI(world: world, dialects: dialects)
    }

    /// The completion of the server's one shutdown, and, for the first caller only, the
    /// promise that completes it (the caller starts the shutdown).
    func shutdownCompletion(on loop: any EventLoop) -> (EventLoopFuture<Void>, first: EventLoopPromise<Void>?) {
        shutdown.withLock { future in
            if let future { return (future, nil) }
            let promise = loop.makePromise(of: Void.self)
            future = promise.futureResult
            return (promise.futureResult, promise)
        }
    }
}

/// Answers waiting for their injected latency, so shutdown can send them at once. Each is
/// sent exactly once: by its timer or by the flush, whichever claims it first.
final class DelayedAnswers: Sendable {
    private struct Entry {
        var send: @Sendable () -> Void
        var record: (@Sendable () -> Void)?
    }
    private let entries = Mutex<(next: Int, items: [Int: Entry], flushed: Bool)>((1, [:], false))

    /// Keeps `send` until its timer or the flush; nil when the flush already happened (the
    /// caller sends at once).
    func register(_ send: @escaping @Sendable () -> Void) -> Int? {
        entries.withLock { e in
            guard !e.flushed else { return nil }
            let id = e.next
            e.next += 1
            e.items[id] = Entry(send: send)
            return id
        }
    }

    /// What to do besides sending when the flush, not the timer, sends it.
    func onFlush(_ id: Int, record: @escaping @Sendable () -> Void) {
        entries.withLock { $0.items[id]?.record = record }
    }

    func claim(_ id: Int) -> (@Sendable () -> Void)? {
        entries.withLock { $0.items.removeValue(forKey: id)?.send }
    }

    func flushAll() {
        let all = entries.withLock { e in
            e.flushed = true
            defer { e.items.removeAll() }
            return e.items.keys.sorted().map { e.items[$0]! }
        }
        for entry in all {
            entry.record?()
            entry.send()
        }
    }
}
