import Foundation
public import StarMockCore

/// A `garbage` fault whose bytes are a complete HTTP response (a status line, headers, a blank
/// line, a body) is, to the client, that answer: a 200 whose body is not JSON, a 429 without
/// Retry-After. The journal records such an exchange as unanswered (`status` nil, the fault
/// `garbage(N bytes)`); the rules judge what the client saw, so the runner reads the bytes
/// back into the entry's status, body and Retry-After.
public enum ScriptedAnswer {
    /// The answer the bytes form: status, the `Retry-After` header, the body; nil when they are
    /// not a complete HTTP/1.x response.
    public static func parse(_ bytes: [UInt8]) -> (status: Int, retryAfter: String?, body: String)? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]),
            (100...599).contains(status)
        else { return nil }
        var retryAfter: String?
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "retry-after" { retryAfter = value }
            if name == "content-length" { length = Int(value) }
        }
        let body = String(text[split.upperBound...])
        if let length, length != body.utf8.count { return nil }
        return (status, retryAfter, body)
    }

    /// `entry` as the client saw it: when its fault is a `garbage` of N bytes and a scripted
    /// garbage of N bytes forms a complete response, that response's status, body and
    /// Retry-After; otherwise the entry unchanged.
    public static func judged(_ entry: JournalEntry, garbage: [[UInt8]]) -> JournalEntry {
        guard entry.status == nil, let fault = entry.fault, let open = fault.range(of: "garbage(") else { return entry }
        let digits = fault[open.upperBound...].prefix { $0.isNumber }
        guard let count = Int(digits), let bytes = garbage.first(where: { $0.count == count }),
            let answer = parse(bytes)
        else { return entry }
        var seen = entry
        seen.status = answer.status
        seen.responseBody = answer.body
        seen.retryAfter = answer.retryAfter
        return seen
    }
}
