/// One exchange as the server saw it.
public struct JournalEntry: Sendable, Equatable {
    /// Position in the journal, from 1.
    public var sequence: Int
    /// When the request arrived, on the world's clock.
    public var receivedAt: WorldTime
    /// When the answer was sent (or the connection ended), on the world's clock.
    public var answeredAt: WorldTime
    /// The dialect that answered, or nil when no dialect matched.
    public var dialect: DialectID?
    /// HTTP method.
    public var method: String
    /// Path and query, as sent.
    public var target: String
    /// The API key or bot token presented.
    public var key: String?
    /// The request body (UTF-8, lossy).
    public var requestBody: String
    /// The status sent; nil when no answer was sent (transport fault).
    public var status: Int?
    /// The response body (UTF-8, lossy).
    public var responseBody: String
    /// The fault applied, if any (`CHARGING_ERROR`, `reset`, `latency 200ms`, …).
    public var fault: String?
    /// The `Retry-After` header sent with the answer, as written (`"7"`); nil without one.
    public var retryAfter: String?
    /// The request's header fields as received (for HAR export; empty when not kept).
    public var requestHeaders: [JournalHeader] = []
    /// The answer's header fields as sent, `Content-Length` included (empty without an answer).
    public var responseHeaders: [JournalHeader] = []

    /// An entry.
    public init(
        sequence: Int, receivedAt: WorldTime, answeredAt: WorldTime, dialect: DialectID?, method: String,
        target: String, key: String?, requestBody: String, status: Int?, responseBody: String, fault: String?,
        retryAfter: String? = nil, requestHeaders: [JournalHeader] = [], responseHeaders: [JournalHeader] = []
    ) {
        self.sequence = sequence
        self.receivedAt = receivedAt
        self.answeredAt = answeredAt
        self.dialect = dialect
        self.method = method
        self.target = target
        self.key = key
        self.requestBody = requestBody
        self.status = status
        self.responseBody = responseBody
        self.fault = fault
        self.retryAfter = retryAfter
        self.requestHeaders = requestHeaders
        self.responseHeaders = responseHeaders
    }

    /// Two entries are equal when their exchanges are: the header fields, which carry the
    /// connection's `Host` (and so its port), are not compared.
    public static func == (a: JournalEntry, b: JournalEntry) -> Bool {
        a.sequence == b.sequence && a.receivedAt == b.receivedAt && a.answeredAt == b.answeredAt && a.dialect == b.dialect
            && a.method == b.method && a.target == b.target && a.key == b.key && a.requestBody == b.requestBody
            && a.status == b.status && a.responseBody == b.responseBody && a.fault == b.fault && a.retryAfter == b.retryAfter
    }

    /// The entry as JSON for the control API.
    public var json: JSON {
        .object([
            ("sequence", .int(sequence)),
            ("received_at", .string(receivedAt.iso8601)),
            ("answered_at", .string(answeredAt.iso8601)),
            ("dialect", dialect.map { .string($0.name) } ?? .null),
            ("method", .string(method)),
            ("target", .string(target)),
            ("key", key.map(JSON.string) ?? .null),
            ("request_body", .string(requestBody)),
            ("status", status.map { .int($0) } ?? .null),
            ("response_body", .string(responseBody)),
            ("fault", fault.map(JSON.string) ?? .null),
        ])
    }
}

/// One header field of a journaled exchange, as it was on the wire.
public struct JournalHeader: Sendable, Equatable {
    /// The field's name, as written.
    public var name: String
    /// Its value.
    public var value: String

    /// A field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The exchanges received, newest last, bounded in memory (oldest dropped first).
public struct Journal: Sendable {
    /// How many entries are kept.
    public let capacity: Int
    private var ring: [JournalEntry] = []
    private var start = 0
    /// How many entries were ever recorded.
    public private(set) var recorded = 0

    /// An empty journal.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends an exchange, numbering it.
    public mutating func record(_ make: (Int) -> JournalEntry) {
        recorded += 1
        let entry = make(recorded)
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[start] = entry
            start = (start + 1) % capacity
        }
    }

    /// The kept entries, oldest first.
    public var entries: [JournalEntry] { Array(ring[start...] + ring[..<start]) }

    /// How many were dropped for space.
    public var dropped: Int { recorded - ring.count }
}
