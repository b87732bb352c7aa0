import Foundation
import StarMockHAR
import Testing

/// `starmock record`, `serve --har` and `scenario from` as a user runs them: real processes.
@Suite("starmock record, serve --har, scenario from (the executable)", .timeLimit(.minutes(1)))
struct RecordCommandTests {
    func run(_ args: [String], environment: [String: String]? = nil) throws -> (Process, Pipe, Pipe, String) {
        let (process, out, err) = try ServeCommandTests.launch(args, environment: environment)
        return (process, out, try #require(err), ServeCommandTests.firstLine(out))
    }

    static func port(_ line: String) throws -> Int {
        let match = try #require(line.wholeMatch(of: /starmock listening on http:\/\/127\.0\.0\.1:(\d+)\n/), "\(line)")
        return try #require(Int(match.1))
    }

    static func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("starmock-\(UUID().uuidString)-\(name)").path
    }

    @Test("record: the listening line, answers unchanged, SIGTERM writes a redacted HAR and exits 0; serve --har writes the journal")
    func recordsThroughTheProxy() async throws {
        let upstreamHAR = Self.temp("upstream.har")
        let (upstream, _, _, upLine) = try run(["serve", "--port", "0", "--clock", "virtual", "--har", upstreamHAR])
        defer { if upstream.isRunning { upstream.terminate() } }
        let upPort = try Self.port(upLine)
        let out = Self.temp("rec.har")
        let (proxy, proxyOut, _, line) = try run(["record", "--upstream", "http://127.0.0.1:\(upPort)", "--port", "0", "--out", out])
        defer { if proxy.isRunning { proxy.terminate() } }
        let port = try Self.port(line)
        let direct = try await RawHTTP.send(port: upPort, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        let proxied = try await RawHTTP.send(port: port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        #expect(proxied.status == direct.status)
        #expect(proxied.body == direct.body)
        let token = "123456789:AAdemo_token_for_starmock_only_0000"
        let bot = try await RawHTTP.send(port: port, method: "GET", path: "/bot\(token)/getMyStarBalance")
        #expect(bot.bodyText == #"{"ok":true,"result":{"amount":1500}}"#)
        kill(proxy.processIdentifier, SIGTERM)
        proxy.waitUntilExit()
        #expect(proxy.terminationStatus == 0)
        #expect(proxyOut.fileHandleForReading.readDataToEndOfFile().isEmpty, "only the listening line on stdout")
        let written = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(written.range(of: Data("sh4de_xxxx".utf8)) == nil)
        #expect(written.range(of: Data("AAdemo_token_for_starmock_only_0000".utf8)) == nil)
        let har = try HAR.parse(Array(written))
        #expect(har.entries.count == 2)
        #expect(har.entries[0].request.header("X-API-Key") == "sh4de_redacted_1")
        #expect(har.entries[1].request.url.hasSuffix("/bot123456789:REDACTED_2/getMyStarBalance"))

        kill(upstream.processIdentifier, SIGTERM)
        upstream.waitUntilExit()
        #expect(upstream.terminationStatus == 0)
        let journal = try HAR.parse(Array(try Data(contentsOf: URL(fileURLWithPath: upstreamHAR))))
        #expect(journal.entries.count == 3, "the direct read and the two proxied ones")
    }

    @Test("record refuses a bad upstream and an unwritable file before listening")
    func recordRefusesBadInput() throws {
        for args in [
            ["record", "--upstream", "ftp://x", "--out", Self.temp("a.har")],
            ["record", "--upstream", "http://127.0.0.1:1", "--out", "/nonexistent-dir/a.har", "--port", "0"],
        ] {
            let (p, _, err, line) = try run(args)
            p.waitUntilExit()
            #expect(line.isEmpty)
            #expect(p.terminationStatus != 0)
            #expect(!String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).isEmpty)
        }
    }

    @Test("record without libcurl: one clear line and exit 1 before listening; serve does not need it")
    func recordWithoutLibcurl() throws {
        let environment = ProcessInfo.processInfo.environment.merging(["STARMOCK_LIBCURL": "/nonexistent/libcurl.so.4"]) { $1 }
        let record = try ServeCommandTests.runToExit(
            ["record", "--upstream", "http://127.0.0.1:1", "--port", "0", "--out", Self.temp("a.har")], environment: environment)
        #expect(record.status == 1)
        #expect(record.out.isEmpty, "no listening line")
        #expect(record.err.hasPrefix("starmock record: libcurl (/nonexistent/libcurl.so.4) is needed to reach the upstream"), "\(record.err)")
        #expect(record.err.filter { $0 == "\n" }.count == 1, "one line: \(record.err)")
        // serve, with the same missing libcurl, starts and listens.
        let (serve, _, _, line) = try run(["serve", "--port", "0", "--clock", "virtual"], environment: environment)
        defer { if serve.isRunning { serve.terminate() } }
        #expect(line.hasPrefix("starmock listening on http://127.0.0.1:"), "\(line)")
    }

    @Test("scenario from: a clear error and exit 1 for a file that is not a recording")
    func scenarioFromBadFile() throws {
        let path = Self.temp("bad.har")
        try Data("{\"log\": 3}".utf8).write(to: URL(fileURLWithPath: path))
        let (p, _, err, out) = try run(["scenario", "from", path])
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(out.isEmpty)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.hasPrefix("starmock scenario from: \(path):"), "\(message)")
    }
}
