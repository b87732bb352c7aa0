import NIOCore
import NIOHTTP1
import NIOPosix
import StarMockCore
import StarMockDialects
import Synchronization

/// Sends the requests dialects queue in the world's `Outbox` (the Bot API's webhook pushes):
/// it holds on `Outbox.topic`, takes what was queued when woken, POSTs each with NIO's own
/// client bootstrap, and reports the answer, a timeout or a failed connection back into the
/// world, where the dialect decides what follows (redelivery on the world's clock). Plain
/// `http://` only.
final class OutboundSender: Sendable {
    private let world: World
    private let group: any EventLoopGroup
    private let stopped = Mutex(false)

    init(world: World, group: any EventLoopGroup) {
        self.world = world
        self.group = group
    }

    /// Starts waiting for queued requests (and sends any already queued).
    func start() {
        world.transact { arm(&$0, takingPending: true) }
    }

    /// Stops re-arming (shutdown); requests still queued stay in the world.
    func stop() {
        stopped.withLock { $0 = true }
    }

    private func arm(_ w: inout WorldState, takingPending: Bool) {
        if takingPending { dispatch(w.takeOutbound(), in: &w) }
        w.hold(Outbox.topic, timeout: nil) { [self] end, w in
            switch end {
            case .signalled, .timedOut:
                dispatch(w.takeOutbound(), in: &w)
                arm(&w, takingPending: false)
            case .cancelled:
                // A reset gives the world a new state: wait on it. A shutdown ends here.
                guard !stopped.withLock({ $0 }), !w.isRefusingWaits else { return }
                w.afterCommit { [self] in world.transact { arm(&$0, takingPending: true) } }
            }
        }
    }

    private func dispatch(_ requests: [OutboundRequest], in w: inout WorldState) {
        guard !requests.isEmpty else { return }
        w.afterCommit { [self] in for request in requests { post(request) } }
    }

    /// POSTs one request; its `completed` runs in a world transaction with the outcome.
    func post(_ request: OutboundRequest) {
        let world = self.world
        let report: @Sendable (OutboundResult) -> Void = { result in
            world.transact { request.completed(result, &$0) }
        }
        guard let target = OutboundTarget(request.url) else {
            report(.failed("unsupported URL \(request.url)"))
            return
        }
        let loop = group.next()
        let promise = loop.makePromise(of: OutboundResult.self)
        promise.futureResult.whenSuccess(report)
        let timeoutNanos = Int64(request.timeout.components.seconds) * 1_000_000_000
            + request.timeout.components.attoseconds / 1_000_000_000
        let timeout = TimeAmount.nanoseconds(max(1_000_000, timeoutNanos))
        let connect = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(OutboundResponseHandler(promise: promise))
                }
            }
            .connect(host: target.host, port: target.port)
        let deadline = loop.scheduleTask(in: timeout) { promise.succeed(.timedOut) }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        connect.whenFailure { error in promise.succeed(.failed(Self.describe(error))) }
        connect.whenSuccess { channel in
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: target.hostHeader)
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(request.body.count))
            for (name, value) in request.headers { headers.add(name: name, value: value) }
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: request.body))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                promise.succeed(.failed(Self.describe(error)))
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            if io.errnoCode == 111 { return "Connection refused" }
            if io.errnoCode == 104 { return "Connection reset by peer" }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "Connection refused" }
        if text.contains("connectTimeout") { return "Connection timed out" }
        return text
    }
}

/// `http://host:port/path?query`.
struct OutboundTarget {
    var host: String
    var port: Int
    var path: String
    var hostHeader: String

    init?(_ url: String) {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        var path = String(rest[authorityEnd...])
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = authority
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
        self.path = path
        self.hostHeader = authority
    }
}

/// Reads the response head's status and the body, then completes the promise.
private final class OutboundResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<OutboundResult>
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<OutboundResult>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(let buffer): if body.count < 4096 { body += buffer.readableBytesView.prefix(4096 - body.count) }
        case .end: promise.succeed(.answered(status: status, body: String(decoding: body, as: UTF8.self)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(.failed("Connection closed before an answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.succeed(.failed(OutboundSender.describe(error)))
        context.close(promise: nil)
    }
}
