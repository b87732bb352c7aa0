import StarMockCore
import StarMockDialects
import StarMockHAR

extension AdminAPI {
    /// `GET /__admin/journal.har[?limit=N]`: the journal as a HAR 1.2 archive, its URLs on the
    /// `Host` the request was sent to (devtools, Charles and mitmproxy open it).
    func journalHAR(_ request: DialectRequest) -> DialectResponse {
        let limitText = request.queryValue("limit")
        let limit = limitText.flatMap(Int.init)
        if limitText != nil, (limit ?? -1) < 0 {
            return Self.error(400, "?limit= must be an integer ≥ 0")
        }
        let host = request.header("Host").flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let har = world.read { w in
            var entries = w.journal.entries
            if let limit { entries = Array(entries.suffix(limit)) }
            return HAR(journal: entries, baseURL: "http://\(host)", comment: w.journal.dropped > 0 ? "\(w.journal.dropped) older exchanges were dropped from the journal" : nil)
        }
        return DialectResponse(
            status: 200, headers: [("Content-Type", "application/json"), ("Content-Disposition", "attachment; filename=\"journal.har\"")],
            body: Array(har.text.utf8))
    }
}
