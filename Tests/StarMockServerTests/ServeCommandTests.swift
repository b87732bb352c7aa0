import Foundation
import Testing

/// `starmock serve` as a user runs it: a real process, port 0, one line on stdout, signals.
@Suite("starmock serve (the executable)", .timeLimit(.minutes(1)))
struct ServeCommandTests {
    /// The `starmock` binary built next to this test bundle.
    static var binary: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("starmock")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Runs `starmock ARGS` to its exit (in `environment`, else this process's) and returns its
    /// status, stdout and stderr.
    static func runToExit(_ args: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
        let (process, out, err) = try launch(args, environment: environment)
        process.waitUntilExit()
        let text = { (pipe: Pipe?) in String(decoding: pipe?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self) }
        return (process.terminationStatus, text(out), text(err))
    }

    /// Starts `starmock ARGS` (in `environment`, else this process's) with stdout piped, and
    /// stderr piped too unless `keepStderr` is false (then discarded, and nil).
    static func launch(_ args: [String], environment: [String: String]? = nil, keepStderr: Bool = true) throws -> (
        process: Process, out: Pipe, err: Pipe?
    ) {
        let process = Process()
        process.executableURL = try #require(binary, "build the starmock product first (swift build)")
        process.arguments = args
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = keepStderr ? Pipe() : nil
        process.standardOutput = out
        process.standardError = err ?? FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// The first line `pipe` carries (the listening line), read as it arrives: it must come at
    /// once even though stdout is a pipe (block-buffered).
    static func firstLine(_ pipe: Pipe) -> String {
        var line = Data()
        let handle = pipe.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// Starts `starmock serve ARGS` and returns the process, its stdout and the first line.
    func start(_ args: [String], subcommand: [String] = ["serve"]) throws -> (Process, Pipe, String) {
        let (process, out, _) = try Self.launch(subcommand + args, keepStderr: false)
        return (process, out, Self.firstLine(out))
    }

    @Test("Port 0: prints exactly 'starmock listening on http://127.0.0.1:PORT', serves, and exits 0 on SIGTERM")
    func listensAndStops() async throws {
        let (process, out, line) = try start(["--port", "0", "--clock", "virtual"])
        defer { if process.isRunning { process.terminate() } }
        let match = try #require(line.wholeMatch(of: /starmock listening on http:\/\/127\.0\.0\.1:(\d+)\n/))
        let port = try #require(Int(match.1))
        #expect(port > 0)
        let balance = try await RawHTTP.send(
            port: port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        #expect(balance.status == 200)
        #expect(balance.bodyText.contains("\"key_label\": \"My Stars Bot\""))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        // Nothing but the one line on stdout.
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        #expect(rest.isEmpty)
    }

    @Test("--verbose: the listening line alone on stdout, one line per exchange on stderr", arguments: [true, false])
    func verbose(_ verbose: Bool) async throws {
        let (process, out, errPipe) = try Self.launch(["serve", "--port", "0", "--clock", "virtual"] + (verbose ? ["--verbose"] : []))
        let err = try #require(errPipe)
        defer { if process.isRunning { process.terminate() } }
        let match = try #require(Self.firstLine(out).wholeMatch(of: /starmock listening on http:\/\/127\.0\.0\.1:(\d+)\n/))
        let port = try #require(Int(match.1))
        let balance = try await RawHTTP.send(
            port: port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        #expect(balance.status == 200)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(out.fileHandleForReading.readDataToEndOfFile().isEmpty, "stdout holds the listening line only")
        let logged = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = logged.split(separator: "\n")
        if verbose {
            #expect(lines.count == 1, "one exchange, one line: \(logged)")
            let expected = " info starmock: [StarMockServer] sh4de GET /api/v1/balance → 200 latency=none fault=none"
            #expect(lines.first?.hasSuffix(expected) == true, "\(logged)")
        } else {
            #expect(lines.isEmpty, "nothing is logged without --verbose: \(logged)")
        }
    }

    @Test("SIGTERM with a request in flight: the request is answered before the process exits 0")
    func sigtermWaitsForInFlight() async throws {
        let body = #"{"username":"some_user","quantity":100}"#
        let head =
            "POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let half = body.utf8.count / 2
        // The premise, the head read before the signal, may fail on a loaded machine (then the
        // idle connection is closed at once): try again.
        for _ in 0..<3 {
            let (process, _, line) = try start(["--port", "0", "--host", closedPortHost, "--clock", "virtual"])
            defer { if process.isRunning { process.terminate() } }
            let match = try #require(line.wholeMatch(of: /starmock listening on http:\/\/[0-9.]+:(\d+)\n/))
            let client = try await SlowClient.connect(port: try #require(Int(match.1)))
            let pid = process.processIdentifier
            let response = try? await client.send(
                head + String(body.utf8.prefix(half))!, then: String(body.utf8.dropFirst(half))!
            ) {
                try await Task.sleep(for: .milliseconds(300))
                kill(pid, SIGTERM)
                try await Task.sleep(for: .milliseconds(300))
            }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            guard let response, response.status != nil else { continue }
            #expect(response.status == 200)
            #expect(response.bodyText.contains(#""order_id": 47"#))
            return
        }
        Issue.record("the request was never answered: the process exited first, or never read the head in time")
    }

    @Test("SIGINT stops it gracefully too")
    func sigint() throws {
        let (process, _, line) = try start(["--port", "0"])
        defer { if process.isRunning { process.terminate() } }
        #expect(line.hasPrefix("starmock listening on http://127.0.0.1:"))
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("Without a subcommand it serves: `starmock --port 0`; `--help` stays the root's, a bad option gets serve's usage")
    func serveIsTheDefault() throws {
        let (process, _, line) = try start(["--port", "0", "--clock", "virtual"], subcommand: [])
        defer { if process.isRunning { process.terminate() } }
        #expect(line.hasPrefix("starmock listening on http://127.0.0.1:"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let help = try Self.runToExit(["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("SUBCOMMANDS:") && help.out.contains("Without a subcommand"))
        let bad = try Self.runToExit(["--clock", "sometimes"])
        #expect(bad.status == 64)
        #expect(bad.err.contains("starmock serve"))
        let unknown = try Self.runToExit(["frob"])
        #expect(unknown.status == 64)
        #expect(unknown.err.contains("Unexpected argument 'frob'"))
    }

    @Test("Bad options get a clear message and a non-zero exit, not a crash", arguments: [
        ["--clock", "sometimes"], ["--port", "70000"], ["--dialect", "nosuch"],
    ])
    func badOptions(_ args: [String]) throws {
        let run = try Self.runToExit(["serve"] + args)
        #expect(run.status == 64)
        #expect(run.err.contains("Error:"))
    }
}
