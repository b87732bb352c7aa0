import Foundation
import NIOCore
import NIOPosix
import StarMockHAR
import StarMockServer
import Synchronization
import Testing

/// The recording proxy's upstream side (libcurl, loaded at run time) against an upstream that
/// answers canned bytes: what reaches the upstream, what comes back to the client, what the
/// HAR keeps, and each kind of failure.
@Suite("starmock record: the upstream client", .timeLimit(.minutes(1)))
struct RecordingProxyUpstreamTests {
    enum Canned: Sendable {
        case bytes(String)
        /// RST (SO_LINGER 0) without a byte.
        case reset
        /// Never answers.
        case hold
    }

    /// One request as the upstream read it: the head's lines and the body.
    struct Received: Sendable {
        var lines: [String]
        var body: String
        func header(_ name: String) -> String? {
            lines.dropFirst().first { $0.lowercased().hasPrefix(name.lowercased() + ":") }.map {
                String($0.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// A raw upstream: reads one request (head, then `Content-Length` bytes), answers by path.
    final class Upstream: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answers: [String: Canned]
        let received = Mutex<[Received]>([])
        private let buffers = Mutex<[ObjectIdentifier: [UInt8]]>([:])

        init(_ answers: [String: Canned]) { self.answers = answers }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let id = ObjectIdentifier(context.channel)
            let bytes = buffers.withLock { $0[id, default: []] += unwrapInboundIn(data).readableBytesView; return $0[id]! }
            guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            let request = Received(lines: lines, body: "")
            let length = request.header("Content-Length").flatMap(Int.init) ?? 0
            guard bytes.count - end.upperBound >= length else { return }
            let body = String(decoding: bytes[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
            received.withLock { $0.append(Received(lines: lines, body: body)) }
            buffers.withLock { $0[id] = nil }  // one request per connection (and a new one may get this id)
            let path = lines[0].split(separator: " ").dropFirst().first.map(String.init) ?? ""
            switch answers[path] ?? .bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n") {
            case .bytes(let text):
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
                    channel.close(promise: nil)
                }
            case .reset:
                let channel = context.channel
                guard let provider = channel as? any SocketOptionProvider else { return channel.close(promise: nil) }
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            case .hold: break
            }
        }
    }

    /// An upstream answering `answers`, a proxy in front of it; always both stopped.
    func withProxy(
        _ answers: [String: Canned], timeout: TimeInterval = 10, _ body: (RecordingProxy, Upstream) async throws -> Void
    ) async throws {
        let upstream = Upstream(answers)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { $0.pipeline.addHandler(upstream) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let proxy = try await RecordingProxy.start(.init(upstream: "http://127.0.0.1:\(port)", port: 0, upstreamTimeout: timeout))
        do {
            try await body(proxy, upstream)
        } catch {
            await proxy.shutdown(grace: .seconds(1))
            try? await server.close()
            throw error
        }
        await proxy.shutdown(grace: .seconds(1))
        try? await server.close()
    }

    @Test("the answer as sent: fields in order, repeated ones kept, a chunked body unchunked, a compressed one not decoded")
    func answerAsSent() async throws {
        let gzip: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]
        try await withProxy([
            "/ok": .bytes(
                "HTTP/1.1 200 OK\r\nX-B: 2\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nX-A: 1\r\nSet-Cookie: b=2\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"),
            "/chunked": .bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"),
            "/gzip": .bytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(gzip.count)\r\n\r\n" + String(decoding: gzip, as: UTF8.self)),
            "/moved": .bytes("HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n"),
        ]) { proxy, _ in
            let ok = try await RawHTTP.send(port: proxy.port, method: "GET", path: "/ok")
            #expect(ok.status == 200)
            #expect(ok.bodyText == #"{"ok":true}"#)
            #expect(
                ok.headers.map { "\($0.0): \($0.1)" }
                    == ["X-B: 2", "Content-Type: application/json", "Set-Cookie: a=1", "X-A: 1", "Set-Cookie: b=2", "Content-Length: 11", "Connection: close"])
            let chunked = try await RawHTTP.send(port: proxy.port, method: "GET", path: "/chunked")
            #expect(chunked.bodyText == "hello world")
            #expect(chunked.header("Content-Length") == "11")
            #expect(chunked.header("Transfer-Encoding") == nil)
            #expect(chunked.header("X-Trailer") == nil, "a trailer is not a header field of the answer")
            let compressed = try await RawHTTP.send(port: proxy.port, method: "GET", path: "/gzip")
            #expect(compressed.header("Content-Encoding") == "gzip")
            #expect(compressed.body.count == gzip.count)
            let moved = try await RawHTTP.send(port: proxy.port, method: "GET", path: "/moved")
            #expect(moved.status == 302, "redirects are returned, not followed")
            #expect(moved.header("Location") == "/ok")

            let entries = proxy.rawEntries.sorted { $0.request.url < $1.request.url }
            #expect(entries.map(\.response.status) == [200, 200, 302, 200])
            let okEntry = try #require(entries.first { $0.request.url.hasSuffix("/ok") })
            #expect(okEntry.response.headers.map(\.name) == ["X-B", "Content-Type", "Set-Cookie", "X-A", "Set-Cookie", "Content-Length"])
            #expect(okEntry.response.mimeType == "application/json")
            #expect(okEntry.response.text == #"{"ok":true}"#)
        }
    }

    @Test("an interim 100 Continue block is not the answer's; HEAD gets the fields without waiting for a body")
    func interimAndHead() async throws {
        try await withProxy([
            "/continue": .bytes("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\nHTTP/1.1 201 Created\r\nX-Final: yes\r\nContent-Length: 4\r\n\r\ndone"),
            "/head": .bytes("HTTP/1.1 200 OK\r\nX-Head: yes\r\nContent-Length: 1234\r\n\r\n"),
        ]) { proxy, _ in
            let created = try await RawHTTP.send(port: proxy.port, method: "POST", path: "/continue", body: "{}")
            #expect(created.status == 201)
            #expect(created.bodyText == "done")
            #expect(created.header("X-Final") == "yes")
            #expect(created.header("X-Interim") == nil)
            let head = try await RawHTTP.send(port: proxy.port, method: "HEAD", path: "/head")
            #expect(head.status == 200)
            #expect(head.header("X-Head") == "yes")
            #expect(head.body.isEmpty)
        }
    }

    @Test("what the upstream is sent: the method, the client's fields and body, Connection: close; nothing libcurl would add")
    func requestAsSent() async throws {
        let echo = Canned.bytes("HTTP/1.1 204 No Content\r\n\r\n")
        try await withProxy(["/a?x=1": echo, "/b": echo, "/c": echo]) { proxy, upstream in
            _ = try await RawHTTP.send(
                port: proxy.port, method: "GET", path: "/a?x=1",
                headers: [("X-Custom", "v"), ("User-Agent", "test/1"), ("Accept-Encoding", "gzip"), ("X-Empty", "")])
            _ = try await RawHTTP.send(port: proxy.port, method: "PUT", path: "/b", body: String(repeating: "x", count: 3000))
            let form = "POST /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\na=1"
            _ = try await RawHTTP.exchange(port: proxy.port, bytes: Array(form.utf8))
            let seen = upstream.received.withLock { $0 }.sorted { $0.lines[0] < $1.lines[0] }
            #expect(seen.map { $0.lines[0] } == ["GET /a?x=1 HTTP/1.1", "POST /c HTTP/1.1", "PUT /b HTTP/1.1"])
            let get = seen[0]
            #expect(get.header("X-Custom") == "v")
            #expect(get.header("User-Agent") == "test/1")
            #expect(get.lines.contains("X-Empty:"), "an empty field is sent empty: \(get.lines)")
            #expect(get.header("Accept-Encoding") == nil, "no compressed answer asked for")
            #expect(get.header("Connection") == "close")
            #expect(get.header("Content-Length") == nil)
            let post = seen[1]
            #expect(post.body == "a=1")
            #expect(post.header("Content-Type") == nil, "no form Content-Type made up")
            let put = seen[2]
            #expect(put.body.count == 3000)
            #expect(put.header("Content-Type") == "application/json")
            #expect(put.header("Expect") == nil, "no 100-continue wait")
        }
    }

    @Test("each failure reaches the client as it came and is kept with libcurl's words")
    func failures() async throws {
        try await withProxy(
            [
                "/empty": .bytes(""),
                "/reset": .reset,
                "/garbage": .bytes("\u{1}\u{2} not HTTP at all\r\n\r\n"),
                "/truncated": .bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"),
                "/hold": .hold,
            ],
            // 0.5 s was once too short for the /empty upstream to close, with the whole suite running.
            timeout: 2
        ) { proxy, _ in
            let request = { (path: String) in Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8) }
            let empty = try await RawHTTP.exchange(port: proxy.port, bytes: request("/empty"))
            #expect(empty.isEmpty)
            await #expect(throws: IOError.self) { _ = try await RawHTTP.exchange(port: proxy.port, bytes: request("/reset")) }
            let garbage = try await RawHTTP.exchange(port: proxy.port, bytes: request("/garbage"))
            #expect(!garbage.isEmpty && !garbage.starts(with: Array("HTTP/".utf8)))
            await #expect(throws: IOError.self) { _ = try await RawHTTP.exchange(port: proxy.port, bytes: request("/truncated")) }
            let held = try await RawHTTP.exchange(port: proxy.port, bytes: request("/hold"))
            #expect(held.isEmpty, "a timeout: closed without an answer")

            let byPath = Dictionary(proxy.rawEntries.map { ($0.request.url.components(separatedBy: "/").last!, $0) }) { a, _ in a }
            #expect(byPath["empty"]?.response.error == HARTransportError.empty)
            #expect(byPath["empty"]?.comment?.contains("curl error 52") == true, "\(byPath["empty"]?.comment ?? "")")
            #expect(byPath["reset"]?.response.error == HARTransportError.reset)
            #expect(byPath["garbage"]?.response.error == HARTransportError.invalid)
            #expect(byPath["truncated"]?.response.error == HARTransportError.reset)
            #expect(byPath["truncated"]?.comment?.contains("90 bytes remaining") == true, "\(byPath["truncated"]?.comment ?? "")")
            #expect(byPath["hold"]?.response.error == HARTransportError.timedOut)
            #expect(byPath.values.allSatisfy { $0.response.status == 0 })
        }
    }

    @Test("an upstream that refuses the connection: a reset for the client, ERR_CONNECTION_REFUSED in the file")
    func refused() async throws {
        let proxy = try await RecordingProxy.start(.init(upstream: "http://127.0.0.1:1", port: 0))
        await #expect(throws: IOError.self) {
            _ = try await RawHTTP.exchange(port: proxy.port, bytes: Array("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        }
        await proxy.shutdown(grace: .seconds(1))
        #expect(proxy.rawEntries.map(\.response.error) == [HARTransportError.refused])
        #expect(proxy.rawEntries.first?.comment?.contains("curl error 7") == true)
    }
}
