import StarMockCore
import StarMockHAR
import Testing

@Suite struct HARTests {
    @Test func writesEveryRequiredFieldAndReadsItBack() throws {
        let entry = HAREntry(
            started: WorldTime("2026-03-28 03:00:00")!, time: 12.5,
            request: HARRequest(method: "POST", url: "http://127.0.0.1:8080/api/v1/order/stars?x=1", headers: [HARField("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8), mimeType: "application/json"),
            response: HARResponse(status: 502, headers: [HARField("Content-Type", "application/json")], body: [0xff, 0x00, 0x41], mimeType: "application/json"),
            fault: "CHARGING_ERROR", dialect: "sh4de")
        let har = HAR(entries: [entry, HAREntry(started: WorldTime("2026-03-28 03:00:01")!, time: 3, request: HARRequest(method: "GET", url: "http://h/x"), response: HARResponse(status: 0, httpVersion: "", error: HARTransportError.reset))])
        let text = har.text
        let root = try JSON.parse(text)
        let log = try #require(root["log"])
        #expect(log["version"]?.stringValue == "1.2")
        #expect(log["creator"]?["name"]?.stringValue == "StarMock")
        let first = try #require(log["entries"]?.arrayValue?.first)
        for key in ["startedDateTime", "time", "request", "response", "cache", "timings"] { #expect(first[key] != nil, "\(key)") }
        for key in ["method", "url", "httpVersion", "headers", "queryString", "cookies", "headersSize", "bodySize", "postData"] { #expect(first["request"]?[key] != nil, "\(key)") }
        for key in ["status", "statusText", "httpVersion", "headers", "cookies", "content", "redirectURL", "headersSize", "bodySize"] { #expect(first["response"]?[key] != nil, "\(key)") }
        #expect(first["response"]?["content"]?["encoding"]?.stringValue == "base64")
        #expect(first["startedDateTime"]?.stringValue == "2026-03-28T03:00:00.000Z")
        let back = try HAR.parse(Array(text.utf8))
        #expect(back.entries == har.entries)
    }

    @Test func readsOtherToolsLeniently() throws {
        // Firefox/Charles style: offsets, no timings, base64 content, missing optional fields.
        let text = """
            {"log":{"version":"1.2","creator":{"name":"Charles Proxy","version":"4.6"},"entries":[
            {"startedDateTime":"2026-03-28T05:00:00.250+02:00","request":{"method":"get","url":"https://api.example/api/v1/balance"},
             "response":{"status":200,"content":{"mimeType":"application/json","text":"eyJvayI6dHJ1ZX0=","encoding":"base64"}}},
            {"startedDateTime":"2026-03-28T03:00:01Z","time":-1,"timings":{"wait":20,"receive":5},"request":{"method":"POST","url":"https://api.example/x","postData":{"mimeType":"text/plain","text":"hi"}},"response":{"status":0,"_error":"net::ERR_CONNECTION_RESET"}}
            ]}}
            """
        let har = try HAR.parse(Array(text.utf8))
        #expect(har.entries.count == 2)
        #expect(har.entries[0].started == WorldTime("2026-03-28T03:00:00.250Z"))
        #expect(har.entries[0].request.method == "GET")
        #expect(har.entries[0].request.target == "/api/v1/balance")
        #expect(har.entries[0].response.text == #"{"ok":true}"#)
        #expect(har.entries[1].time == 25)
        #expect(har.entries[1].request.body == Array("hi".utf8))
        #expect(har.entries[1].response.error == HARTransportError.reset)
    }

    @Test func refusesWhatIsNotHAR() {
        #expect(throws: HARError.self) { try HAR.parse(Array("{}".utf8)) }
        #expect(throws: HARError.self) { try HAR.parse(Array("not json".utf8)) }
        #expect(throws: HARError.self) { try HAR.parse(Array(#"{"log":{"entries":[{"request":{}}]}}"#.utf8)) }
    }

    @Test func redactsEverySecretWithOneStablePlaceholder() {
        let token = "123456789:AAsecret_token_value"
        let e1 = HAREntry(
            started: WorldTime(milliseconds: 0), time: 1,
            request: HARRequest(method: "GET", url: "http://u/api/v1/balance", headers: [HARField("X-API-Key", "sh4de_realsecretkey"), HARField("Authorization", "Bearer sk-live-abc123")]),
            response: HARResponse(status: 200, body: Array("key sh4de_realsecretkey and sk-live-abc123".utf8)))
        let e2 = HAREntry(
            started: WorldTime(milliseconds: 1), time: 1,
            request: HARRequest(method: "POST", url: "http://u/bot\(token)/getMe?k=sh4de_realsecretkey", body: Array("sh4de_realsecretkey".utf8)),
            response: HARResponse(status: 200, body: Array(token.utf8)))
        var r = HARRedactor()
        let out = r.redact(HAR(entries: [e1, e2]))
        let text = out.text
        #expect(!text.contains("realsecretkey"))
        #expect(!text.contains("sk-live-abc123"))
        #expect(!text.contains("AAsecret_token_value"))
        #expect(text.contains("sh4de_redacted_1"))
        #expect(text.contains("sk-redacted-2"))
        #expect(out.entries[1].request.url == "http://u/bot123456789:REDACTED_3/getMe?k=sh4de_redacted_1")
        #expect(out.entries[0].request.headers[0].value == "sh4de_redacted_1")
        #expect(out.entries[0].request.headers[1].value == "Bearer sk-redacted-2")
    }
}
