import NIOCore
import NIOHTTP1
import StarMockCore
import StarMockDialects

/// Turns one connection's HTTP requests into dialect requests and writes the replies. The
/// pipelining handler before it delivers one request at a time, so at most one is in flight.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: ServerState
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    private var inFlight = false
    private var heldWaiter: Int?
    private var context: ChannelHandlerContext?

    init(state: ServerState) { self.state = state }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
            inFlight = true
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > state.maxBodyBytes {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            process(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let waiter = heldWaiter {
            heldWaiter = nil
            state.world.transact { $0.cancelWait(waiter) }
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !inFlight {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func process(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = DialectRequest(
            method: head.method.rawValue, target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) },
            body: body.map { Array($0.readableBytesView) } ?? [])
        body = nil

        if request.path == "/__admin" || request.path.hasPrefix("/__admin/") {
            let response =
                bodyTooLarge
                ? AdminAPI.error(413, "Request body is larger than \(state.maxBodyBytes) bytes")
                : state.admin.handle(request)
            write(response, head: head, context: context)
            return
        }

        let world = state.world
        let dialects = state.dialects
        let tooLarge = bodyTooLarge
        let limit = state.maxBodyBytes
        let routed: DialectSet.Routed
        let received: WorldTime
        (routed, received) = world.transact { w in
            let received = w.now
            let routed: DialectSet.Routed
            if tooLarge {
                let response = dialects.render(.bodyTooLarge(limit: limit), path: request.path)
                routed = .init(
                    dialect: dialects.dialect(for: request.path)?.name, credential: nil, reply: .now(response),
                    fault: nil)
            } else {
                routed = dialects.respond(to: request, in: &w)
            }
            if case .now(let response) = routed.reply {
                Self.record(request, routed: routed, response: response, received: received, in: &w)
            }
            return (routed, received)
        }

        switch routed.reply {
        case .now(let response):
            write(response, head: head, context: context)
        case .held(let order, let timeout, let render):
            let loop = context.eventLoop
            let handler = NIOLoopBound(self, eventLoop: loop)
            heldWaiter = world.transact { w in
                w.waitForFinal(order, timeout: timeout) { result in
                    let response = render(result)
                    world.transact { w in
                        Self.record(request, routed: routed, response: response, received: received, in: &w)
                    }
                    loop.execute { handler.value.finishHeld(response, head: head) }
                }
            }
        }
    }

    private func finishHeld(_ response: DialectResponse, head: HTTPRequestHead) {
        heldWaiter = nil
        guard let context, context.channel.isActive else { return }
        write(response, head: head, context: context)
    }

    private static func record(
        _ request: DialectRequest, routed: DialectSet.Routed, response: DialectResponse, received: WorldTime,
        in world: inout WorldState
    ) {
        let target = request.query.isEmpty ? request.path : request.path + "?" + request.query.map { "\($0)=\($1)" }.joined(separator: "&")
        let now = world.now
        world.record { sequence in
            JournalEntry(
                sequence: sequence, receivedAt: received, answeredAt: now, dialect: routed.dialect,
                method: request.method, target: target, key: routed.credential,
                requestBody: String(decoding: request.body, as: UTF8.self), status: response.status,
                responseBody: response.bodyText, fault: routed.fault)
        }
    }

    private func write(_ response: DialectResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        inFlight = false
        let keepAlive = head.isKeepAlive && !bodyTooLarge
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD, !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
