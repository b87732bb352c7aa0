import Foundation
import StarMockCore
import StarMockDialects
import StarMockHAR
import StarMockScenario
import StarMockServer
import Testing

/// record → scenario from → serve → replay, in process: a library scenario is the "real"
/// upstream; the session recorded through the proxy and the session replayed against the
/// generated scenario agree answer for answer, and no credential is written.
@Suite struct RecordRoundTripTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Seen: Equatable, CustomStringConvertible {
        var request: String
        var status: Int?
        var body: String
        var description: String { "\(request) → \(status.map(String.init) ?? "no answer") \(body.prefix(80))" }
    }

    static func blankTimes(_ s: String) -> String {
        String(decoding: ScenarioFromRecordingTimes.normalized(Array(s.utf8)), as: UTF8.self)
    }

    /// The client session: reads, a purchase whose answer is lost after commit, polls, a
    /// second purchase, an unknown order.
    static func session(port: Int, key: String) async -> [Seen] {
        var seen: [Seen] = []
        func call(_ method: String, _ path: String, _ body: String? = nil) async -> Seen {
            let s: Seen
            do {
                let r = try await RawHTTP.send(port: port, method: method, path: path, headers: [("X-API-Key", key)], body: body)
                s = Seen(request: "\(method) \(path)", status: r.status, body: blankTimes(r.bodyText))
            } catch {
                s = Seen(request: "\(method) \(path)", status: nil, body: "error")
            }
            seen.append(s)
            return s
        }
        _ = await call("GET", "/api/v1/balance")
        _ = await call("POST", "/api/v1/order/stars", #"{"username":"some_user","quantity":100}"#)
        _ = await call("GET", "/api/v1/balance")
        // The first poll a second after the purchase (the order ends after 0.65 s): the test
        // runs beside the whole suite, where a tighter schedule would make the poll count a
        // matter of load. scripts/record-roundtrip.sh replays a tight polling schedule.
        try? await Task.sleep(for: .seconds(1))
        for _ in 0..<30 {
            let s = await call("GET", "/api/v1/order/47")
            if s.body.contains("\"completed\"") || s.status != 200 { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        _ = await call("POST", "/api/v1/order/premium", #"{"username":"durov","months":3}"#)
        _ = await call("GET", "/api/v1/order/999")
        _ = await call("GET", "/api/v1/balance")
        return seen
    }

    @Test(.timeLimit(.minutes(1)))
    func libraryScenarioRecordedConvertedAndReplayed() async throws {
        let upstream = try await StarMock.start(
            scenario: Self.root.appendingPathComponent("scenarios/sh4de/response-lost-after-commit.yaml").path, clock: .scaled(100))
        let proxy = try await RecordingProxy.start(.init(upstream: upstream.baseURL, port: 0, dialect: "sh4de"))
        let recorded = await Self.session(port: proxy.port, key: "sh4de_test_key")
        await proxy.shutdown()
        try await upstream.stop()
        let har = proxy.har()
        #expect(har.entries.count == recorded.count)
        let harText = har.text
        #expect(!harText.contains("sh4de_test_key"))
        #expect(recorded[1].status == nil, "the lost answer reaches the client as a closed connection")

        let exchanges = try RecordingFile.parse(Array(harText.utf8), file: "session.har")
        let (yaml, notes) = try ScenarioFromRecording(exchanges: exchanges, contract: true, source: "session.har").make()
        #expect(notes.isEmpty, "every exchange explained by the sh4de model: \(notes)")
        #expect(!yaml.contains("respond_verbatim"))
        #expect(yaml.contains("transport: close, phase: after"))
        #expect(yaml.contains("first_order_id: {sh4de: 47}"))
        #expect(yaml.contains(#"balance: "25.50", spent: "8.42", prior_orders: 12"#))
        #expect(!yaml.contains("sh4de_test_key"))
        let scenario = try Scenario.parse(yaml: yaml, file: "generated")
        #expect(scenario.contractNode != nil)

        let replay = try await StarMock.start(yaml: yaml)
        let replayed = await Self.session(port: replay.port, key: "sh4de_redacted_1")
        try await replay.stop()
        #expect(replayed == recorded)
    }

    /// Several faults on one path, of different kinds: each pinned by nth exactly as the
    /// server counts, read from the journal's JSON; the replay of the generated scenario with
    /// its own rules explains every exchange.
    @Test func faultsOnOnePathArePinnedByNthFromAJournal() async throws {
        let upstream = try await StarMock.start(
            yaml: """
                name: upstream
                dialects: [sh4de]
                clock: virtual
                world:
                  accounts: {shop: {balance: "25.50"}}
                  keys: [{key: sh4de_real_secret, owner: shop}]
                  users: [{username: some_user, id: 1}]
                  first_order_id: {sh4de: 7}
                faults:
                  - {respond: CHARGING_ERROR, method: POST, path: /api/v1/order/stars, nth: 1}
                  # nth counts the requests that reach the rule's kind: the first POST was taken
                  # by the error before, so the third POST is this rule's second.
                  - {respond: CHARGING_ERROR, method: POST, path: /api/v1/order/stars, nth: 2, phase: after}
                  - {transport: reset, method: GET, path: /api/v1/balance, nth: 2}
                  - {respond: SERVICE_UNAVAILABLE, method: GET, path: /api/v1/balance, nth: 4}
                """)
        let key = [("X-API-Key", "sh4de_real_secret")]
        let order = #"{"username":"some_user","quantity":100}"#
        var seen: [Int?] = []
        for (method, path, body) in [
            ("GET", "/api/v1/balance", nil), ("POST", "/api/v1/order/stars", order), ("GET", "/api/v1/balance", nil),
            ("POST", "/api/v1/order/stars", order), ("GET", "/api/v1/balance", nil), ("POST", "/api/v1/order/stars", order),
            ("GET", "/api/v1/balance", nil), ("GET", "/api/v1/order/7", nil), ("GET", "/api/v1/order/8", nil), ("GET", "/api/v1/balance", nil),
        ] as [(String, String, String?)] {
            seen.append((try? await RawHTTP.send(port: upstream.port, method: method, path: path, headers: key, body: body))?.status)
        }
        let journal = upstream.server.control(method: "GET", path: "/__admin/journal")
        try await upstream.stop()
        #expect(seen == [200, 502, nil, 200, 200, 502, 200, 200, 200, 503])
        let exchanges = try RecordingFile.parse(journal.body, file: "journal.json")
        let (yaml, notes) = try ScenarioFromRecording(exchanges: exchanges, source: "journal.json").make()
        #expect(notes.isEmpty, "\(notes)\n\(yaml)")
        #expect(yaml.contains("path: \"/api/v1/order/stars\", nth: 1, times: 1, respond: CHARGING_ERROR, phase: before"))
        #expect(yaml.contains("path: \"/api/v1/order/stars\", nth: 2, times: 1, respond: CHARGING_ERROR, phase: after"))
        #expect(yaml.contains("path: \"/api/v1/balance\", nth: 2, times: 1, transport: reset, phase: before"))
        #expect(yaml.contains("path: \"/api/v1/balance\", nth: 4, times: 1, respond: SERVICE_UNAVAILABLE, phase: before"))
        #expect(yaml.contains("first_order_id: {sh4de: 7}"))
        _ = try Scenario.parse(yaml: yaml)
    }

    @Test func journalExportsAsHARAndReadsBack() async throws {
        let mock = try await StarMock.start(scenario: Self.root.appendingPathComponent("scenarios/sh4de/charging-error.yaml").path)
        _ = try await RawHTTP.send(port: mock.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_test_key")])
        _ = try await RawHTTP.send(
            port: mock.port, method: "POST", path: "/api/v1/order/stars", headers: [("X-API-Key", "sh4de_test_key")],
            body: #"{"username":"some_user","quantity":100}"#)
        let r = try await RawHTTP.send(port: mock.port, method: "GET", path: "/__admin/journal.har")
        try await mock.stop()
        #expect(r.status == 200)
        let har = try HAR.parse(r.body)
        #expect(har.entries.count == 2)
        #expect(har.entries[0].request.url.hasPrefix("http://127.0.0.1:\(mock.port)/api/v1/balance"))
        #expect(har.entries[0].request.header("X-API-Key") == "sh4de_test_key")
        #expect(har.entries[1].response.status == 502)
        #expect(har.entries[1].fault == "CHARGING_ERROR")
        #expect(har.entries[1].response.header("Content-Length") != nil)
        let bad = try await { () async throws -> RawResponse in
            let m = try await StarMock.start(scenario: Self.root.appendingPathComponent("scenarios/sh4de/charging-error.yaml").path)
            defer { Task { try? await m.stop() } }
            return try await RawHTTP.send(port: m.port, method: "GET", path: "/__admin/journal.har?limit=x")
        }()
        #expect(bad.status == 400)
    }
}

/// The body normalization `scenario from` compares with (timestamps blanked).
enum ScenarioFromRecordingTimes {
    static func normalized(_ b: [UInt8]) -> [UInt8] { ScenarioFromRecording.normalizedBody(b) }
}
