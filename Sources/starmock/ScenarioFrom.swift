import ArgumentParser
import Foundation
import StarMockDialects
import StarMockScenario

extension StarMockCommand {
    /// `starmock scenario …`: scenario tools.
    struct ScenarioCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scenario", abstract: "Make scenarios.", subcommands: [From.self])
    }
}

extension StarMockCommand.ScenarioCommand {
    /// `starmock scenario from FILE.har|journal.json [--dialect NAME] [--contract]`.
    struct From: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from",
            abstract: "Write to stdout a scenario that reproduces a recording (HAR 1.2 or StarMock's journal JSON).",
            discussion: """
                The starting world is inferred from the answers (balances, order ids, users, prices), \
                the order lifecycles from the polls; errors and broken connections are pinned to the \
                requests where they happened (nth), latencies kept as recorded, and answers StarMock's \
                model would never give are served verbatim, with a comment saying so. Notes on what \
                could not be reproduced exactly go to stderr. The output passes `starmock check`.
                """)

        @Argument(help: ArgumentHelp("A HAR file (starmock record, devtools, Charles, mitmproxy) or GET /__admin/journal's JSON.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Only this dialect (repeatable). Default: each exchange's own, by path.", valueName: "name"))
        var dialect: [String] = []

        @Flag(help: "Add a contract: section asserting what a correct client must do here.")
        var contract = false

        func validate() throws {
            for name in dialect where DialectSet(named: [name]) == nil {
                throw ValidationError("Unknown dialect '\(name)'; known: \(DialectSet.allNames.joined(separator: ", "))")
            }
        }

        func run() throws {
            do {
                let exchanges = try RecordingFile.load(path: file)
                let converter = ScenarioFromRecording(
                    exchanges: exchanges, dialectNames: dialect.isEmpty ? nil : dialect, contract: contract, source: file)
                let (yaml, notes) = try converter.make()
                FileHandle.standardOutput.write(Data(yaml.utf8))
                for note in notes { FileHandle.standardError.write(Data("starmock scenario from: note: \(note)\n".utf8)) }
            } catch {
                FileHandle.standardError.write(Data("starmock scenario from: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
