import Foundation
import StarMockCore
import StarMockDialects
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `starmock contract` as CI runs it: the built binary, its output and exit codes.
@Suite("starmock contract (the executable)", .timeLimit(.minutes(1)))
struct CommandTests {
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

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func starmock(_ arguments: [String], in directory: URL) throws -> Outcome {
        let process = Process()
        process.executableURL = try #require(Self.binary, "build the starmock product first (swift build)")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    let dir: TempDir

    init() throws {
        dir = try TempDir()
        try dir.write(
            "scenarios/sh4de/balance.yaml",
            Fixtures.sh4de(
                name: "balance", contract: "steps:\n  - action: balance\n    expect: {result: {outcome: completed, balance: \"25.50\"}}"))
        try dir.write("scenarios/sh4de/plain.yaml", "name: plain\ndialects: [sh4de]\n")
    }

    static let good = #"printf '{"outcome":"completed","balance":"25.50"}\n'"#

    @Test("Exit 0 when every scenario passes; SKIP for files without contract; the summary line")
    func passes() throws {
        let result = try starmock(["contract", "--client", Self.good], in: dir.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SKIP sh4de/plain (no contract section)\n"))
        #expect(result.stdout.contains("PASS sh4de/balance ("))
        #expect(result.stdout.hasSuffix(" s\n"))
        #expect(result.stdout.contains("1 passed, 0 failed, 1 skipped in "))
    }

    @Test("Exit 1 when a scenario fails, with the JUnit and JSON reports written")
    func fails() throws {
        let result = try starmock(
            ["contract", "--client", #"echo '{"outcome":"completed","balance":"1.00"}'"#, "scenarios", "--junit", "r.xml", "--json", "r.json", "--jobs", "1"],
            in: dir.url)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAIL sh4de/balance ("))
        #expect(result.stdout.contains(#"  step 1 (balance): result.balance is "1.00", expected "25.50""#))
        #expect(result.stdout.contains("    #1 GET /api/v1/balance → 200") == false)  // the client made no request
        let xml = try String(contentsOf: dir.url.appendingPathComponent("r.xml"), encoding: .utf8)
        try StrictXML.check(xml)
        #expect(xml.contains(#"failures="1""#))
        let json = try JSON.parse(try String(contentsOf: dir.url.appendingPathComponent("r.json"), encoding: .utf8))
        #expect(json["failed"] == .int(1))
        #expect(json["scenarios"]?.arrayValue?.first?["overhead_ms"]?.intValue != nil)
    }

    @Test("Exit 2 for a bad scenario file, printed as file:line:col: message")
    func badFile() throws {
        try dir.write("scenarios/sh4de/bad.yaml", Fixtures.sh4de(contract: "steps:\n  - action: balance\nrules: [no-such-rule]"))
        let result = try starmock(["contract", "--client", Self.good], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("scenarios/sh4de/bad.yaml:16:"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown rule \"no-such-rule\""))
        #expect(result.stdout.isEmpty)
    }

    @Test(
        "Exit 2 for usage errors",
        arguments: [
            ["contract"],
            ["contract", "--client", "true", "--jobs", "0"],
            ["contract", "--client", "true", "--timeout", "-1"],
            ["contract", "--client", "true", "--no-such-option"],
            ["contract", "--client", "true", "no/such/path"],
        ])
    func usage(arguments: [String]) throws {
        let result = try starmock(arguments, in: dir.url)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("SIGINT stops the runner (exit 130) and takes the running clients' groups down with it")
    func interrupted() async throws {
        let pidFile = dir.url.appendingPathComponent("client.pid").path
        let process = Process()
        process.executableURL = try #require(Self.binary)
        process.arguments = ["contract", "--client", "sleep 100 & echo $! > '\(pidFile)'; wait", "--filter", "balance"]
        process.currentDirectoryURL = dir.url
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var grandchild: Int32?
        for _ in 0..<500 where grandchild == nil {
            grandchild = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if grandchild == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let pid = try #require(grandchild)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        var dead = false
        for _ in 0..<100 where !dead {
            dead = !Fixtures.isAlive(pid)
            if !dead { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(dead)
    }

    @Test("--filter selects by path or name, with * wildcards")
    func filter() throws {
        let byPath = try starmock(["contract", "--client", Self.good, "--filter", "sh4de/bal*"], in: dir.url)
        #expect(byPath.status == 0)
        #expect(byPath.stdout.contains("1 passed, 0 failed, 0 skipped"))
        let none = try starmock(["contract", "--client", Self.good, "--filter", "nothing-like-this"], in: dir.url)
        #expect(none.status == 0)
        #expect(none.stdout.contains("0 passed, 0 failed, 0 skipped"))
    }
}
