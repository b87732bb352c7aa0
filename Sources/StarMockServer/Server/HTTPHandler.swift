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
        /// Between requests: the keep-alive timeout runs; once a request's first bytes arrived
        /// (``RequestLineCapture/firstByteAt``), the header-read deadline instead.
        case idle
        /// The head is in, the body is arriving: the body-read deadline runs.
        case readingBody
        /// The request is being answered (or held): no deadline.
        case answering
    }

    private let state: ServerState
    /// Added next to the socket the first time a response's bytes are to be broken.
    private var byteFaults: ByteFaultHandler?
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
    /// When the current phase began.
    private var phaseStarted = NIODeadline.now()
    /// The one timer that enforces the deadlines, and when it fires. Moving between phases
    /// only notes the time; the timer, when it fires, checks the phase's deadline and re-arms
    /// itself (never later than the shortest timeout from now, so no later phase's deadline
    /// can come before it). A request costs no timer operation.
    private var deadline: Scheduled<Void>?
    private var deadlineAt = NIODeadline.distantFuture
    private var bodyStarted = NIODeadline.now()
    private var bodyBytes = 0
    /// Answers written on this connection.
    private var requestsServed = 0

    init(state: ServerState, requestLine: RequestLineCapture) {
        self.state = state
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
        disarm()
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
        disarm()
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
        if event is ShuttingDown {
            // Between requests of a keep-alive connection: nothing to finish. A connection that
            // has sent nothing yet may be about to (its request in flight to us): it gets a
            // short grace. Otherwise the answer says Connection: close.
            if phase == .idle && requestLine.firstByteAt == nil {
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

    /// Moves to `phase`: notes when it began, and brings the timer forward only if this
    /// phase's deadline comes before it (a shutdown's shorter idle grace).
    private func enter(_ phase: Phase, context: ChannelHandlerContext) {
        self.phase = phase
        let now = NIODeadline.now()
        phaseStarted = now
        if phase == .readingBody {
            bodyStarted = now
            bodyBytes = 0
        }
        guard let due = currentDeadline() else { return }
        if deadline == nil || due < deadlineAt { arm(at: min(due, now + shortestTimeout), context: context) }
    }

    /// The shortest of the deadlines: the timer never sleeps longer than this.
    private var shortestTimeout: TimeAmount {
        let t = state.timeouts
        return max(.milliseconds(10), min(t.idle, t.header, t.body))
    }

    /// When the current phase's deadline passes; nil while answering.
    private func currentDeadline() -> NIODeadline? {
        let timeouts = state.timeouts
        switch phase {
        case .idle:
            if let first = requestLine.firstByteAt { return first + timeouts.header }
            // During a shutdown a connection that sends nothing waits no longer than a head would.
            let idle = state.connections.isShuttingDown ? min(timeouts.idle, timeouts.header, .seconds(2)) : timeouts.idle
            return phaseStarted + idle
        case .readingBody:
            // The body may take `body` plus one second per `minBodyRate` bytes received: a
            // client slower than that on average is closed.
            let rate = max(1, timeouts.minBodyRate)
            return bodyStarted + timeouts.body + .nanoseconds(Int64(bodyBytes) * 1_000_000_000 / Int64(rate))
        case .answering:
            return nil
        }
    }

    private func arm(at when: NIODeadline, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadlineAt = when
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(deadline: when) { handler.value.deadlineFired() }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
        deadlineAt = .distantFuture
    }

    /// The timer fired: closes the connection if its phase's deadline has passed, else waits on.
    private func deadlineFired() {
        deadline = nil
        deadlineAt = .distantFuture
        guard let context, let due = currentDeadline() else { return }
        let now = NIODeadline.now()
        guard due <= now else {
            arm(at: min(due, now + shortestTimeout), context: context)
            return
        }
        switch phase {
        case .idle where requestLine.firstByteAt != nil:
            state.logger.debug("closing a connection whose request head did not arrive in time")
        case .idle:
            state.logger.debug("closing an idle keep-alive connection")
        case .readingBody:
            state.logger.debug("closing a connection whose body arrived slower than the minimum rate")
        case .answering:
            return
        }
        context.close(promise: nil)
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
        // What needs only the request is read before the world's lock is taken.
        let routed = state.pipeline.route(request)
        let plan = world.transact { w in state.pipeline.run(request, routed: routed, bodyLimit: bodyLimit, in: &w) }
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
            byteFaultHandler(context)?.writeGarbageAndClose(bytes.isEmpty ? ConnectionFaults.defaultGarbage : bytes)
        case .truncate?:
            byteFaultHandler(context)?.arm(plan.transport!)
            write(response, head: head, context: context, closeAfter: true)
        case .dribble?:
            byteFaultHandler(context)?.arm(plan.transport!)
            write(response, head: head, context: context)
        }
    }

    /// The connection's byte-fault handler, added next to the socket (below the HTTP encoder)
    /// the first time one is needed; nil if the pipeline refused it (the channel is closing).
    private func byteFaultHandler(_ context: ChannelHandlerContext) -> ByteFaultHandler? {
        if let byteFaults { return byteFaults }
        let handler = ByteFaultHandler()
        do {
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            context.close(promise: nil)
            return nil
        }
        byteFaults = handler
        return handler
    }

    private func write(
        _ response: DialectResponse, head: HTTPRequestHead, context: ChannelHandlerContext, closeAfter: Bool = false
    ) {
        inFlight = false
        // During a shutdown every answer closes its connection (`Connection: close`).
        let closing = closeAfter || state.connections.isShuttingDown
        let keepAlive = head.isKeepAlive && !bodyTooLarge && !closing
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 2)
        // The length is always ours.
        for (name, value) in response.headers where !name.caseInsensitiveEquals("Content-Length") {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Content-Length", value: String(response.body.count))
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
        if keepAlive {
            // No promise: nothing waits for this write (one allocation less per request).
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            responding = false
            enter(.idle, context: context)
        } else {
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            responding = false
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
