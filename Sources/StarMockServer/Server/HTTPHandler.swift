import NIOCore
import NIOHTTP1
import StarMockCore
import StarMockDialects
import StarMockTransport

/// Turns one connection's HTTP requests into dialect requests and writes the replies, with
/// the scripted latency and transport faults. The pipelining handler before it delivers one
/// request at a time, so at most one is in flight per connection.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: ServerState
    private let byteFaults: ByteFaultHandler
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    private var inFlight = false
    private var heldWaiter: Int?
    private var heldHold: Int?
    private var context: ChannelHandlerContext?

    init(state: ServerState, byteFaults: ByteFaultHandler) {
        self.state = state
        self.byteFaults = byteFaults
    }

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
        if let hold = heldHold {
            heldHold = nil
            state.world.transact { $0.cancelHold(hold) }
        }
        context.fireChannelInactive()
    }

    /// Parser errors were already answered with 400 by NIO's protocol-error handler; any
    /// error on a connection ends it. Logged first: a client going away or sending bad HTTP at
    /// `debug`, anything else at `warning`.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.logConnectionError(error, channel: context.channel, inFlight: inFlight)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !inFlight {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Processing

    private func process(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = DialectRequest(
            method: HTTPMethod(head.method.rawValue), target: head.uri,
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
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let bodyLimit = bodyTooLarge ? state.maxBodyBytes : nil
        let plan = world.transact { w in state.pipeline.run(request, bodyLimit: bodyLimit, in: &w) }
        switch plan.reply {
        case .now(let response):
            deliver(plan, response: response, head: head, context: context)
        case .held(let order, let timeout, let render):
            heldWaiter = world.transact { w in
                w.waitForFinal(order, timeout: timeout) { result in
                    let response = render(result)
                    loop.execute {
                        let handler = handler.value
                        handler.heldWaiter = nil
                        guard let context = handler.context, context.channel.isActive else { return }
                        handler.deliver(plan, response: response, head: head, context: context)
                    }
                }
            }
        case .waiting(let topic, let timeout, let render):
            heldHold = world.transact { w in
                w.hold(topic, timeout: timeout) { end, w in
                    let response = render(end, &w)
                    w.afterCommit {
                        loop.execute {
                            let handler = handler.value
                            handler.heldHold = nil
                            guard let context = handler.context, context.channel.isActive else { return }
                            handler.deliver(plan, response: response, head: head, context: context)
                        }
                    }
                }
            }
        }
    }

    /// Sends `response` as the plan says: after its latency (a timer on the world's clock),
    /// through its transport fault, and records it in the journal when it leaves.
    private func deliver(_ plan: Exchange, response: DialectResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let world = state.world
        guard let delay = plan.delay, delay > .zero else {
            if !plan.recorded { world.transact { plan.record(response: response, in: &$0) } }
            send(plan, response: response, head: head, context: context)
            return
        }
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let sendNow: @Sendable () -> Void = {
            loop.execute {
                let handler = handler.value
                guard let context = handler.context, context.channel.isActive else { return }
                handler.send(plan, response: response, head: head, context: context)
            }
        }
        // Registered so that shutdown can answer it at once instead of waiting for the clock
        // (a virtual clock may never get there).
        guard let id = state.delayed.register(sendNow) else {
            world.transact { plan.record(response: response, in: &$0) }
            send(plan, response: response, head: head, context: context)
            return
        }
        let delayed = state.delayed
        _ = world.transact { w in
            w.schedule(at: w.now.adding(delay)) { w in
                guard let send = delayed.claim(id) else { return }
                plan.record(response: response, in: &w)
                w.afterCommit(send)
            }
        }
        delayed.onFlush(id) { world.transact { plan.record(response: response, in: &$0) } }
    }

    private func send(_ plan: Exchange, response: DialectResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        state.logExchange(plan, response: response)
        switch plan.transport {
        case .none:
            write(response, head: head, context: context)
        case .reset?:
            inFlight = false
            ConnectionFaults.reset(context.channel)
        case .close?:
            inFlight = false
            ConnectionFaults.closeWithoutAnswer(context.channel)
        case .garbage(let bytes)?:
            inFlight = false
            byteFaults.writeGarbageAndClose(bytes.isEmpty ? ConnectionFaults.defaultGarbage : bytes)
        case .truncate?:
            byteFaults.arm(plan.transport!)
            write(response, head: head, context: context, closeAfter: true)
        case .dribble?:
            byteFaults.arm(plan.transport!)
            write(response, head: head, context: context)
        }
    }

    private func write(
        _ response: DialectResponse, head: HTTPRequestHead, context: ChannelHandlerContext, closeAfter: Bool = false
    ) {
        inFlight = false
        let keepAlive = head.isKeepAlive && !bodyTooLarge && !closeAfter
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive && !closeAfter { headers.replaceOrAdd(name: "Connection", value: "close") }
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
