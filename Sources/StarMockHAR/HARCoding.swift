import Foundation
public import StarMockCore

// MARK: - Writing

extension HAR {
    /// The archive as HAR 1.2 JSON: every field the specification requires (devtools, Charles
    /// and mitmproxy refuse archives without them), bodies as text or, when not UTF-8, base64.
    public var json: JSON {
        var log: [(String, JSON)] = [
            ("version", .string("1.2")),
            ("creator", .object([("name", .string(creator)), ("version", .string(creatorVersion))])),
            ("pages", .array([])),
            ("entries", .array(entries.map(\.json))),
        ]
        if let comment { log.append(("comment", .string(comment))) }
        return .object([("log", .object(log))])
    }

    /// Pretty JSON text with a final newline.
    public var text: String { json.text(.pretty) + "\n" }
}

extension HAREntry {
    var json: JSON {
        let wait = max(0, time)
        var fields: [(String, JSON)] = [
            ("startedDateTime", .string(started.iso8601WithMilliseconds)),
            ("time", .number(HARNumber.ms(time))),
            ("request", request.json),
            ("response", response.json),
            ("cache", .object([])),
            (
                "timings",
                .object([
                    ("blocked", .int(-1)), ("dns", .int(-1)), ("connect", .int(-1)), ("ssl", .int(-1)),
                    ("send", .int(0)), ("wait", .number(HARNumber.ms(wait))), ("receive", .int(0)),
                ])
            ),
        ]
        if let comment { fields.append(("comment", .string(comment))) }
        // Chromium's own field: the Network panel shows these API calls as "fetch".
        fields.append(("_resourceType", .string("fetch")))
        var own: [(String, JSON)] = []
        if let dialect { own.append(("dialect", .string(dialect))) }
        if let fault { own.append(("fault", .string(fault))) }
        if !own.isEmpty { fields.append(("_starmock", .object(own))) }
        return .object(fields)
    }
}

extension HARRequest {
    var json: JSON {
        var fields: [(String, JSON)] = [
            ("method", .string(method)),
            ("url", .string(url)),
            ("httpVersion", .string(httpVersion)),
            ("cookies", .array([])),
            ("headers", .array(headers.map(\.json))),
            ("queryString", .array(HARURL.query(of: target).map(\.json))),
            ("headersSize", .int(-1)),
            ("bodySize", .int(body.count)),
        ]
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method.uppercased()) {
            var post: [(String, JSON)] = [("mimeType", .string(mimeType ?? header("Content-Type") ?? ""))]
            let (text, encoding) = HARBody.encode(body)
            post.append(("text", .string(text)))
            if let encoding { post.append(("_encoding", .string(encoding))) }
            post.append(("params", .array([])))
            fields.append(("postData", .object(post)))
        }
        return .object(fields)
    }
}

extension HARResponse {
    var json: JSON {
        let (text, encoding) = HARBody.encode(body)
        var content: [(String, JSON)] = [
            ("size", .int(body.count)),
            ("mimeType", .string(mimeType.isEmpty ? (header("Content-Type") ?? "") : mimeType)),
            ("text", .string(text)),
        ]
        if let encoding { content.append(("encoding", .string(encoding))) }
        var fields: [(String, JSON)] = [
            ("status", .int(status)),
            ("statusText", .string(statusText)),
            ("httpVersion", .string(status == 0 ? "" : httpVersion)),
            ("cookies", .array([])),
            ("headers", .array(headers.map(\.json))),
            ("content", .object(content)),
            ("redirectURL", .string(header("Location") ?? "")),
            ("headersSize", .int(-1)),
            ("bodySize", .int(status == 0 ? -1 : body.count)),
        ]
        if let error { fields.append(("_error", .string(error))) }
        return .object(fields)
    }
}

extension HARField {
    var json: JSON { .object([("name", .string(name)), ("value", .string(value))]) }
}

enum HARBody {
    /// UTF-8 text as is; anything else as base64.
    static func encode(_ bytes: [UInt8]) -> (String, String?) {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
        return (Data(bytes).base64EncodedString(), "base64")
    }
}

enum HARNumber {
    /// Milliseconds with at most three decimals.
    static func ms(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        return String(format: "%.3f", rounded)
    }
}

extension WorldTime {
    /// `2026-03-28T03:00:00.000Z`: HAR's `startedDateTime` always with milliseconds.
    public var iso8601WithMilliseconds: String {
        let text = iso8601
        return text.contains(".") ? text : String(text.dropLast()) + ".000Z"
    }
}

// MARK: - Reading

/// Why an archive could not be read: where (a JSON path such as `log.entries[3].request`) and what.
public struct HARError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var message: String
    public var description: String { location.isEmpty ? message : "\(location): \(message)" }

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }
}

extension HAR {
    /// Reads a HAR file from any tool (Chromium/Firefox devtools, Charles, mitmproxy, Dev Proxy,
    /// StarMock), leniently: only `log.entries[].request.method`/`url` and `startedDateTime`
    /// are required; headers, bodies (text or base64), statuses and timings may be missing.
    public static func parse(_ bytes: [UInt8]) throws(HARError) -> HAR {
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw HARError("", "not JSON: \(error)")
        }
        guard let log = root["log"], case .object = log else { throw HARError("", "no \"log\" object: not a HAR file") }
        guard let list = log["entries"]?.arrayValue else { throw HARError("log", "no \"entries\" list") }
        var entries: [HAREntry] = []
        for (i, item) in list.enumerated() {
            entries.append(try entry(item, at: "log.entries[\(i)]"))
        }
        // Tools write entries in start order, mostly; make it so.
        let ordered = entries.enumerated().sorted { ($0.element.started, $0.offset) < ($1.element.started, $1.offset) }.map(\.element)
        let creator = log["creator"]
        return HAR(
            creator: creator?["name"]?.stringValue ?? "unknown", creatorVersion: creator?["version"]?.stringValue ?? "",
            comment: log["comment"]?.stringValue, entries: ordered)
    }

    private static func entry(_ item: JSON, at path: String) throws(HARError) -> HAREntry {
        guard case .object = item else { throw HARError(path, "an entry must be an object") }
        guard let startedText = item["startedDateTime"]?.stringValue else { throw HARError(path, "no \"startedDateTime\"") }
        guard let started = HARTime.parse(startedText) else {
            throw HARError("\(path).startedDateTime", "\"\(startedText)\" is not an ISO 8601 time")
        }
        guard let req = item["request"], case .object = req else { throw HARError(path, "no \"request\" object") }
        guard let method = req["method"]?.stringValue, !method.isEmpty else { throw HARError("\(path).request", "no \"method\"") }
        guard let url = req["url"]?.stringValue else { throw HARError("\(path).request", "no \"url\"") }
        let post = req["postData"]
        let requestBody = try body(text: post?["text"]?.stringValue, encoding: post?["_encoding"]?.stringValue ?? post?["encoding"]?.stringValue, at: "\(path).request.postData")
        let request = HARRequest(
            method: method.uppercased(), url: url, httpVersion: req["httpVersion"]?.stringValue ?? "HTTP/1.1",
            headers: fields(req["headers"]), body: requestBody, mimeType: post?["mimeType"]?.stringValue)
        let res = item["response"]
        let content = res?["content"]
        let responseBody = try body(text: content?["text"]?.stringValue, encoding: content?["encoding"]?.stringValue, at: "\(path).response.content")
        var error = res?["_error"]?.stringValue ?? item["_error"]?.stringValue
        let status = res?["status"]?.intValue ?? 0
        if status == 0, error == nil { error = HARTransportError.empty }
        let response = HARResponse(
            status: status, statusText: res?["statusText"]?.stringValue ?? "", httpVersion: res?["httpVersion"]?.stringValue ?? "HTTP/1.1",
            headers: fields(res?["headers"]), body: responseBody, mimeType: content?["mimeType"]?.stringValue ?? "",
            error: error.flatMap { $0.isEmpty ? nil : $0 })
        var time = item["time"]?.numberText.flatMap(Double.init) ?? -1
        if time < 0 {
            // No total: add up the timings that are known.
            let t = item["timings"]
            let parts = ["blocked", "dns", "connect", "send", "wait", "receive"].compactMap { t?[$0]?.numberText.flatMap(Double.init) }
            time = parts.filter { $0 > 0 }.reduce(0, +)
        }
        let own = item["_starmock"]
        return HAREntry(
            started: started, time: time, request: request, response: response, comment: item["comment"]?.stringValue,
            fault: own?["fault"]?.stringValue, dialect: own?["dialect"]?.stringValue)
    }

    private static func fields(_ node: JSON?) -> [HARField] {
        (node?.arrayValue ?? []).compactMap { f in
            guard let name = f["name"]?.stringValue else { return nil }
            return HARField(name, f["value"]?.stringValue ?? "")
        }
    }

    private static func body(text: String?, encoding: String?, at path: String) throws(HARError) -> [UInt8] {
        guard let text else { return [] }
        if encoding?.lowercased() == "base64" {
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw HARError(path, "\"text\" is not valid base64")
            }
            return Array(data)
        }
        return Array(text.utf8)
    }
}

/// ISO 8601 times as the tools write them: `Z` or an offset, with or without fractions.
enum HARTime {
    static func parse(_ text: String) -> WorldTime? {
        if let t = WorldTime(text) { return t }
        // An offset such as +02:00 or -0500 after the seconds (and fraction).
        var s = Substring(text)
        var offsetMinutes = 0
        if let signIndex = s.lastIndex(where: { $0 == "+" || $0 == "-" }), s.distance(from: s.startIndex, to: signIndex) >= 19 {
            let zone = s[s.index(after: signIndex)...].filter { $0 != ":" }
            guard zone.count == 4, let hh = Int(zone.prefix(2)), let mm = Int(zone.suffix(2)) else { return nil }
            offsetMinutes = (hh * 60 + mm) * (s[signIndex] == "-" ? -1 : 1)
            s = s[..<signIndex]
        }
        guard let base = WorldTime(String(s) + "Z") ?? WorldTime(String(s)) else { return nil }
        return WorldTime(milliseconds: base.milliseconds - Int64(offsetMinutes) * 60_000)
    }
}
