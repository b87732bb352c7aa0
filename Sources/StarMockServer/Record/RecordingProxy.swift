import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
public import StarMockCore
public import StarMockHAR
import StarMockTransport
import Synchronization

/// `starmock record`: a recording proxy. The server side is NIO, like ``Server``; each request
/// is forwarded to the upstream with libcurl (``Curl``: loaded at run time, HTTPS included;
/// see docs/ARCHITECTURE.md for why), its answer returned unchanged, and every exchange kept
/// with its timing, to be written as HAR 1.2 with the credentials redacted.
public final class RecordingProxy: Sendable {
    /// Where it listens and where it forwards.
    public struct Configuration: Sendable {
        public var upstream: String
        public var host: String
        public var port: Int
        /// Written into each entry's `_starmock.dialect` (read by `starmock scenario from`).
        public var dialect: String?
        /// How long an upstream answer may take (a held `?wait=true` is 90 s upstream).
        public var upstreamTimeout: TimeInterval
        public var maxBodyBytes: Int

        public init(upstream: String, host: String = "127.0.0.1", port: Int = 8080, dialect: String? = nil, upstreamTimeout: TimeInterval = 300, maxBodyBytes: Int = 16 << 20) {
            self.upstream = upstream
            self.host = host
            self.port = port
            self.dialect = dialect
            self.upstreamTimeout = upstreamTimeout
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public let configuration: Configuration
    public let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    /// `http://HOST:PORT`.
    public var baseURL: String { "http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(port)" }

    private init(configuration: Configuration, channel: any Channel, recorder: Recorder) throws {
        self.configuration = configuration
        self.channel = channel
        self.recorder = recorder
        guard let port = channel.localAddress?.port else { throw ServerError.noLocalAddress }
        self.port = port
    }

    /// Why the proxy cannot start.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Binds and starts forwarding.
    public static func start(_ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RecordingProxy {
        guard let url = URL(string: configuration.upstream), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw ConfigurationError(description: "--upstream must be an http:// or https:// URL with a host, not '\(configuration.upstream)'")
        }
        // Before listening: a proxy that cannot reach its upstream is no use.
        if case .failure(let unavailable) = Curl.shared { throw ConfigurationError(description: unavailable.description) }
        let recorder = Recorder(configuration: configuration)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // Below the HTTP encoder, as in `Server`: bytes that are not HTTP go out here.
                    let bytes = ByteFaultHandler()
                    try sync.addHandler(bytes)
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try sync.addHandler(ProxyHandler(recorder: recorder, byteFaults: bytes))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        return try RecordingProxy(configuration: configuration, channel: channel, recorder: recorder)
    }

    /// The exchanges so far, redacted.
    public func har() -> HAR { recorder.har() }

    /// The exchanges so far, raw (not redacted: for tests only).
    public var rawEntries: [HAREntry] { recorder.entries }

    /// Stops accepting, waits (up to `grace`) for the exchanges in flight, closes.
    public func shutdown(grace: Duration = .seconds(10)) async {
        try? await channel.close()
        let deadline = ContinuousClock.now + grace
        while recorder.inFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Its threads end when the transfers still running (past `grace`) do.
        recorder.upstreamThreads.shutdownGracefully { _ in }
    }

    /// Writes the redacted archive to `path`.
    public func write(to path: String) throws {
        try Data(har().text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// The upstream client and the exchanges recorded, shared by every connection.
final class Recorder: Sendable {
    let configuration: RecordingProxy.Configuration
    /// Where `curl_easy_perform` blocks, off the event loop: 16 transfers at once (as many
    /// upstream connections as URLSession allowed per host here before); more wait their turn.
    let upstreamThreads = NIOThreadPool(numberOfThreads: 16)
    private let state = Mutex<(entries: [HAREntry], inFlight: Int)>(([], 0))

    init(configuration: RecordingProxy.Configuration) {
        self.configuration = configuration
        upstreamThreads.start()
    }

    var entries: [HAREntry] { state.withLock { $0.entries } }
    var inFlight: Int { state.withLock { $0.inFlight } }

    func begin() { state.withLock { $0.inFlight += 1 } }

    func finish(_ entry: HAREntry) {
        state.withLock {
            $0.entries.append(entry)
            $0.inFlight -= 1
        }
    }

    func har() -> HAR {
        let sorted = entries.enumerated().sorted { ($0.element.started, $0.offset) < ($1.element.started, $1.offset) }.map(\.element)
        var redactor = HARRedactor()
        return redactor.redact(HAR(comment: "starmock record --upstream \(configuration.upstream)", entries: sorted))
    }

    /// The upstream URL for a request target.
    func upstreamURL(for target: String) -> URL? {
        var base = configuration.upstream
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + (target.hasPrefix("/") ? target : "/" + target))
    }

    /// Hop-by-hop fields, those libcurl sets itself (`Host`, `Content-Length`), `Expect` (the
    /// proxy has the whole body already), and `Accept-Encoding`: the upstream is not asked
    /// for a compressed body (libcurl would hand it over compressed: nothing is decoded).
    static let notForwarded: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length",
        "accept-encoding", "expect",
    ]

    /// Response fields not passed on: the body comes unchunked, its length is recomputed.
    static let notReturned: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive"]
}

/// What the client is to see when the upstream gave no (whole) answer.
enum UpstreamFailure: Sendable {
    case reset, close, garbage, refused, timedOut

    /// From libcurl's `CURLcode` and its texts.
    init(_ failure: Curl.Failure) {
        let text = "\(failure.message) \(failure.detail)".lowercased()
        switch failure.code {
        case Curl.Code.operationTimedOut: self = .timedOut
        case Curl.Code.couldNotConnect, Curl.Code.couldNotResolveHost: self = .refused
        case Curl.Code.gotNothing: self = .close
        case Curl.Code.weirdServerReply: self = text.contains("nothing") || text.contains("empty reply") ? .close : .garbage
        // A reset, or a body cut short: libcurl does not hand over the part it got, so the
        // client sees a reset, not the same truncation.
        case Curl.Code.receiveError, Curl.Code.sendError, Curl.Code.partialFile: self = .reset
        default:
            // libcurl's words for a reply that is not HTTP ("Received HTTP/0.9 when not
            // allowed" comes as CURLE_UNSUPPORTED_PROTOCOL).
            if text.contains("http/0.9") || text.contains("weird server reply") || text.contains("malformed") || text.contains("invalid status line") {
                self = .garbage
            } else if text.contains("reset") { self = .reset }
            else if text.contains("nothing") || text.contains("empty reply") { self = .close }
            else { self = .reset }
        }
    }

    var harError: String {
        switch self {
        case .reset: HARTransportError.reset
        case .close: HARTransportError.empty
        case .garbage: HARTransportError.invalid
        case .refused: HARTransportError.refused
        case .timedOut: HARTransportError.timedOut
        }
    }
}

/// One client connection of the proxy.
final class ProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: Recorder
    private let byteFaults: ByteFaultHandler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var context: ChannelHandlerContext?

    init(recorder: Recorder, byteFaults: ByteFaultHandler) {
        self.recorder = recorder
        self.byteFaults = byteFaults
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(let chunk):
            if body.count + chunk.readableBytes > recorder.configuration.maxBodyBytes { tooLarge = true } else { body += chunk.readableBytesView }
        case .end:
            guard let head else { return }
            self.head = nil
            forward(head, body: body, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    private func forward(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        guard !tooLarge else {
            write(status: 413, headers: [("Content-Type", "text/plain")], body: Array("starmock record: request body over the limit\n".utf8), head: head, context: context)
            return
        }
        guard let url = recorder.upstreamURL(for: head.uri) else {
            write(status: 400, headers: [("Content-Type", "text/plain")], body: Array("starmock record: cannot forward the target \(head.uri)\n".utf8), head: head, context: context)
            return
        }
        guard case .success(let curl) = Curl.shared else {  // checked by `start`: not seen
            write(status: 502, headers: [("Content-Type", "text/plain")], body: Array("starmock record: libcurl is missing\n".utf8), head: head, context: context)
            return
        }
        // One upstream connection per request: libcurl re-sends a request whose reused
        // connection died before answering, which would hide a lost answer from the client
        // (and send a POST twice); with a fresh connection the failure comes back as it was.
        // (`Curl.perform` never reuses one; `Connection: close` tells the upstream too.)
        var forwarded = head.headers.filter { !Recorder.notForwarded.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        forwarded.append(("Connection", "close"))
        // A body, even empty, when the client sent one (or a method that has one).
        let sendsBody = !body.isEmpty || head.headers.contains(name: "content-length") || head.headers.contains(name: "transfer-encoding")
            || [.POST, .PUT, .PATCH].contains(head.method)
        let request = Curl.Request(
            url: url.absoluteString, method: head.method.rawValue, headers: forwarded, body: sendsBody ? body : nil,
            timeoutMilliseconds: Int((recorder.configuration.upstreamTimeout * 1000).rounded(.up)))
        let started = Date()
        let requestHeaders = head.headers.map { HARField($0.name, $0.value) }
        let target = head.uri
        let method = head.method.rawValue
        let recorder = self.recorder
        recorder.begin()
        recorder.upstreamThreads.submit { state in
            let outcome: Result<Curl.Response, Curl.Failure> =
                state == .active ? curl.perform(request) : .failure(Curl.Failure(code: 42, message: "not sent", detail: "the proxy was shutting down"))
            let elapsed = Date().timeIntervalSince(started) * 1000
            let harRequest = HARRequest(
                method: method, url: recorder.configuration.upstream.trimmingSuffix("/") + target, headers: requestHeaders, body: body,
                mimeType: requestHeaders.first { $0.name.lowercased() == "content-type" }?.value)
            let startedAt = WorldTime(milliseconds: Int64((started.timeIntervalSince1970 * 1000).rounded()))
            switch outcome {
            case .success(let response):
                let bytes = response.body
                // As the upstream sent them, in order, repeated fields kept; the body as sent
                // (a Content-Encoding stays), unchunked, its Content-Length recomputed.
                let headers = response.headers.filter { !Recorder.notReturned.contains($0.0.lowercased()) }
                let recorded = HARResponse(
                    status: response.status, headers: headers.map { HARField($0.0, $0.1) } + [HARField("Content-Length", String(bytes.count))], body: bytes,
                    mimeType: headers.first { $0.0.lowercased() == "content-type" }?.1 ?? "")
                recorder.finish(HAREntry(started: startedAt, time: elapsed, request: harRequest, response: recorded, dialect: recorder.configuration.dialect))
                loop.execute {
                    let handler = bound.value
                    guard let context = handler.context, context.channel.isActive else { return }
                    handler.write(status: response.status, headers: headers, body: bytes, head: head, context: context)
                }
            case .failure(let failure):
                let kind = UpstreamFailure(failure)
                recorder.finish(
                    HAREntry(
                        started: startedAt, time: elapsed, request: harRequest, response: HARResponse(status: 0, error: kind.harError),
                        comment: "upstream: \(failure.text)", dialect: recorder.configuration.dialect))
                loop.execute {
                    let handler = bound.value
                    guard let context = handler.context, context.channel.isActive else { return }
                    handler.fail(kind, head: head, context: context)
                }
            }
        }
    }

    /// The client sees what the proxy saw.
    private func fail(_ failure: UpstreamFailure, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch failure {
        case .reset, .refused: ConnectionFaults.reset(context.channel)
        case .close, .timedOut: ConnectionFaults.closeWithoutAnswer(context.channel)
        case .garbage:
            // libcurl does not hand over the bytes it could not parse: the client gets bytes
            // that are not HTTP either, then the close.
            byteFaults.writeGarbageAndClose(ConnectionFaults.defaultGarbage)
        }
    }

    private func write(status: Int, headers: [(String, String)], body: [UInt8], head: HTTPRequestHead, context: ChannelHandlerContext) {
        var h = HTTPHeaders(headers)
        h.replaceOrAdd(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { h.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: h))), promise: nil)
        if head.method != .HEAD, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
