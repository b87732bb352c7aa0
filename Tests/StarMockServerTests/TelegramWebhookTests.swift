import Foundation
import NIOCore
import NIOPosix
import StarMockCore
import StarMockDialects
import StarMockServer
import Synchronization
import Testing

/// A bot's webhook on 127.0.0.1, port 0: answers each POST with the next status of `statuses`
/// (then 200) and keeps what it received.
final class WebhookReceiver: Sendable {
    let received = Mutex<[(secret: String?, body: String)]>([])
    let statuses: Mutex<[Int]>
    private let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, statuses: [Int]) {
        self.channel = channel
        self.statuses = Mutex(statuses)
    }

    static func start(statuses: [Int] = []) async throws -> WebhookReceiver {
        let box = Box()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawReceiver(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let receiver = WebhookReceiver(channel: channel, statuses: statuses)
        box.receiver.withLock { $0 = receiver }
        return receiver
    }

    func stop() async { try? await channel.close() }

    final class Box: Sendable { let receiver = Mutex<WebhookReceiver?>(nil) }

    /// Reads one whole request (head + Content-Length body) as bytes, answers, closes.
    final class RawReceiver: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let box: Box
        var bytes: [UInt8] = []
        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += unwrapInboundIn(data).readableBytesView
            let text = String(decoding: bytes, as: UTF8.self)
            guard let split = text.range(of: "\r\n\r\n") else { return }
            let head = text[..<split.lowerBound]
            let lines = head.split(separator: "\r\n").map(String.init)
            func header(_ name: String) -> String? {
                lines.first { $0.lowercased().hasPrefix(name.lowercased() + ":") }.map {
                    String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
                }
            }
            let length = Int(header("Content-Length") ?? "0") ?? 0
            let body = String(text[split.upperBound...])
            guard body.utf8.count >= length, let receiver = box.receiver.withLock({ $0 }) else { return }
            receiver.received.withLock { $0.append((header("X-Telegram-Bot-Api-Secret-Token"), body)) }
            let status = receiver.statuses.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            let answer = "HTTP/1.1 \(status) X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}


@Suite("Live socket: telegram webhooks and long polling", .timeLimit(.minutes(1)))
struct TelegramWebhookTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(25)) }
    }

    static func virtualDemo() -> WorldSetup {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        return setup
    }

    @Test("Each update is POSTed with the secret token; a 500 is redelivered after a back-off on the world clock")
    func pushAndRedeliver() async throws {
        let hook = try await WebhookReceiver.start(statuses: [500])
        try await withServer(Self.virtualDemo()) { server in
            let set = try await RawHTTP.send(
                port: server.port, method: "GET",
                path: Self.base + "/setWebhook?url=http%3A%2F%2F127.0.0.1%3A\(hook.port)%2Fhook&secret_token=s3cret")
            #expect(set.bodyText == #"{"ok":true,"result":true,"description":"Webhook was set"}"#)
            _ = server.control(method: "POST", path: "/__admin/telegram/message", body: Array(#"{"user_id":100000001,"text":"/start"}"#.utf8))
            try await Self.waitUntil { hook.received.withLock { $0.count } == 1 }
            try await Self.waitUntil {
                server.world.read { w in w.state(TelegramState.self).runtimes.values.first?.webhook?.lastErrorMessage != nil }
            }
            let info = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getWebhookInfo")
            #expect(info.bodyText.contains(#""pending_update_count":1"#))
            #expect(info.bodyText.contains(#""last_error_message":"Wrong response from the webhook: 500 Internal Server Error""#))
            server.world.advance(by: .seconds(1))
            try await Self.waitUntil { hook.received.withLock { $0.count } == 2 }
            let got = hook.received.withLock { $0 }
            #expect(got.count == 2)
            #expect(got.allSatisfy { $0.secret == "s3cret" })
            #expect(got.first?.body.hasPrefix(#"{"update_id":1,"message":{"message_id":1,"#) == true)
            #expect(got[0].body == got[1].body)
            try await Self.waitUntil { server.world.read { $0.state(TelegramState.self).runtimes.values.first?.updates.isEmpty == true } }
            let after = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getWebhookInfo")
            #expect(after.bodyText.contains(#""pending_update_count":0"#))
        }
        await hook.stop()
    }

    @Test("After a reset of the world, pushes still leave (the sender waits on the new world)")
    func afterReset() async throws {
        let hook = try await WebhookReceiver.start()
        try await withServer(Self.virtualDemo()) { server in
            #expect(server.control(method: "POST", path: "/__admin/reset").status == 200)
            _ = try await RawHTTP.send(
                port: server.port, method: "GET",
                path: Self.base + "/setWebhook?url=http%3A%2F%2F127.0.0.1%3A\(hook.port)%2Fhook")
            _ = server.control(method: "POST", path: "/__admin/telegram/message", body: Array(#"{"user_id":100000001,"text":"hi"}"#.utf8))
            try await Self.waitUntil { hook.received.withLock { $0.count } == 1 }
            #expect(hook.received.withLock { $0.count } == 1)
            #expect(hook.received.withLock { $0.first?.secret } == nil)
        }
        await hook.stop()
    }

    @Test("A refused connection is noted and retried; deleteWebhook stops the pushes")
    func refused() async throws {
        // A port bound but not listening: connections to it are refused, and no other test
        // can take it while the socket is open.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        try await withServer(Self.virtualDemo()) { server in
            _ = try await RawHTTP.send(
                port: server.port, method: "GET", path: Self.base + "/setWebhook?url=http%3A%2F%2F127.0.0.1%3A\(port)%2F")
            _ = server.control(method: "POST", path: "/__admin/telegram/message", body: Array(#"{"user_id":100000001,"text":"hi"}"#.utf8))
            try await Self.waitUntil {
                server.world.read { w in w.state(TelegramState.self).runtimes.values.first?.webhook?.lastErrorMessage != nil }
            }
            let info = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getWebhookInfo")
            #expect(info.bodyText.contains(#""last_error_message":"Connection refused""#))
            let deleted = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/deleteWebhook")
            #expect(deleted.bodyText == #"{"ok":true,"result":true,"description":"Webhook was deleted"}"#)
            let updates = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getUpdates")
            #expect(updates.bodyText.contains(#""update_id":1"#))
        }
    }

    @Test("A long poll is held without blocking and the first update wakes it; shutdown answers a held poll")
    func longPoll() async throws {
        try await withServer(Self.virtualDemo()) { server in
            async let held = RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getUpdates?timeout=50")
            try await Self.waitUntil { server.world.read { $0.state(TelegramState.self).runtimes.values.first?.poll != nil } }
            let balance = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMyStarBalance")
            #expect(balance.status == 200)
            _ = server.control(method: "POST", path: "/__admin/telegram/message", body: Array(#"{"user_id":100000001,"text":"hi"}"#.utf8))
            let answer = try await held
            #expect(answer.bodyText.hasPrefix(#"{"ok":true,"result":[{"update_id":1,"message":"#))
            async let second = RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getUpdates?offset=2&timeout=50")
            try await Self.waitUntil { server.world.read { $0.state(TelegramState.self).runtimes.values.first?.poll != nil } }
            try await server.shutdown()
            #expect(try await second.bodyText == #"{"ok":true,"result":[]}"#)
        }
    }
}
