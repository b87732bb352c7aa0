import StarMockCore
import StarMockDialects
import StarMockHAR
import StarMockScenario
import Testing

@Suite struct RespondVerbatimTests {
    static let head = "name: v\ndialects: [sh4de]\n"

    @Test func readsAVerbatimAnswer() throws {
        let s = try Scenario.parse(yaml: Self.head + """
            faults:
              - method: GET
                path: /api/v1/balance
                respond_verbatim: {status: 502, headers: {Content-Type: text/html, Server: nginx}, body: "<html>bad gateway</html>"}
            """)
        let rule = try #require(s.setup.faults.first)
        #expect(rule.action == .verbatim(VerbatimAnswer(status: 502, headers: [VerbatimHeader("Content-Type", "text/html"), VerbatimHeader("Server", "nginx")], body: Array("<html>bad gateway</html>".utf8))))
        #expect(rule.phase == .before)
    }

    @Test(arguments: [
        ("faults: [{respond_verbatim: {status: 700}}]", "3:38", "\"status\" must be"),
        ("faults: [{respond_verbatim: {body: x}}]", "3:29", "status"),
        ("faults: [{respond: CHARGING_ERROR, respond_verbatim: {status: 200}}]", "3:36", "one action"),
        ("faults: [{respond_verbatim: {status: 200, headers: {\"a b\": x}}}]", "3:53", "not a header name"),
        ("faults: [{respond_verbatim: {status: 200, bdy: x}}]", "3:43", "unknown key"),
        ("faults: [{respond_verbatim: 502}]", "3:29", "must be a mapping"),
    ])
    func refusesMistakesWithTheirPosition(yaml: String, at: String, says: String) {
        do {
            _ = try Scenario.parse(yaml: Self.head + yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains("scenario:\(at):"), "\(error)")
            #expect(error.description.contains(says), "\(error)")
        }
    }
}

@Suite struct ScenarioFromRecordingTests {
    /// A HAR as another tool writes it: base64 content, no timings, an offset time, a reset.
    static let har = """
        {"log":{"version":"1.2","creator":{"name":"mitmproxy","version":"10"},"entries":[
        {"startedDateTime":"2026-03-28T05:00:00.000+02:00","time":12,"request":{"method":"GET","url":"https://up.example/api/v1/balance","headers":[{"name":"X-API-Key","value":"sh4de_redacted_1"}]},
         "response":{"status":200,"headers":[{"name":"Content-Type","value":"application/json"}],"content":{"mimeType":"application/json","encoding":"base64","text":"\(Array("{\n  \"status\": \"ok\",\n  \"balance_usd\": 10.00,\n  \"total_orders\": 3,\n  \"total_spent_usd\": 1.00,\n  \"key_label\": \"shop\"\n}".utf8).base64)"}}},
        {"startedDateTime":"2026-03-28T03:00:01.000Z","request":{"method":"POST","url":"https://up.example/api/v1/order/stars","headers":[{"name":"X-API-Key","value":"sh4de_redacted_1"},{"name":"Content-Type","value":"application/json"}],"postData":{"mimeType":"application/json","text":"{\\"username\\":\\"some_user\\",\\"quantity\\":100}"}},
         "response":{"status":0,"_error":"net::ERR_CONNECTION_RESET"}},
        {"startedDateTime":"2026-03-28T03:00:02.000Z","time":800,"request":{"method":"GET","url":"https://up.example/api/v1/balance","headers":[{"name":"X-API-Key","value":"sh4de_redacted_1"}]},
         "response":{"status":503,"headers":[{"name":"Content-Type","value":"text/html"}],"content":{"mimeType":"text/html","text":"<h1>down</h1>"}}}
        ]}}
        """

    @Test func makesAScenarioThatReadsBackAndPinsEachExchange() throws {
        let exchanges = try RecordingFile.parse(Array(Self.har.utf8), file: "x.har")
        #expect(exchanges.count == 3)
        let (yaml, notes) = try ScenarioFromRecording(exchanges: exchanges, source: "x.har").make()
        let s = try Scenario.parse(yaml: yaml, file: "generated")
        #expect(s.dialects == ["sh4de"])
        #expect(yaml.contains(#"balance: "10.00", spent: "1.00", prior_orders: 3"#))
        #expect(yaml.contains(#"label: "shop""#))
        #expect(yaml.contains("transport: reset, phase: before"))
        #expect(yaml.contains("respond_verbatim:"))
        #expect(yaml.contains("served verbatim"))
        #expect(yaml.contains("delay: 800ms"))
        #expect(yaml.contains(#"start: "2026-03-28T03:00:00Z""#))
        #expect(notes.count == 1, "\(notes)")
    }

    @Test func refusesWhatItCannotRead() {
        #expect(throws: RecordingError.self) { try RecordingFile.parse(Array("{}".utf8), file: "x") }
        #expect(throws: RecordingError.self) { try RecordingFile.parse(Array("nope".utf8), file: "x") }
        #expect(throws: RecordingError.self) {
            try ScenarioFromRecording(exchanges: RecordingFile.parse(Array(#"{"log":{"entries":[]}}"#.utf8), file: "x"), source: "x").make()
        }
    }
}

extension Array where Element == UInt8 {
    var base64: String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < count {
            let b0 = self[i], b1 = i + 1 < count ? self[i + 1] : 0, b2 = i + 2 < count ? self[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < count ? table[Int((b1 & 15) << 2 | b2 >> 6)] : 61)
            out.append(i + 2 < count ? table[Int(b2 & 63)] : 61)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
