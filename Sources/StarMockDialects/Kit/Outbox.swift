public import StarMockCore

/// A request StarMock itself sends (the Bot API's webhook push): a dialect queues it in the
/// world, the server (which alone knows sockets) sends it and reports back. No NIO here.
public struct OutboundRequest: Sendable {
    /// Its id in the outbox.
    public var id: Int
    /// `http://127.0.0.1:8443/hook`.
    public var url: String
    /// Header fields besides `Host`, `Content-Length` and `Content-Type: application/json`.
    public var headers: [(String, String)]
    /// The JSON body.
    public var body: [UInt8]
    /// How long the server waits for an answer (real time).
    public var timeout: Duration
    /// Called inside a world transaction with what happened.
    public var completed: @Sendable (OutboundResult, inout WorldState) -> Void

    /// A request.
    public init(
        url: String, headers: [(String, String)] = [], body: [UInt8], timeout: Duration,
        completed: @escaping @Sendable (OutboundResult, inout WorldState) -> Void
    ) {
        self.id = 0
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.completed = completed
    }
}

/// What became of an outbound request.
public enum OutboundResult: Sendable, Equatable {
    /// The receiver answered with this status (and body, for error messages).
    case answered(status: Int, body: String)
    /// No answer in time.
    case timedOut
    /// The connection could not be made or broke (`Connection refused`).
    case failed(String)
}

/// The queue of outbound requests, kept in the world (it resets with it).
public struct Outbox: Sendable, DialectStateKey {
    /// Waiting to be sent, oldest first.
    public var pending: [OutboundRequest] = []
    var nextID = 1

    /// The topic signalled when a request is queued.
    public static let topic = "starmock.outbox"

    public static func initial(_ setup: WorldSetup) -> Outbox { Outbox() }
}

extension WorldState {
    /// Queues a request for the server to send, and wakes the sender.
    public mutating func send(_ request: OutboundRequest) {
        var request = request
        request.id = self[Outbox.self].nextID
        self[Outbox.self].nextID += 1
        self[Outbox.self].pending.append(request)
        signal(Outbox.topic)
    }

    /// Takes every queued request (the server's sender).
    public mutating func takeOutbound() -> [OutboundRequest] {
        let pending = self[Outbox.self].pending
        self[Outbox.self].pending.removeAll()
        return pending
    }
}
