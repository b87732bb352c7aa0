public import NIOCore
import StarMockCore

/// Sits next to the socket, below the HTTP encoder, and breaks the bytes of one response on
/// request: sends only the first N bytes, or dribbles them in chunks over a time. Everything
/// else passes through untouched.
public final class ByteFaultHandler: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum Mode {
        case pass
        case truncate(remaining: Int)
        case dribble(chunkBytes: Int, over: TimeAmount, pending: ByteBuffer?, promises: [EventLoopPromise<Void>])
    }

    private var mode = Mode.pass
    private var context: ChannelHandlerContext?

    /// A pass-through handler.
    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Breaks the next response's bytes. Must be called on the channel's event loop.
    public func arm(_ fault: TransportFault) {
        switch fault {
        case .truncate(let n): mode = .truncate(remaining: max(0, n))
        case .dribble(let chunk, let over):
            mode = .dribble(
                chunkBytes: max(1, chunk), over: .nanoseconds(Int64(over.wholeMilliseconds) * 1_000_000), pending: nil,
                promises: [])
        default: mode = .pass
        }
    }

    /// Writes raw bytes straight to the socket, below any HTTP encoding, then closes.
    public func writeGarbageAndClose(_ bytes: [UInt8]) {
        guard let context else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .pass:
            context.write(data, promise: promise)
        case .truncate(let remaining):
            var buffer = unwrapOutboundIn(data)
            if remaining == 0 {
                promise?.succeed()
                return
            }
            if buffer.readableBytes > remaining {
                buffer = buffer.getSlice(at: buffer.readerIndex, length: remaining)!
            }
            mode = .truncate(remaining: remaining - buffer.readableBytes)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .dribble(let chunk, let over, var pending, var promises):
            var buffer = unwrapOutboundIn(data)
            if pending == nil { pending = buffer } else { pending!.writeBuffer(&buffer) }
            if let promise { promises.append(promise) }
            mode = .dribble(chunkBytes: chunk, over: over, pending: pending, promises: promises)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        guard case .dribble(let chunk, let over, let pending, let promises) = mode, var bytes = pending else {
            context.flush()
            return
        }
        mode = .pass
        var chunks: [ByteBuffer] = []
        while bytes.readableBytes > 0 {
            chunks.append(bytes.readSlice(length: min(chunk, bytes.readableBytes))!)
        }
        let interval = chunks.count > 1 ? over.nanoseconds / Int64(chunks.count - 1) : 0
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        for (i, piece) in chunks.enumerated() {
            let isLast = i == chunks.count - 1
            loop.scheduleTask(in: .nanoseconds(interval * Int64(i))) {
                let context = bound.value
                let write = context.writeAndFlush(NIOAny(piece))
                if isLast {
                    write.whenComplete { result in
                        for p in promises {
                            switch result {
                            case .success: p.succeed()
                            case .failure(let e): p.fail(e)
                            }
                        }
                    }
                }
            }
        }
    }
}
