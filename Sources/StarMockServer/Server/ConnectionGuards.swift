import NIOCore
import NIOHTTP1
import Synchronization

/// Sits before the HTTP decoder: notes when a request's first bytes arrived (the header-read
/// deadline starts then), and keeps the current request's first line, so that a request whose
/// header section is too large for the decoder still gets its answer in the shape of the
/// dialect its path names.
final class RequestLineCapture: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// When the current request's first bytes arrived; nil before they do.
    private(set) var firstByteAt: NIODeadline?

    /// The most of a request line kept.
    static let maxLine = 8192

    private var line: [UInt8] = []
    private var complete = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !complete {
            let buffer = unwrapInboundIn(data)
            if firstByteAt == nil, buffer.readableBytes > 0 { firstByteAt = .now() }
            buffer.withUnsafeReadableBytes { bytes in
                // Up to the line's end, copied in runs rather than byte by byte.
                var rest = bytes[...]
                while !complete, let first = rest.first {
                    // Blank lines before a request are allowed (RFC 9112 §2.2).
                    if line.isEmpty && first == UInt8(ascii: "\r") {
                        rest = rest.dropFirst()
                        continue
                    }
                    let window = rest.prefix(Self.maxLine - line.count)
                    if let end = window.firstIndex(of: UInt8(ascii: "\n")) {
                        line.append(contentsOf: rest[..<end])
                        complete = true
                    } else {
                        line.append(contentsOf: window)
                        rest = rest[window.endIndex...]
                        if line.count >= Self.maxLine { complete = true }
                    }
                }
            }
        }
        context.fireChannelRead(data)
    }

    /// The next bytes start a new request.
    func nextRequest() {
        line.removeAll(keepingCapacity: true)
        complete = false
        firstByteAt = nil
    }

    /// The request target of the line kept (`/api/v1/balance` from `GET /api/v1/balance HTTP/1.1`).
    var target: String? {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        return String(decoding: parts[1], as: UTF8.self)
    }
}

/// Answers a connection over the server's cap with a bare 503 and closes it; nothing of it
/// is read.
final class RefuseConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    static let answer = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: Self.answer))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

/// The server's open connections: counted against the cap, and told to finish on shutdown.
final class Connections: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var whenEmpty: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Adds `channel`; false when the server already has `limit` open connections.
    func admit(_ channel: any Channel) -> Bool {
        let admitted = state.withLock { s -> Bool in
            guard s.channels.count < limit else { return false }
            s.channels[ObjectIdentifier(channel)] = channel
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [weak self] _ in self?.remove(channel) }
        return true
    }

    private func remove(_ channel: any Channel) {
        let callbacks = state.withLock { s -> [@Sendable () -> Void] in
            s.channels.removeValue(forKey: ObjectIdentifier(channel))
            guard s.channels.isEmpty else { return [] }
            defer { s.whenEmpty.removeAll() }
            return s.whenEmpty
        }
        for callback in callbacks { callback() }
    }

    var count: Int { state.withLock { $0.channels.count } }

    /// Read on every answer: an atomic, not the lock.
    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }
    private let shuttingDown = Atomic<Bool>(false)

    /// Marks the shutdown and returns the connections open now.
    func beginShutdown() -> [any Channel] {
        state.withLock { s in
            shuttingDown.store(true, ordering: .releasing)
            return Array(s.channels.values)
        }
    }

    /// Calls `callback` once no connection is open (at once if none is).
    func whenEmpty(_ callback: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.channels.isEmpty { return true }
            s.whenEmpty.append(callback)
            return false
        }
        if now { callback() }
    }

    /// Every connection still open.
    var open: [any Channel] { state.withLock { Array($0.channels.values) } }
}
