public import Logging
public import NIOCore
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
        /// Keep-alive connections idle this long between requests (real time) are closed.
        public var idleTimeout: TimeAmount
        /// A request's header section must arrive within this, from its first byte.
        public var headerTimeout: TimeAmount
        /// A request's body may take this long plus one second per `minBodyRate` bytes
        /// received; a slower client is closed.
        public var bodyTimeout: TimeAmount
        /// The average rate, in bytes per second, a body must keep beyond `bodyTimeout`.
        public var minBodyRate: Int
        /// At most this many connections are open at once; one more gets a bare 503 and is
        /// closed.
        public var maxConnections: Int
        /// A request's header section may be this large (names and values); a larger one gets
        /// the dialect's 431.
        public var maxHeaderBytes: Int
        /// How long a shutdown lets in-flight requests (still uploading ones included) finish
        /// before closing their connections.
        public var shutdownTimeout: TimeAmount
        /// The token `/__admin` requests must present as `Authorization: Bearer …`; nil: none.
        public var adminToken: String?
        /// Serve the control API on a non-loopback address without a token anyway.
        public var adminOpen: Bool
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
            maxBodyBytes: Int = 1 << 20, idleTimeout: TimeAmount = .seconds(75),
            logger: Logger = Configuration.silentLogger,
            headerTimeout: TimeAmount = .seconds(10), bodyTimeout: TimeAmount = .seconds(30),
            minBodyRate: Int = 16 * 1024, maxConnections: Int = 512, maxHeaderBytes: Int = 64 * 1024,
            shutdownTimeout: TimeAmount = .seconds(10), adminToken: String? = nil, adminOpen: Bool = false
        ) {
            self.headerTimeout = headerTimeout
            self.bodyTimeout = bodyTimeout
            self.minBodyRate = minBodyRate
            self.maxConnections = maxConnections
            self.maxHeaderBytes = maxHeaderBytes
            self.shutdownTimeout = shutdownTimeout
            self.adminToken = adminToken
            self.adminOpen = adminOpen
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
    private let group: any EventLoopGroup
    private let state: ServerState

    /// How many connections the server has accepted and not yet closed (tests wait on it).
    package var openConnections: Int { state.connections.count }

    /// `http://HOST:PORT`.
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(
        world: World, configuration: Configuration, channel: any Channel,
        group: any EventLoopGroup, state: ServerState
    ) throws {
        self.world = world
        self.configuration = configuration
        self.channel = channel
        self.group = group
        self.state = state
        guard let port = channel.localAddress?.port else { throw ServerError.noLocalAddress }
        self.port = port
        self.host = configuration.host
    }

    /// Starts what every ``start(world:configuration:group:)`` on the shared group needs,
    /// whatever its configuration: the group's threads. Any thread, any number of times.
    public static func prepare() {
        _ = MultiThreadedEventLoopGroup.singleton
    }

    /// Binds and starts serving.
    ///
    /// Refuses (``ServerError/exposedControlAPI(host:)``) to bind a non-loopback address
    /// without an admin token unless `adminOpen` says so.
    public static func start(
        world: World, configuration: Configuration = Configuration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Server {
        if !AdminGuard.isLoopback(configuration.host), configuration.adminToken == nil, !configuration.adminOpen {
            throw ServerError.exposedControlAPI(host: configuration.host)
        }
        let state = ServerState(world: world, configuration: configuration, group: group)
        let connections = state.connections
        let limits = NIOHTTPDecoderLimitConfiguration.starmock(maxHeaderBytes: configuration.maxHeaderBytes)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    guard connections.admit(channel) else {
                        try sync.addHandler(RefuseConnection())
                        return
                    }
                    // Byte-level faults sit next to the socket, below the HTTP encoder: the
                    // handler adds its `ByteFaultHandler` there when a fault first needs it.
                    let line = RequestLineCapture()
                    try sync.addHandler(line)
                    try sync.addHandler(HTTPResponseEncoder())
                    try sync.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)))
                    try sync.addHandler(HTTPServerPipelineHandler())
                    try sync.addHandler(HTTPHandler(state: state, requestLine: line))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let server = try Server(world: world, configuration: configuration, channel: channel, group: group, state: state)
        // The world's clock wakes up on one of the server's event loops (a timer in its own
        // epoll wait), not on a Dispatch thread woken for it.
        let clockLoop = channel.eventLoop
        world.useWakeups { delay, fire in
            let task = clockLoop.scheduleTask(in: .nanoseconds(Int64(min(delay, UInt64(Int64.max))))) { fire() }
            return { task.cancel() }
        }
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
    ///
    /// Held requests and delayed answers are answered at once; every open connection finishes
    /// the request it is reading or answering, then closes (idle ones close now). The port
    /// keeps accepting meanwhile, and answers what arrives with `Connection: close`, so that
    /// no client is reset; once no connection is left (or `shutdownTimeout` has passed, when
    /// the rest are closed) it stops listening.
    private func initiateShutdown() -> EventLoopFuture<Void> {
        let (completion, first) = state.shutdownCompletion(on: channel.eventLoop)
        guard let first else { return completion }
        let connections = state.connections
        let open = connections.beginShutdown()
        // Held requests (`?wait=true`) and delayed answers leave now rather than when the
        // clock gets there.
        state.outbound.stop()
        world.transact { $0.stopWaiting() }
        state.delayed.flushAll()
        for connection in open {
            connection.eventLoop.execute { connection.pipeline.fireUserInboundEventTriggered(ShuttingDown()) }
        }
        let listener = channel
        let loop = channel.eventLoop
        let world = self.world
        let finished = loop.makePromise(of: Void.self)
        let deadline = loop.scheduleTask(in: configuration.shutdownTimeout) { finished.succeed(()) }
        connections.whenEmpty { finished.succeed(()) }
        finished.futureResult.flatMap { () -> EventLoopFuture<Void> in
            deadline.cancel()
            return listener.close().recover { _ in }
        }.flatMap { () -> EventLoopFuture<Void> in
            // Connections accepted in the last moment get their answers too, within the deadline.
            let drained = loop.makePromise(of: Void.self)
            let last = loop.scheduleTask(in: .milliseconds(500)) { drained.succeed(()) }
            connections.whenEmpty { drained.succeed(()) }
            return drained.futureResult.map { last.cancel() }
        }.flatMap { () -> EventLoopFuture<Void> in
            let closing = connections.open.map { $0.close().recover { _ in } }
            return EventLoopFuture.andAllComplete(closing, on: loop)
        }.map {
            // The world may outlive the server (and its event loops): back to its own timer.
            world.useWakeups(nil)
        }.cascade(to: first)
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
    /// A non-loopback address was asked for without an admin token or `adminOpen`.
    case exposedControlAPI(host: String)
}

extension ServerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noLocalAddress: "the socket has no local address after binding"
        case .exposedControlAPI(let host):
            "refusing to serve the control API (/__admin: every key, the whole world) on \(host), which other machines "
                + "can reach, without a token. Choose: --admin-token TOKEN (or STARMOCK_ADMIN_TOKEN=TOKEN) to require "
                + "Authorization: Bearer TOKEN on /__admin, or --admin-open to serve it open to the network, or "
                + "--host 127.0.0.1 to stay on this machine"
        }
    }
}

extension NIOHTTPDecoderLimitConfiguration {
    static func starmock(maxHeaderBytes: Int) -> Self {
        var limits = Self()
        limits.maxHeaderListSize = maxHeaderBytes
        limits.maxHeaderFieldSize = maxHeaderBytes
        return limits
    }
}

/// Told to every open connection when the shutdown begins: one between requests closes now,
/// one reading or answering a request closes after its answer.
struct ShuttingDown {}

/// The per-connection deadlines, in the server's configuration.
struct Timeouts: Sendable {
    var idle: TimeAmount
    var header: TimeAmount
    var body: TimeAmount
    var minBodyRate: Int
}

/// What every connection of one server shares.
final class ServerState: Sendable {
    let world: World
    let dialects: DialectSet
    let pipeline: Pipeline
    let maxBodyBytes: Int
    let maxHeaderBytes: Int
    let admin: AdminAPI
    let adminGuard: AdminGuard
    let delayed = DelayedAnswers()
    let connections: Connections
    let timeouts: Timeouts
    let logger: Logger
    /// The sender of webhook pushes.
    let outbound: OutboundSender
    /// The shutdown's completion, once one has begun.
    private let shutdown = Mutex<EventLoopFuture<Void>?>(nil)

    init(world: World, configuration c: Server.Configuration, group: any EventLoopGroup) {
        self.world = world
        self.outbound = OutboundSender(world: world, group: group)
        self.dialects = c.dialects
        self.pipeline = Pipeline(c.dialects)
        self.maxBodyBytes = c.maxBodyBytes
        self.maxHeaderBytes = c.maxHeaderBytes
        self.logger = c.logger
        let delayed = self.delayed
        self.admin = AdminAPI(world: world, dialects: c.dialects, flushDelayed: { delayed.flushPending() })
        self.adminGuard = AdminGuard(token: c.adminToken, boundHost: c.host)
        self.connections = Connections(limit: c.maxConnections)
        self.timeouts = Timeouts(
            idle: c.idleTimeout, header: c.headerTimeout, body: c.bodyTimeout, minBodyRate: c.minBodyRate)
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

    /// Sends every waiting answer now, and any later one at once (shutdown).
    func flushAll() { flush(forever: true) }

    /// Sends every waiting answer now (a reset or a scenario load: their timers go with the
    /// world); later ones wait for their latency again.
    func flushPending() { flush(forever: false) }

    private func flush(forever: Bool) {
        let all = entries.withLock { e in
            if forever { e.flushed = true }
            defer { e.items.removeAll() }
            return e.items.keys.sorted().map { e.items[$0]! }
        }
        for entry in all {
            entry.record?()
            entry.send()
        }
    }
}
