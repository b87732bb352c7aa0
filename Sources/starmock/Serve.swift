import ArgumentParser
import Dispatch
import Foundation
import Logging
import StarMockCore
import StarMockDialects
import StarMockScenario
import StarMockServer
import NIOCore

extension StarMockCommand {
    /// `starmock serve`: serve the dialects over a world until SIGINT or SIGTERM.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the fake upstream (all dialects on one port, demo world by default).",
            discussion: """
                When ready, prints exactly one line: "starmock listening on http://HOST:PORT".
                --verbose logs one line per exchange to stderr (stdout keeps only that line):
                DIALECT METHOD TARGET → STATUS latency=none|Nms fault=none|"…" ("-" for no \
                dialect or no answer sent).
                SIGINT or SIGTERM stop it gracefully: in-flight requests finish, exit code 0.
                With --scenario, the scenario's world replaces the demo world and only its dialects \
                are served; --seed and --clock, when given, override the file's. A bad scenario \
                prints FILE:LINE:COL: MESSAGE and exits 1 before listening.
                """)

        @Option(help: "The address to bind.")
        var host = "127.0.0.1"

        @Option(help: "The port to bind; 0 picks a free port.")
        var port = 8080

        @Option(help: "The seed of every random choice (latency, faults, outcomes, ids).")
        var seed: UInt64?

        @Option(
            help: ArgumentHelp(
                "The world's clock: real, virtual, or scaled:N (N times faster). Default: the scenario's, else real.",
                valueName: "mode"))
        var clock: String?

        @Option(help: ArgumentHelp("Start from this scenario file instead of the demo world.", valueName: "file"))
        var scenario: String?

        @Option(
            help: ArgumentHelp(
                "Serve only this dialect (repeatable). Default: all of \(DialectSet.allNames.joined(separator: ", ")).",
                valueName: "name"))
        var dialect: [String] = []

        @Option(help: ArgumentHelp("At shutdown, write the journal to this file as HAR 1.2.", valueName: "file"))
        var har: String?

        @Flag(name: .shortAndLong, help: "Log one line per exchange to stderr.")
        var verbose = false

        @Option(
            help: ArgumentHelp(
                "Require Authorization: Bearer TOKEN on /__admin. Default: $STARMOCK_ADMIN_TOKEN, else none.",
                valueName: "token"))
        var adminToken: String?

        @Flag(help: "Serve the control API without a token on a non-loopback --host.")
        var adminOpen = false

        @Option(help: ArgumentHelp("Bytes the journal's entries may take in all (oldest dropped first).", valueName: "bytes"))
        var journalBytes = WorldSetup().journalByteBudget

        @Option(help: ArgumentHelp("Seconds a request's header section may take, from its first byte.", valueName: "seconds"))
        var headerTimeout = 10.0

        @Option(
            help: ArgumentHelp(
                "Seconds a request body may take, plus one per --min-body-rate bytes received.", valueName: "seconds"))
        var bodyTimeout = 30.0

        @Option(help: ArgumentHelp("Bytes per second a body must average beyond --body-timeout.", valueName: "bytes"))
        var minBodyRate = 16 * 1024

        @Option(help: ArgumentHelp("Seconds a keep-alive connection may stay idle between requests.", valueName: "seconds"))
        var idleTimeout = 75.0

        @Option(help: ArgumentHelp("Connections open at once; one more gets a bare 503.", valueName: "n"))
        var maxConnections = 512

        @Option(
            help: ArgumentHelp(
                "Seconds SIGINT/SIGTERM lets in-flight requests finish before closing them.", valueName: "seconds"))
        var shutdownTimeout = 10.0

        func validate() throws {
            if let clock, ClockMode(clock) == nil {
                throw ValidationError("--clock must be real, virtual or scaled:N (N > 0), not '\(clock)'")
            }
            if let har, har.isEmpty { throw ValidationError("--har must name a file") }
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
            for (name, value) in [
                ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
                ("--shutdown-timeout", shutdownTimeout),
            ] where !(value > 0 && value <= 86_400) {
                throw ValidationError("\(name) must be a number of seconds > 0 (at most 86400), not \(value)")
            }
            guard minBodyRate > 0 else { throw ValidationError("--min-body-rate must be > 0, not \(minBodyRate)") }
            guard maxConnections > 0 else { throw ValidationError("--max-connections must be > 0, not \(maxConnections)") }
            guard journalBytes >= 0 else { throw ValidationError("--journal-bytes must be ≥ 0, not \(journalBytes)") }
            for name in dialect where DialectSet(named: [name]) == nil {
                throw ValidationError(
                    "Unknown dialect '\(name)'; known: \(DialectSet.allNames.joined(separator: ", "))")
            }
        }

        /// What every start of `serve` builds whatever its options say, begun on another
        /// thread while ArgumentParser reads them (about 2 ms, most of it the runtime's first
        /// protocol-conformance lookups): the event loops' threads and the dialects' endpoint
        /// tables. Measured: 0.1–0.8 ms off a 6 ms cold start (docs/performance.md).
        static func prepare() {
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            let made = pthread_create(&thread, nil, { _ in
                Server.prepare()
                _ = DialectSet.everything
                return nil
            }, nil)
            #if canImport(Darwin)
            if made == 0, let thread { pthread_detach(thread) }
            #else
            if made == 0 { pthread_detach(thread) }
            #endif
        }

        func run() async throws {
            if let har {
                // Refused now rather than at shutdown, after the session.
                let directory = URL(fileURLWithPath: har).deletingLastPathComponent().path
                guard FileManager.default.isWritableFile(atPath: directory) else {
                    FileHandle.standardError.write(Data("starmock: cannot write --har \(har): no writable directory \(directory)\n".utf8))
                    throw ExitCode(1)
                }
            }
            var setup = WorldSetup.demo
            var served = dialect.isEmpty ? DialectSet.allNames : dialect
            if let path = scenario {
                let loaded: Scenario
                do {
                    loaded = try Scenario.load(path: path)
                } catch {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    throw ExitCode(1)
                }
                setup = loaded.setup
                if let outside = dialect.first(where: { !loaded.dialects.contains($0) }) {
                    FileHandle.standardError.write(
                        Data(
                            "starmock: --dialect \(outside) is not one of the scenario's dialects (\(loaded.dialects.joined(separator: ", ")))\n"
                                .utf8))
                    throw ExitCode(1)
                }
                served = dialect.isEmpty ? loaded.dialects : loaded.dialects.filter(dialect.contains)
            }
            if let clock { setup.clock = ClockMode(clock)! }
            if let seed { setup.seed = seed }
            setup.journalByteBudget = journalBytes
            let dialects = DialectSet(named: served) ?? .everything
            // stderr only: stdout carries the listening line and nothing else. Without
            // --verbose only warnings (unexpected connection errors) get through.
            var logger = Logger(label: "starmock", factory: StreamLogHandler.standardError(label:))
            logger.logLevel = verbose ? .info : .warning
            let world = World(setup)
            let server: Server
            do {
                let token = adminToken ?? ProcessInfo.processInfo.environment["STARMOCK_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
                server = try await Server.start(
                    world: world,
                    configuration: .init(
                        host: host, port: port, dialects: dialects, idleTimeout: Self.amount(idleTimeout), logger: logger,
                        headerTimeout: Self.amount(headerTimeout), bodyTimeout: Self.amount(bodyTimeout),
                        minBodyRate: minBodyRate, maxConnections: maxConnections,
                        shutdownTimeout: Self.amount(shutdownTimeout), adminToken: token, adminOpen: adminOpen))
            } catch let error as ServerError {
                FileHandle.standardError.write(Data("starmock: \(error)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("starmock: cannot listen on \(host):\(port): \(error)\n".utf8))
                throw ExitCode(1)
            }
            let signals = ShutdownSignals { Task { try? await server.shutdown() } }
            // stdout is block-buffered when piped: write the line directly so scripts see it at once.
            FileHandle.standardOutput.write(Data("starmock listening on \(server.baseURL)\n".utf8))
            try await server.waitUntilClosed()
            // The listening socket closes first; the shutdown the signal began completes once the
            // in-flight requests have been answered. A second shutdown() waits for that.
            try await server.shutdown()
            withExtendedLifetime(signals) {}
            if let har {
                do {
                    try server.writeJournalHAR(to: har)
                } catch {
                    FileHandle.standardError.write(Data("starmock: cannot write \(har): \(error.localizedDescription)\n".utf8))
                    throw ExitCode(1)
                }
            }
        }

        static func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64((seconds * 1e9).rounded())) }
    }
}

/// SIGINT and SIGTERM call `handler` once instead of killing the process.
///
/// A plain signal handler writes a byte to a pipe (the only async-signal-safe way out) and a
/// reader thread calls `handler`. This works whichever thread the kernel picks for the
/// signal, unlike ignoring the signal and hoping a Dispatch source sees it first.
final class ShutdownSignals: Sendable {
    init(handler: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        signalPipe = fds[1]
        for signo in [SIGINT, SIGTERM] {
            signal(signo) { _ in
                var byte: UInt8 = 1
                _ = write(signalPipe, &byte, 1)
            }
        }
        let readEnd = fds[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            var count: Int
            repeat { count = read(readEnd, &byte, 1) } while count < 0 && errno == EINTR
            // Only a byte the signal handler wrote means a signal: an end of file or an error
            // (the descriptor closed by mistake elsewhere) must not stop the process.
            guard count == 1 else { return }
            handler()
        }
    }
}

/// The write end of the signal pipe, read by the C signal handler.
nonisolated(unsafe) private var signalPipe: Int32 = -1
