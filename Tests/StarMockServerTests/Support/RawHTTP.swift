import Foundation
import NIOCore
import NIOPosix

/// A response read off the wire, byte for byte.
struct RawResponse: Sendable {
    /// Everything the server sent.
    var bytes: [UInt8]
    /// The status code, if a status line was read.
    var status: Int?
    /// Header fields.
    var headers: [(String, String)]
    /// The body (what follows the blank line).
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        headers = []
        body = []
        status = nil
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        body = Array(bytes[end.upperBound...])
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        status = statusLine.count > 1 ? Int(statusLine[1]) : nil
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}

/// A minimal HTTP/1.1 client over a raw socket: sends one request with `Connection: close`
/// and reads until the server closes, so tests see exactly the bytes (and the resets) a
/// client would.
enum RawHTTP {
    static func send(
        host: String = "127.0.0.1", port: Int, method: String, path: String, headers: [(String, String)] = [],
        body: String? = nil
    ) async throws -> RawResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        return RawResponse(bytes: try await exchange(host: host, port: port, bytes: Array(text.utf8)))
    }

    /// Sends `bytes` and returns everything received until the server closes.
    static func exchange(host: String = "127.0.0.1", port: Int, bytes: [UInt8]) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            var received: [UInt8] = []
            for try await chunk in inbound { received += chunk.readableBytesView }
            return received
        }
    }

    /// Like `exchange`, also counting the reads it took (to see a dribbled response).
    static func exchangeCountingReads(port: Int, bytes: [UInt8]) async throws -> ([UInt8], Int) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            var received: [UInt8] = []
            var reads = 0
            for try await chunk in inbound {
                received += chunk.readableBytesView
                reads += 1
            }
            return (received, reads)
        }
    }
}
