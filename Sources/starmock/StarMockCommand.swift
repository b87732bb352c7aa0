import ArgumentParser
import Foundation

/// `starmock`: the offline upstream for Telegram Stars and Premium reseller APIs.
@main
struct StarMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starmock",
        abstract: "The offline upstream for Telegram Stars and Premium reseller APIs.",
        subcommands: [Serve.self, Check.self, ContractCommand.self, Record.self, ScenarioCommand.self, BotsCommand.self],
        defaultSubcommand: Serve.self)

    /// As ArgumentParser's, except that `contract` reports usage errors with exit code 2, as
    /// its documentation promises (ArgumentParser uses 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
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
