import ArgumentParser
import Foundation
import StarMockContract
import StarMockCore
import StarMockScenario

extension StarMockCommand {
    /// `starmock contract --client 'COMMAND' [PATHS…]`: run a client against scenarios and report
    /// which documented behaviour it got wrong (docs/contract.md).
    struct ContractCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contract",
            abstract: "Run your client against scenarios and check its behaviour (docs/contract.md).",
            discussion: """
                The client command runs with /bin/sh -c, once per scenario step, in its own process \
                group, with STARMOCK_BASE_URL, STARMOCK_DIALECT, STARMOCK_API_KEY (STARMOCK_BOT_TOKEN \
                for telegram), STARMOCK_ACTION, STARMOCK_ARGS, STARMOCK_SCENARIO and STARMOCK_STEP in \
                its environment, and prints one JSON line. Files without a contract: section are \
                skipped. Exit code: 0 when every scenario passes, 1 when any fails, 2 for a usage \
                error or a bad scenario file (FILE:LINE:COL: MESSAGE).
                """)

        @Option(help: ArgumentHelp("The client command, run with /bin/sh -c once per step.", valueName: "command"))
        var client: String

        @Argument(help: ArgumentHelp("Scenario files or directories (default: scenarios).", valueName: "path"))
        var paths: [String] = []

        @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
        var junit: String?

        @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "file"))
        var json: String?

        @Option(
            help: ArgumentHelp(
                "Write a self-contained HTML report here (timelines, broken rules on their requests, stderr, final world).",
                valueName: "file"))
        var html: String?

        @Option(
            help: ArgumentHelp(
                "Write each scenario run's exchanges as HAR 1.2: to this file for one scenario, else to FILE-<scenario id>.har.",
                valueName: "file"))
        var har: String?

        @Option(help: ArgumentHelp("Scenarios run in parallel (default: the number of cores).", valueName: "n"))
        var jobs: Int?

        @Option(help: ArgumentHelp("Only scenarios whose path or name contains this (* wildcards).", valueName: "pattern"))
        var filter: String?

        @Option(help: ArgumentHelp("Per client run, unless the scenario's contract.timeout says otherwise.", valueName: "seconds"))
        var timeout: Double = 30

        func validate() throws {
            guard !client.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--client must name a command")
            }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
            guard timeout > 0, timeout.isFinite, timeout <= 86_400 else {
                throw ValidationError("--timeout must be a number of seconds from 0 to 86400, not \(timeout)")
            }
        }

        func run() async throws {
            let started = ContinuousClock.now
            let files: [String]
            do {
                files = try ContractSuite.files(in: paths.isEmpty ? ["scenarios"] : paths)
            } catch {
                Self.stderr("starmock contract: \(error)\n")
                throw ExitCode(2)
            }
            guard !files.isEmpty else {
                Self.stderr("starmock contract: no *.yaml or *.yml scenario files in \(paths.isEmpty ? "scenarios" : paths.joined(separator: ", "))\n")
                throw ExitCode(2)
            }
            var scenarios: [ContractScenario] = []
            var bad = 0
            for file in files {
                let pathMatches = filter.map { ContractSuite.matches($0, file) } ?? true
                let scenario: Scenario
                do {
                    scenario = try Scenario.load(path: file)
                } catch {
                    if pathMatches {
                        Self.stderr("\(error)\n")
                        bad += 1
                    }
                    continue
                }
                if let filter, !pathMatches, !ContractSuite.matches(filter, scenario.name) { continue }
                do {
                    scenarios.append(try ContractScenario(scenario, file: file))
                } catch {
                    Self.stderr("\(error)\n")
                    bad += 1
                }
            }
            if bad > 0 { throw ExitCode(2) }

            let options = ContractOptions(
                client: client, timeout: .milliseconds(Int64((timeout * 1000).rounded())),
                jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            // Clients run in their own process groups, out of reach of the terminal's Ctrl-C:
            // take them down with the runner.
            let signals = ShutdownSignals {
                ClientProcess.killAll()
                Self.stderr("starmock contract: interrupted; running clients killed\n")
                Foundation.exit(130)
            }
            ContractHAR.write(to: har, scenarios: scenarios.filter { $0.contract != nil }.count)
            let reports = await ContractRunner.run(scenarios, options: options) { report in
                Self.stdout(TerminalReport.block(report))
            }
            withExtendedLifetime(signals) {}
            let elapsed = ContinuousClock.now - started
            Self.stdout((reports.isEmpty ? "no scenario matched\n" : "") + TerminalReport.summary(reports, duration: elapsed))
            do {
                if let junit { try Data(JUnitReport.xml(reports, duration: elapsed).utf8).write(to: URL(fileURLWithPath: junit)) }
                if let json {
                    try Data((JSONReport.json(reports, duration: elapsed).text(.pretty) + "\n").utf8).write(
                        to: URL(fileURLWithPath: json))
                }
                if let html { try Data(HTMLReport.html(reports, duration: elapsed).utf8).write(to: URL(fileURLWithPath: html)) }
            } catch {
                Self.stderr("starmock contract: cannot write the report: \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
            if !ContractHAR.writeFailures.isEmpty {
                Self.stderr(ContractHAR.writeFailures.map { "starmock contract: cannot write the HAR file \($0)\n" }.joined())
                throw ExitCode(2)
            }
            if reports.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
        }

        static func stdout(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
        static func stderr(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
