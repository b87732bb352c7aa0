public import StarMockCore

extension HAR {
    /// The journal as an archive: one entry per exchange, its URL on `baseURL`, its timing from
    /// the world's clock (`received_at` → `answered_at`), StarMock's fault in `_starmock.fault`,
    /// and a transport fault as Chromium names a failed request (`status` 0, `_error`).
    public init(journal entries: [JournalEntry], baseURL: String, comment: String? = nil) {
        self.init(comment: comment, entries: entries.map { HAREntry(journal: $0, baseURL: baseURL) })
    }
}

extension HAREntry {
    /// One journal entry.
    public init(journal e: JournalEntry, baseURL: String) {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let requestHeaders = e.requestHeaders.map { HARField($0.name, $0.value) }
        let request = HARRequest(
            method: e.method, url: base + e.target, headers: requestHeaders, body: Array(e.requestBody.utf8),
            mimeType: e.requestHeaders.first { $0.name.lowercased() == "content-type" }?.value)
        var response: HARResponse
        if let status = e.status {
            var headers = e.responseHeaders.map { HARField($0.name, $0.value) }
            if headers.isEmpty, let retry = e.retryAfter { headers.append(HARField("Retry-After", retry)) }
            let mime = headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
            response = HARResponse(status: status, headers: headers, body: Array(e.responseBody.utf8), mimeType: mime)
            if let fault = e.fault, fault.contains("truncate") { response.error = HARTransportError.incomplete }
        } else {
            response = HARResponse(status: 0, error: HARTransportFault.error(forFault: e.fault))
        }
        self.init(
            started: e.receivedAt, time: Double(e.answeredAt.milliseconds - e.receivedAt.milliseconds), request: request,
            response: response, fault: e.fault, dialect: e.dialect?.name)
    }
}

/// Transport faults and the errors a client sees for them.
public enum HARTransportFault {
    /// Chromium's name for what a client saw when StarMock applied `fault` (its journal text).
    public static func error(forFault fault: String?) -> String {
        guard let fault else { return HARTransportError.empty }
        if fault.contains("reset") { return HARTransportError.reset }
        if fault.contains("garbage") { return HARTransportError.invalid }
        if fault.contains("truncate") { return HARTransportError.incomplete }
        return HARTransportError.empty
    }

    /// The scenario transport fault that makes a client see `error` (nil: none fits).
    public static func scenarioName(forError error: String) -> String? {
        let e = error.uppercased()
        if e.contains("RESET") || e.contains("ECONNRESET") || e.contains("ABORTED") { return "reset" }
        if e.contains("EMPTY_RESPONSE") || e.contains("EMPTY") || e.contains("CLOSED") || e.contains("NO RESPONSE") { return "close" }
        if e.contains("INVALID_HTTP") || e.contains("INVALID_RESPONSE") || e.contains("GARBAGE") { return "garbage" }
        return nil
    }
}

extension JournalEntry {
    /// Reads `GET /__admin/journal`'s JSON (`{"entries": [...]}`) back into entries.
    public static func entries(fromJournalJSON root: JSON) throws(HARError) -> [JournalEntry] {
        guard let list = root["entries"]?.arrayValue else {
            throw HARError("", "no \"entries\" list: not a StarMock journal (GET /__admin/journal) nor a HAR file")
        }
        var out: [JournalEntry] = []
        for (i, e) in list.enumerated() {
            let at = "entries[\(i)]"
            guard let method = e["method"]?.stringValue, let target = e["target"]?.stringValue else {
                throw HARError(at, "needs \"method\" and \"target\"")
            }
            guard let receivedText = e["received_at"]?.stringValue, let received = WorldTime(receivedText) else {
                throw HARError(at, "needs \"received_at\" as an ISO 8601 time")
            }
            let answered = e["answered_at"]?.stringValue.flatMap { WorldTime($0) } ?? received
            out.append(
                JournalEntry(
                    sequence: e["sequence"]?.intValue ?? i + 1, receivedAt: received, answeredAt: answered,
                    dialect: e["dialect"]?.stringValue.map { DialectID($0) }, method: method, target: target,
                    key: e["key"]?.stringValue, requestBody: e["request_body"]?.stringValue ?? "",
                    status: e["status"]?.intValue, responseBody: e["response_body"]?.stringValue ?? "",
                    fault: e["fault"]?.stringValue))
        }
        return out
    }
}
