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
    /// The request body (UTF-8, lossy), up to the journal's body cap.
    public var requestBody: String {
        get { String(decoding: requestBodyBytes, as: UTF8.self) }
        set { requestBodyBytes = Array(newValue.utf8) }
    }
    /// The request body's bytes as kept (decoded only when ``requestBody`` is read).
    public var requestBodyBytes: [UInt8]
    /// The request body's full size in bytes, however much of it was kept.
    public var requestBodySize: Int
    /// The status sent; nil when no answer was sent (transport fault).
    public var status: Int?
    /// The response body (UTF-8, lossy), up to the journal's body cap.
    public var responseBody: String {
        get { String(decoding: responseBodyBytes, as: UTF8.self) }
        set { responseBodyBytes = Array(newValue.utf8) }
    }
    /// The response body's bytes as kept: the answer's own, shared, not copied.
    public var responseBodyBytes: [UInt8]
    /// The response body's full size in bytes.
    public var responseBodySize: Int
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
        retryAfter: String? = nil, requestBodySize: Int? = nil, responseBodySize: Int? = nil,
        requestHeaders: [JournalHeader] = [], responseHeaders: [JournalHeader] = []
    ) {
        self.sequence = sequence
        self.receivedAt = receivedAt
        self.answeredAt = answeredAt
        self.dialect = dialect
        self.method = method
        self.target = target
        self.key = key
        self.requestBodyBytes = Array(requestBody.utf8)
        self.requestBodySize = requestBodySize ?? requestBody.utf8.count
        self.status = status
        self.responseBodyBytes = Array(responseBody.utf8)
        self.responseBodySize = responseBodySize ?? responseBody.utf8.count
        self.fault = fault
        self.retryAfter = retryAfter
        self.requestHeaders = requestHeaders
        self.responseHeaders = responseHeaders
    }

    /// Two entries are equal when their exchanges are: the header fields, which carry the
    /// connection's `Host` (and so its port), are not compared.
    public static func == (a: JournalEntry, b: JournalEntry) -> Bool {
        a.sequence == b.sequence && a.receivedAt == b.receivedAt && a.answeredAt == b.answeredAt && a.dialect == b.dialect
            && a.method == b.method && a.target == b.target && a.key == b.key && a.requestBodyBytes == b.requestBodyBytes
            && a.status == b.status && a.responseBodyBytes == b.responseBodyBytes && a.fault == b.fault && a.retryAfter == b.retryAfter
            && a.requestBodySize == b.requestBodySize && a.responseBodySize == b.responseBodySize
    }

    /// The entry as JSON for the control API, its credential redacted wherever it appears
    /// (``Redaction``): the `key` field, the target (a bot token sits in the path) and the
    /// request body.
    public var json: JSON {
        let redact: (String) -> String = { text in key.map { Redaction.redact($0, in: text) } ?? text }
        return .object([
            ("sequence", .int(sequence)),
            ("received_at", .string(receivedAt.iso8601)),
            ("answered_at", .string(answeredAt.iso8601)),
            ("dialect", dialect.map { .string($0.name) } ?? .null),
            ("method", .string(method)),
            ("target", .string(redact(target))),
            ("key", key.map { .string(Redaction.redacted($0)) } ?? .null),
            ("request_body", .string(redact(requestBody))),
            ("request_body_size", .int(requestBodySize)),
            ("status", status.map { .int($0) } ?? .null),
            ("response_body", .string(responseBody)),
            ("response_body_size", .int(responseBodySize)),
            ("fault", fault.map(JSON.string) ?? .null),
            ("latency_ms", .int(Int(answeredAt.milliseconds - receivedAt.milliseconds))),
            ("retry_after", retryAfter.map(JSON.string) ?? .null),
        ])
    }

    /// What the entry costs the journal's byte budget: its texts plus a fixed overhead.
    var cost: Int {
        Journal.entryOverhead + method.utf8.count + target.utf8.count + (key?.utf8.count ?? 0)
            + requestBodyBytes.count + responseBodyBytes.count + (fault?.utf8.count ?? 0) + (retryAfter?.utf8.count ?? 0)
            + requestHeaders.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            + responseHeaders.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}

/// How credentials are shown outside the process: a stable placeholder plus the last four
/// characters (`[REDACTED]0000`), so that two keys stay distinguishable and none can be read
/// back. Secrets shorter than 8 characters show no character at all.
public enum Redaction {
    /// The placeholder.
    public static let placeholder = "[REDACTED]"

    /// `secret` as shown: `[REDACTED]` and its last 4 characters.
    public static func redacted(_ secret: String) -> String {
        secret.count < 8 ? placeholder : placeholder + String(secret.suffix(4))
    }

    /// `text` with every occurrence of `secret` redacted.
    public static func redact(_ secret: String, in text: String) -> String {
        guard !secret.isEmpty, text.contains(secret) else { return text }
        return text.replacingOccurrences(of: secret, with: redacted(secret))
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

/// The exchanges received, newest last, bounded in entries and in bytes (oldest dropped
/// first). Bodies are kept up to `bodyCap` bytes each, their full size recorded.
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

/// The exchanges received, newest last, bounded in entries and in bytes (oldest dropped
/// first). Bodies are kept up to `bodyCap` bytes each, their full size recorded.
public struct Journal: Sendable {
    /// The bytes an entry costs besides its texts (its fixed fields, its place in the ring).
    public static let entryOverhead = 256
    /// How many entries are kept.
    public let capacity: Int
    /// How many bytes the kept entries may cost in all (``JournalEntry``'s texts plus
    /// ``entryOverhead`` each); the newest entry is always kept.
    public let byteBudget: Int
    /// How many bytes of each body are kept.
    public let bodyCap: Int
    /// A ring of at most `capacity` slots: the kept entries are `count` slots from `head`,
    /// wrapping around. A dropped entry's slot is emptied at once (its texts freed), so the
    /// journal never holds more than `capacity` entries' texts, nor more than `byteBudget`.
    private var ring: [JournalEntry] = []
    /// What each slot's entry costs (computed once, when it is recorded).
    private var costs: [Int] = []
    private var head = 0
    public private(set) var count = 0
    /// How many entries were ever recorded.
    public private(set) var recorded = 0
    /// How many were dropped for space (entries or bytes).
    public private(set) var dropped = 0
    /// What the kept entries cost.
    public private(set) var bytes = 0

    /// An empty journal.
    public init(capacity: Int, byteBudget: Int = 8 << 20, bodyCap: Int = 4096) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(0, byteBudget)
        self.bodyCap = max(0, bodyCap)
    }

    /// Appends an exchange, numbering it; its bodies are cut at `bodyCap`.
    public mutating func record(_ make: (Int) -> JournalEntry) {
        recorded += 1
        var entry = make(recorded)
        entry.requestBodyBytes = Self.cut(entry.requestBodyBytes, to: bodyCap)
        entry.responseBodyBytes = Self.cut(entry.responseBodyBytes, to: bodyCap)
        let cost = entry.cost
        while count > 0 && (count >= capacity || bytes + cost > byteBudget) { dropOldest() }
        if count == ring.count {
            // Every slot is taken (and fewer than `capacity`): grow, the oldest first.
            if head != 0 {
                ring = Array(ring[head...] + ring[..<head])
                costs = Array(costs[head...] + costs[..<head])
                head = 0
            }
            ring.append(entry)
            costs.append(cost)
        } else {
            let slot = (head + count) % ring.count
            ring[slot] = entry
            costs[slot] = cost
        }
        count += 1
        bytes += cost
    }

    /// The kept entries, oldest first.
    public var entries: [JournalEntry] {
        (0..<count).map { ring[(head + $0) % ring.count] }
    }

    private mutating func dropOldest() {
        bytes -= costs[head]
        ring[head] = Self.emptySlot
        costs[head] = 0
        head = (head + 1) % ring.count
        count -= 1
        dropped += 1
        if count == 0 { head = 0 }
    }

    /// What an emptied slot holds: no texts.
    private static let emptySlot = JournalEntry(
        sequence: 0, receivedAt: WorldTime(milliseconds: 0), answeredAt: WorldTime(milliseconds: 0), dialect: nil, method: "",
        target: "", key: nil, requestBody: "", status: nil, responseBody: "", fault: nil)

    /// The first `cap` bytes of `text` (a character cut in two is dropped).
    static func cut(_ text: String, to cap: Int) -> String {
        String(decoding: cut(Array(text.utf8), to: cap), as: UTF8.self)
    }

    /// The first `cap` bytes of UTF-8 `bytes` (a character cut in two is dropped); `bytes`
    /// itself, shared, when it is no longer.
    static func cut(_ bytes: [UInt8], to cap: Int) -> [UInt8] {
        guard bytes.count > cap else { return bytes }
        var end = cap
        while end > 0 && UTF8.isContinuation(bytes[end]) { end -= 1 }
        return Array(bytes[..<end])
    }
}
