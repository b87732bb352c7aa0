import ArgumentParser
import Foundation

/// `starmock`: the offline upstream for Telegram Stars and Premium reseller APIs.
@main
struct StarMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starmock",
        abstract: "The offline upstream for Telegram Stars and Premium reseller APIs.",
        discussion: "Without a subcommand (`starmock`, `starmock --port 9000`), `serve`.",
        subcommands: [Serve.self, Check.self, ContractCommand.self, Record.self, ScenarioCommand.self, BotsCommand.self])
    // `serve` is the default subcommand, but not through `defaultSubcommand`: with one,
    // ArgumentParser reflects over every `serve` option again for each argument it reads,
    // about a seventh of the main thread's samples from spawn to the first answer
    // (docs/performance.md).

    /// The arguments with `serve` put first when they name no subcommand: none at all, or
    /// an option that is not one of ArgumentParser's own (`--help`, …).
    static func withDefaultSubcommand(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return ["serve"] }
        // An array, not a Set: this runs once, before anything else has hashed a string.
        let ownFlags = ["-h", "-help", "--help", "--version", "--generate-completion-script", "--experimental-dump-help"]
        guard first.hasPrefix("-"), !ownFlags.contains(first), !first.hasPrefix("--generate-completion-script=") else {
            return arguments
        }
        return ["serve"] + arguments
    }

    /// As ArgumentParser's, except that `contract` reports usage errors with exit code 2, as
    /// its documentation promises (ArgumentParser uses 64).
    static func main() async {
        do {
            let arguments = withDefaultSubcommand(Array(CommandLine.arguments.dropFirst()))
            if arguments.first == "serve" { Serve.prepare() }
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if CommandLine.arguments.dropFirst().first == "contract", exitCode(for: error).rawValue == ExitCode.validationFailure.rawValue {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
