extension WorldSetup {
    /// The demo world `starmock serve` starts with: the seed documents' own keys and users, so
    /// their examples run unchanged but for the base URL.
    ///
    /// - sh4de: the three keys the documentation shows (`sh4de_xxxx`, `sh4de_` + 28 `x`,
    ///   `sh4de_` + 47 `x`), one owner, balance 25.50, 12 earlier orders, 8.42 spent, key
    ///   label "My Stars Bot" (the documented balance body); the next order is 47.
    /// - tgmarket: `sk-demo-tgmarket`, balance 25.50.
    /// - telegram: the bot token `TelegramSetup.demoToken`, 1500 Stars (`TelegramSetup.demo`).
    /// - papaya: `papaya-demo-key` (application `demo-papaya`) with one paid invoice (id 1,
    ///   4.99 per month) and its subscription (id 1, never lapsing by itself); new ids follow.
    /// - reseller: `reseller-demo-key` (`Authorization: Bearer`), balance 100.00; the first
    ///   order is `ORD-005`, as the seed shows.
    /// - users: `some_user`, `durov`, `target` (every kind), `no_premium` (stars only),
    ///   `no_stars` (premium only), `username` (id 123456789, the seed's); any other name is
    ///   unknown.
    public static var demo: WorldSetup {
        var setup = WorldSetup()
        let sh4deOwner = "demo-sh4de"
        setup.keys = [
            APIKey(key: "sh4de_" + String(repeating: "x", count: 28), dialect: "sh4de", label: "Code examples key", owner: sh4deOwner),
            APIKey(key: "sh4de_xxxx", dialect: "sh4de", label: "My Stars Bot", owner: sh4deOwner),
            APIKey(key: "sh4de_" + String(repeating: "x", count: 47), dialect: "sh4de", label: "Long example key", owner: sh4deOwner),
            APIKey(key: "sk-demo-tgmarket", dialect: "tgmarket", label: "Demo", owner: "demo-tgmarket"),
            APIKey(key: TelegramSetup.demoToken, dialect: "telegram", label: "StarMock Demo", owner: "demo-telegram"),
            APIKey(key: "papaya-demo-key", dialect: "papaya", label: "Demo app", owner: "demo-papaya"),
            APIKey(key: "reseller-demo-key", dialect: "reseller", label: "Demo", owner: "demo-reseller"),
        ]
        setup.accounts = [
            sh4deOwner: Account(available: Money(cents: 2550), spent: Money(cents: 842)),
            "demo-tgmarket": Account(available: Money(cents: 2550)),
            "demo-reseller": Account(available: Money(cents: 10_000)),
        ]
        setup.priorOrders = [sh4deOwner: 12]
        setup.firstOrderID = ["sh4de": 47, "tgmarket": 42, "reseller": 5]
        setup.users = [
            TelegramUser(username: "some_user", id: 100_000_001),
            TelegramUser(username: "durov", id: 1_006_503_122),
            TelegramUser(username: "target", id: 100_000_002),
            TelegramUser(username: "no_premium", id: 100_000_003, canReceivePremium: false),
            TelegramUser(username: "no_stars", id: 100_000_004, canReceiveStars: false),
            TelegramUser(username: "username", id: 123_456_789),
        ]
        setup.telegram = .demo
        setup.papaya = .demo
        return setup
    }
}
