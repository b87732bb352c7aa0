import StarMockCore

extension TelegramSetup {
    /// The demo bot's token: a well-formed token that no real bot has.
    public static let demoToken = "123456789:AAdemo_token_for_starmock_only_0000"

    /// The demo world's Bot API part: `@starmock_demo_bot` with 1500 Stars, earned by two
    /// invoice payments (1000 from `some_user`, 500 from `durov`) that can be refunded.
    public static var demo: TelegramSetup {
        var setup = TelegramSetup()
        setup.bots = [
            TelegramBot(
                token: demoToken, username: "starmock_demo_bot", firstName: "StarMock Demo",
                balance: StarAmount(amount: 1500),
                transactions: [
                    .payment(
                        chargeID: "stxDemoCharge0001", stars: 1000,
                        from: .init(id: 100_000_001, firstName: "some_user", username: "some_user"),
                        payload: "demo-order-1", date: WorldTime("2026-03-27 12:00:00")!),
                    .payment(
                        chargeID: "stxDemoCharge0002", stars: 500,
                        from: .init(id: 1_006_503_122, firstName: "durov", username: "durov"),
                        payload: "demo-order-2", date: WorldTime("2026-03-27 18:30:00")!),
                ])
        ]
        return setup
    }
}
