import Logging
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

    /// Where the connection is, for its deadlines.
    private enum Phase {
        /// Between requests: the keep-alive timeout runs.
        case idle
        /// A request's first bytes arrived, its head has not: the header-read deadline runs.
        case readingHead
        /// The head is in, the body is arriving: the body-read deadline runs.
        case readingBody
        /// The request is being answered (or held): no deadline.
        case answering
    }

    private let state: ServerState
    private let byteFaults: ByteFaultHandler
    private let requestLine: RequestLineCapture
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    private var problem: RequestProblem?
    private var inFlight = false
    /// A response head was written and its end not yet.
    private var responding = false
    private var heldWaiter: Int?
    private var heldHold: Int?
    private var context: ChannelHandlerContext?
    private var phase = Phase.idle
    private var deadline: Scheduled<Void>?
    private var bodyStarted = NIODeadline.now()
    private var bodyBytes = 0
    /// Answers written on this connection.
    private var requestsServed = 0

    init(state: ServerState, byteFaults: ByteFaultHandler, requestLine: RequestLineCapture) {
        self.state = state
        self.byteFaults = byteFaults
        self.requestLine = requestLine
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { enter(.idle, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.idle, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
            problem = nil
            inFlight = true
            enter(.readingBody, context: context)
            if head.version.major == 1 && head.version.minor >= 1 && !head.headers.contains(name: "Host") {
                problem = .badRequest("HTTP/1.1 request without a Host header")
            } else if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > state.maxBodyBytes {
                // Answered after the body, as any too-large body; no `100 Continue` invites it.
            } else if head.headers[canonicalForm: "Expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let informational = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(informational)), promise: nil)
            }
        case .body(var chunk):
            bodyBytes += chunk.readableBytes
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
            requestLine.nextRequest()
            guard let head else { return }
            enter(.answering, context: context)
            process(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
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

    /// NIO's decoder ends the connection after a parser error; it is answered first, as NIO's
    /// own error handler would, unless a response is already on its way: a header section
    /// over the limit gets a 431 in the shape of the dialect its path names, anything else a
    /// bare 400. Logged: a client going away or sending bad HTTP at `debug`, anything else at
    /// `warning`.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError, !responding {
            let response: DialectResponse
            if parserError == .headerOverflow {
                let path = requestLine.target.map { DialectRequest(method: .get, target: $0).path } ?? "/"
                response = state.dialects.render(.headersTooLarge(limit: state.maxHeaderBytes), path: path)
            } else {
                response = DialectResponse(status: 400, headers: [], body: [])
            }
            writeClosing(response, version: .http1_1, context: context)
        }
        state.logConnectionError(error, channel: context.channel, inFlight: inFlight)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestLineCapture.BytesArrived {
            if phase == .idle { enter(.readingHead, context: context) }
            return
        }
        if event is ShuttingDown {
            // Between requests of a keep-alive connection: nothing to finish. A connection that
            // has sent nothing yet may be about to (its request in flight to us): it gets a
            // short grace. Otherwise the answer says Connection: close.
            if phase == .idle {
                if requestsServed > 0 {
                    context.close(promise: nil)
                } else {
                    enter(.idle, context: context)
                }
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Deadlines

    /// Moves to `phase`, replacing the running deadline by that phase's.
    private func enter(_ phase: Phase, context: ChannelHandlerContext) {
        self.phase = phase
        deadline?.cancel()
        deadline = nil
        let timeouts = state.timeouts
        switch phase {
        case .idle:
            // During a shutdown a connection that sends nothing waits no longer than a head would.
            let idle = state.connections.isShuttingDown ? min(timeouts.idle, timeouts.header, .seconds(2)) : timeouts.idle
            arm(after: idle, context: context) { handler, context in
                handler.state.logger.debug("closing an idle keep-alive connection")
                context.close(promise: nil)
            }
        case .readingHead:
            arm(after: timeouts.header, context: context) { handler, context in
                handler.state.logger.debug("closing a connection whose request head did not arrive in time")
                context.close(promise: nil)
            }
        case .readingBody:
            bodyStarted = .now()
            bodyBytes = 0
            armBodyDeadline(at: bodyStarted + timeouts.body, context: context)
        case .answering:
            break
        }
    }

    /// The body may take `body` plus one second per `minBodyRate` bytes received: a client
    /// slower than that on average is closed.
    private func armBodyDeadline(at when: NIODeadline, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        deadline = loop.scheduleTask(deadline: when) {
            let handler = handler.value
            guard handler.phase == .readingBody, let context = handler.context else { return }
            let timeouts = handler.state.timeouts
            let rate = max(1, timeouts.minBodyRate)
            let allowed = handler.bodyStarted + timeouts.body + .nanoseconds(Int64(handler.bodyBytes) * 1_000_000_000 / Int64(rate))
            if allowed > .now() {
                handler.armBodyDeadline(at: allowed, context: context)
            } else {
                handler.state.logger.debug("closing a connection whose body arrived slower than the minimum rate")
                context.close(promise: nil)
            }
        }
    }

    private func arm(
        after amount: TimeAmount, context: ChannelHandlerContext,
        _ fire: @escaping (HTTPHandler, ChannelHandlerContext) -> Void
    ) {
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let bound = NIOLoopBound(fire, eventLoop: loop)
        deadline = loop.scheduleTask(in: amount) {
            let handler = handler.value
            guard let context = handler.context else { return }
            bound.value(handler, context)
        }
    }

    // MARK: Processing

    private func process(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = DialectRequest(
            method: HTTPMethod(head.method.rawValue), target: head.uri,
            headers: head.headers.map { ($0.name, $0.value) },
            body: body.map { Array($0.readableBytesView) } ?? [])
        body = nil

        if request.path == "/__admin" || request.path.hasPrefix("/__admin/") {
            let response: DialectResponse
            if let problem {
                response = AdminAPI.error(400, "\(problem)")
            } else if let refusal = state.adminGuard.refusal(request, localAddress: context.channel.localAddress?.ipAddress) {
                response = refusal
            } else if bodyTooLarge {
                response = AdminAPI.error(413, "Request body is larger than \(state.maxBodyBytes) bytes")
            } else {
                response = state.admin.handle(request)
            }
            write(response, head: head, context: context)
            return
        }
        if let problem {
            write(state.dialects.render(problem, path: request.path), head: head, context: context, closeAfter: true)
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
        // During a shutdown every answer closes its connection (`Connection: close`).
        let closing = closeAfter || state.connections.isShuttingDown
        let keepAlive = head.isKeepAlive && !bodyTooLarge && !closing
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive && (!closeAfter || problem != nil || state.connections.isShuttingDown) {
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        responding = true
        requestsServed += 1
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD, !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        responding = false
        if keepAlive {
            enter(.idle, context: context)
        } else {
            phase = .answering
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Writes an answer outside any request (a parser error) and lets the connection end.
    private func writeClosing(_ response: DialectResponse, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers))),
            promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
