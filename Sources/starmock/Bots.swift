import ArgumentParser
import Foundation
import StarMockContract
import StarMockDialects

extension StarMockCommand {
    /// `starmock bots --bot 'COMMAND' --mode polling|webhook [PATHS…]`: bots under contract
    /// (docs/contract.md): one long-lived bot per scenario with a `bot_contract:` section.
    struct BotsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bots",
            abstract: "Run a Telegram bot for whole scenarios and check the bot rules (docs/contract.md).",
            discussion: """
                The bot runs once per scenario with /bin/sh -c, in its own process group, with \
                STARMOCK_BASE_URL, STARMOCK_BOT_TOKEN, STARMOCK_BOT_MODE, STARMOCK_WEBHOOK_PORT, \
                STARMOCK_WEBHOOK_URL, STARMOCK_WEBHOOK_SECRET and STARMOCK_CLOCK_SCALE in its \
                environment. Files without a bot_contract: section (or not listing the mode) are \
                skipped. Exit code: 0 when every scenario passes, 1 when any fails, 2 for a usage \
                error or a bad scenario file.
                """)

        /// The library folder of the dialect the bots run against (`scenarios/telegram`).
        static let defaultPath = "scenarios/" + Dialects.bots.name

        @Option(help: ArgumentHelp("The bot command, run with /bin/sh -c once per scenario.", valueName: "command"))
        var bot: String

        @Option(help: ArgumentHelp("polling or webhook.", valueName: "mode"))
        var mode: String = "polling"

        @Argument(help: ArgumentHelp("Scenario files or directories (default: \(Self.defaultPath)).", valueName: "path"))
        var paths: [String] = []

        @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "file"))
        var json: String?

        func validate() throws {
            guard ["polling", "webhook"].contains(mode) else { throw ValidationError("--mode is polling or webhook, not \(mode)") }
        }

        func run() async throws {
            let files: [String]
            do {
                files = try ContractSuite.files(in: paths.isEmpty ? [Self.defaultPath] : paths)
            } catch {
                FileHandle.standardError.write(Data("starmock bots: \(error)\n".utf8))
                throw ExitCode(2)
            }
            var failed = 0
            var passed = 0
            var reports: [BotReport] = []
            // Bots run in their own process groups, out of reach of the terminal's Ctrl-C:
            // take them down with the runner.
            let signals = ShutdownSignals {
                ClientProcess.killAll()
                FileHandle.standardError.write(Data("starmock bots: interrupted; running bots killed\n".utf8))
                Foundation.exit(130)
            }
            defer { withExtendedLifetime(signals) {} }
            for file in files {
                let report: BotReport?
                do {
                    report = try await BotRunner.run(path: file, options: BotOptions(command: bot, mode: mode))
                } catch {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    throw ExitCode(2)
                }
                guard let report else { continue }
                reports.append(report)
                if report.passed { passed += 1 } else { failed += 1 }
                print("\(report.passed ? "PASS" : "FAIL") \(report.path)")
                for failure in report.failures { print("  \(failure)") }
            }
            print("\(passed) passed, \(failed) failed")
            if let json {
                do {
                    try Data(BotReport.json(reports).utf8).write(to: URL(fileURLWithPath: json))
                } catch {
                    FileHandle.standardError.write(Data("starmock bots: cannot write \(json): \(error)\n".utf8))
                    throw ExitCode(2)
                }
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
