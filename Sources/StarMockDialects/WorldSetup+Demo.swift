public import StarMockCore

extension WorldSetup {
    /// The demo world `starmock serve` starts with: the seed documents' own keys and users, so
    /// their examples run unchanged but for the base URL. Each dialect adds its part
    /// (`Dialect.addDemo`); the users every reseller dialect delivers to are shared:
    /// `some_user`, `durov`, `target` (every kind), `no_premium` (stars only), `no_stars`
    /// (premium only), `username` (id 123456789, the seed's); any other name is unknown.
    public static var demo: WorldSetup {
        var setup = WorldSetup()
        setup.users = [
            TelegramUser(username: "some_user", id: 100_000_001),
            TelegramUser(username: "durov", id: 1_006_503_122),
            TelegramUser(username: "target", id: 100_000_002),
            TelegramUser(username: "no_premium", id: 100_000_003, canReceivePremium: false),
            TelegramUser(username: "no_stars", id: 100_000_004, canReceiveStars: false),
            TelegramUser(username: "username", id: 123_456_789),
        ]
        for dialect in Dialects.all { dialect.addDemo(to: &setup) }
        return setup
    }
}
