public import NIOCore
import NIOPosix

/// Connection-level faults that end a connection without (or instead of) an HTTP answer.
public enum ConnectionFaults {
    /// RST: `SO_LINGER` 0 then close, so the client sees ECONNRESET.
    public static func reset(_ channel: any Channel) {
        guard let provider = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// A clean close without a byte of answer ("empty reply from server").
    public static func closeWithoutAnswer(_ channel: any Channel) {
        channel.close(promise: nil)
    }

    /// The bytes sent by default for a `garbage` fault: not HTTP.
    public static let defaultGarbage: [UInt8] = Array("\u{0}\u{1}\u{2}garbage: not an HTTP response\r\n\r\n\u{7f}".utf8)
}
