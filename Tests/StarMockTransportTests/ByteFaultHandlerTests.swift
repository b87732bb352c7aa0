import NIOCore
import NIOEmbedded
import StarMockCore
import StarMockTransport
import Testing

/// The byte-level faults without a socket: what leaves the channel, on an embedded event loop
/// whose time the test moves.
@Suite("ByteFaultHandler: truncate, dribble, garbage")
struct ByteFaultHandlerTests {
    func outbound(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    @Test("Unarmed, bytes pass through untouched")
    func passThrough() throws {
        let channel = EmbeddedChannel(handler: ByteFaultHandler())
        try channel.writeAndFlush(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")).wait()
        #expect(try outbound(channel) == Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
    }

    @Test("truncate(N): only the first N bytes of the response leave, across several writes")
    func truncate() throws {
        let handler = ByteFaultHandler()
        let channel = EmbeddedChannel(handler: handler)
        handler.arm(.truncate(afterBytes: 10))
        channel.write(ByteBuffer(string: "HTTP/1.1 "), promise: nil)
        channel.write(ByteBuffer(string: "200 OK\r\nContent-Length: 2\r\n\r\n"), promise: nil)
        try channel.writeAndFlush(ByteBuffer(string: "{}")).wait()
        #expect(try outbound(channel) == Array("HTTP/1.1 2".utf8))
    }

    @Test("dribble: the response leaves in chunks of N bytes spread over the duration, all of it in the end")
    func dribble() throws {
        let handler = ByteFaultHandler()
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: handler, loop: loop)
        handler.arm(.dribble(chunkBytes: 4, over: .milliseconds(300)))
        let body = "0123456789abcdef"  // 4 chunks, 100 ms apart
        let written = channel.writeAndFlush(ByteBuffer(string: body))
        loop.run()
        #expect(try outbound(channel) == Array("0123".utf8))
        loop.advanceTime(by: .milliseconds(100))
        #expect(try outbound(channel) == Array("4567".utf8))
        loop.advanceTime(by: .milliseconds(200))
        #expect(try outbound(channel) == Array("89abcdef".utf8))
        try written.wait()
    }

    @Test("garbage: raw bytes, below any encoder, then the channel closes")
    func garbage() throws {
        let handler = ByteFaultHandler()
        let channel = EmbeddedChannel(handler: handler)
        handler.writeGarbageAndClose(Array("\u{0}junk".utf8))
        #expect(try outbound(channel) == Array("\u{0}junk".utf8))
        #expect(!channel.isActive)
    }
}
