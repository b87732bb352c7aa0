import Foundation
import StarMockContract
import StarMockCore
import Testing

@Suite("Bots under contract: a long-lived bot for a whole scenario", .timeLimit(.minutes(2)))
struct BotRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let scenario = root.appendingPathComponent("scenarios/telegram/bot-paid-purchase.yaml").path
    static let bot = "python3 '" + root.appendingPathComponent("fixtures/clients/telegram-bots/stdlib_bot.py").path + "'"

    @Test("A polling bot that sells and delivers once passes every rule; one that delivers twice breaks delivers-once-per-payment")
    func pollingBot() async throws {
        // At scaled:2 the 10 s pre-checkout deadline is 5 real seconds: a bot started beside the
        // whole parallel test suite still makes it (the scenario's own scaled:10 leaves it 1 s).
        let good = try #require(
            try await BotRunner.run(path: Self.scenario, options: BotOptions(command: Self.bot, mode: "polling", clock: .scaled(2))))
        #expect(good.passed, "\(good.failures)")
        var environment = ProcessInfo.processInfo.environment
        environment["BOT_BROKEN"] = "twice"
        let twice = try #require(
            try await BotRunner.run(
                path: Self.scenario, options: BotOptions(command: Self.bot, mode: "polling", environment: environment, clock: .scaled(2))))
        #expect(twice.brokenRules == ["delivers-once-per-payment"], "\(twice.failures)")
    }

    @Test("A scenario whose bot_contract does not list the mode is skipped")
    func skipped() async throws {
        let path = Self.root.appendingPathComponent("scenarios/telegram/bot-webhook-redelivered.yaml").path
        #expect(try await BotRunner.run(path: path, options: BotOptions(command: "true", mode: "polling")) == nil)
    }
}
