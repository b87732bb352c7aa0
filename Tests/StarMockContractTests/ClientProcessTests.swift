import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore
import Testing

@Suite("Client processes: output, crashes, timeouts", .timeLimit(.minutes(1)))
struct ClientProcessTests {
    func run(_ command: String, timeout: Duration = .seconds(10), grace: Duration = .seconds(1)) async -> ClientRun {
        await ClientProcess.run(
            command: command, environment: ProcessInfo.processInfo.environment,
            limits: .init(timeout: timeout, killGrace: grace))
    }

    func check(_ run: ClientRun, exitCode: Int = 0, result: ResultMatcher? = nil) -> (JSON?, [String]) {
        let step = ContractStep(number: 1, action: "balance", dialect: "sh4de", key: "k", exitCode: exitCode, result: result)
        let (json, failures) = step.check(run)
        return (json, failures.map(\.headline))
    }

    @Test("The client inherits only stdin, stdout and stderr: none of the runner's sockets or files")
    func onlyStandardDescriptors() async throws {
        #if os(Linux)
            // A file of ours held open without close-on-exec, as NIO's sockets are on Linux.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("starmock-fd-\(getpid())-marker").path
            let leaked = open(path, O_CREAT | O_RDWR, 0o600)
            #expect(leaked > 2)
            defer {
                close(leaked)
                unlink(path)
            }
            let run = await run(
                #"printf '{"outcome":"completed","held":"%s"}\n' "$(ls -l /proc/$$/fd | grep -c starmock-fd-)""#)
            let (json, failures) = check(run)
            #expect(failures.isEmpty)
            #expect(json?["held"]?.stringValue == "0", "the client inherited the runner's descriptor \(leaked)")
        #endif
    }

    @Test("One JSON line on stdout is the result; stderr is kept")
    func goodOutput() async {
        let run = await run(#"echo 'working…' >&2; printf '{"outcome":"completed","balance":"25.50"}\n'"#)
        #expect(run.exitCode == 0)
        #expect(run.stderrText() == "working…")
        let (json, failures) = check(run, result: .object([.init("balance", .equals(.string("25.50")))]))
        #expect(failures.isEmpty)
        #expect(json?["outcome"] == .string("completed"))
    }

    @Test(
        "Malformed output is a precise failure",
        arguments: [
            ("true", "step 1 (balance): printed nothing on stdout; expected one JSON line"),
            ("printf 'hello\\n'", "step 1 (balance): not JSON: "),
            ("printf '{\"outcome\":\"completed\"}\\n{\"b\":2}\\n{}\\n'", "step 1 (balance): printed 3 lines on stdout; expected exactly one JSON line"),
            ("echo '[1,2]'", "step 1 (balance): printed a JSON array, not an object: [1,2]"),
            ("echo '{\"balance\":\"1.00\"}'", "step 1 (balance): the result has no \"outcome\""),
            ("echo '{\"outcome\":\"maybe\"}'", "step 1 (balance): \"outcome\" is \"maybe\"; it must be completed, failed, rejected or error"),
        ])
    func malformed(command: String, expected: String) async {
        let (_, failures) = check(await run(command))
        #expect(failures.count == 1)
        #expect(failures.first?.hasPrefix(expected) == true, "\(failures)")
    }

    @Test("Blank lines around the one JSON line are fine")
    func blankLines() async {
        let (json, failures) = check(await run(#"printf '\n  {"outcome":"error","error":"timeout"}  \n\n'"#))
        #expect(failures.isEmpty)
        #expect(json?["error"] == .string("timeout"))
    }

    @Test("A crash: a signal, or an unexpected exit code, with the stderr tail")
    func crashes() async {
        let segv = await run("echo 'about to crash' >&2; kill -SEGV $$")
        #expect(segv.signal == SIGSEGV)
        let (_, segvFailures) = check(segv)
        #expect(segvFailures == ["step 1 (balance): crashed: killed by signal 11 (SIGSEGV)"])

        let exit3 = await run("echo 'Traceback: boom' >&2; exit 3")
        #expect(exit3.exitCode == 3)
        let step = ContractStep(number: 2, action: "buy-stars", dialect: "sh4de", key: "k")
        let (_, failures) = step.check(exit3)
        #expect(failures.map(\.headline) == ["step 2 (buy-stars): crashed: exit code 3, expected 0"])
        #expect(failures.first?.detail == "Traceback: boom")
        // An expected non-zero exit passes without a JSON line.
        #expect(check(exit3, exitCode: 3).1.isEmpty)
    }

    @Test("At the timeout the whole group dies, grandchildren too, and the step fails as timeout quickly")
    func timeoutKillsGroup() async throws {
        let dir = try TempDir()
        let pidFile = dir.url.appendingPathComponent("grandchild.pid").path
        let started = ContinuousClock.now
        let run = await run("sleep 100 & echo $! > '\(pidFile)'; sleep 100", timeout: .milliseconds(500))
        let elapsed = ContinuousClock.now - started
        #expect(run.timedOut)
        #expect(elapsed < .seconds(3), "took \(elapsed)")
        let grandchild = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild was in the group: it got the signal with everyone else.
        var dead = false
        for _ in 0..<100 where !dead {
            dead = !Fixtures.isAlive(grandchild)
            if !dead { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(dead, "grandchild \(grandchild) still alive")
        let (_, failures) = check(run)
        #expect(failures.count == 1)
        // The time said is the measured one: at least the 0.5 s timeout, more on a busy machine.
        #expect(failures.first?.hasPrefix("step 1 (balance): timeout: still running after ") == true, "\(failures)")
    }

    @Test("A client ignoring SIGTERM gets SIGKILL after the grace period")
    func sigkillAfterGrace() async {
        let started = ContinuousClock.now
        let run = await run("trap '' TERM; while :; do sleep 0.05; done", timeout: .milliseconds(300), grace: .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        #expect(run.timedOut)
        #expect(run.signal == SIGKILL)
        #expect(elapsed >= .milliseconds(550))
        #expect(elapsed < .seconds(3))
    }

    @Test("A background process left behind does not hold the step: it is killed when the client exits")
    func strayKilled() async throws {
        let dir = try TempDir()
        let pidFile = dir.url.appendingPathComponent("stray.pid").path
        let started = ContinuousClock.now
        let run = await run(#"sleep 100 & echo $! > '\#(pidFile)'; echo '{"outcome":"completed"}'"#)
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(run.exitCode == 0)
        #expect(!run.timedOut)
        let stray = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var dead = false
        for _ in 0..<100 where !dead {
            dead = !Fixtures.isAlive(stray)
            if !dead { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(dead)
    }

    @Test("Output is bounded: stdout beyond the limit breaks the protocol, stderr keeps its tail")
    func bounded() async {
        let run = await ClientProcess.run(
            command: "head -c 300000 /dev/zero | tr '\\0' 'x'; head -c 200000 /dev/zero | tr '\\0' 'e' >&2; echo END >&2",
            environment: ProcessInfo.processInfo.environment,
            limits: .init(timeout: .seconds(10), stdoutLimit: 100_000, stderrLimit: 1000))
        #expect(run.stdout.count == 100_000)
        #expect(run.stdoutTruncated)
        #expect(run.stderrBytes == 200_004)
        #expect(run.stderrTail.count == 1000)
        #expect(run.stderrText().hasSuffix("eeeeEND"))
        #expect(run.stderrText().hasPrefix("…"))
    }

    @Test("The environment is exactly what was given")
    func environment() async {
        let run = await ClientProcess.run(
            command: #"printf '{"outcome":"completed","v":"%s","home":"%s"}\n' "$STARMOCK_ACTION" "${HOME-unset}""#,
            environment: ["STARMOCK_ACTION": "buy-stars", "PATH": "/usr/bin:/bin"], limits: .init(timeout: .seconds(5)))
        let (json, _) = check(run)
        #expect(json?["v"] == .string("buy-stars"))
        #expect(json?["home"] == .string("unset"))
    }
}
