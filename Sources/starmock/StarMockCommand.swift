import ArgumentParser

/// `starmock`: the offline upstream for Telegram Stars and Premium reseller APIs.
@main
struct StarMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starmock",
        abstract: "The offline upstream for Telegram Stars and Premium reseller APIs.",
        subcommands: [Serve.self, Check.self],
        defaultSubcommand: Serve.self)
}
