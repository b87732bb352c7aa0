import Foundation
import StarMockCore
import StarMockDialects
import Testing

@testable import StarMockScenario

/// `world.telegram`, `world.papaya` and `world.reseller` read into the setups their dialects run on.
@Suite("Scenario files: telegram, papaya and reseller sections")
struct ScenarioDialectSectionsTests {
    func parse(_ body: String, dialects: String) throws -> Scenario {
        try Scenario.parse(yaml: "name: test\ndialects: [\(dialects)]\n" + body, file: "test.yaml")
    }

    // MARK: telegram

    @Test("a bot with every field, its transactions, flood control and invoice limit")
    func telegramEverything() throws {
        let s = try parse(
            """
            world:
              users: [{username: some_user, id: 100000001}]
              telegram:
                flood_retry_after: 12s
                max_invoice_stars: 2500
                bots:
                  - token: "123456789:AAshop_bot_token"
                    id: 123456789
                    username: shop_bot
                    first_name: Shop
                    can_join_groups: false
                    can_read_all_group_messages: true
                    supports_inline_queries: true
                    balance: {amount: -1, nanostar_amount: -500000000}
                    transactions:
                      - {id: stxA, amount: 1000, date: "2026-03-27 12:00:00", user: some_user, payload: order-1}
                      - {id: stxB, amount: 250, date: "2026-03-27 13:00:00", user: {id: 42, first_name: Ann}}
                      - {id: stxA, amount: 1000, date: "2026-03-27 14:00:00", direction: outgoing}
                      - {id: wd1, amount: {amount: 2, nanostar_amount: 500000000}, date: "2026-03-27 15:00:00", partner: fragment}
            rate_limits:
              telegram: {limit: 2, window: 1s}
              keys:
                "123456789:AAshop_bot_token": {limit: 1, window: 1s}
            faults:
              - {respond: TOO_MANY_REQUESTS, key: "123456789:AAshop_bot_token", path: /bot*/getMyStarBalance, nth: 2}
            """, dialects: "telegram")
        let t = s.setup.telegram
        #expect(t.floodRetryAfter == 12)
        #expect(t.maxInvoiceStars == 2500)
        let bot = try #require(t.bots.first)
        #expect(t.bots.count == 1)
        #expect(bot.token == "123456789:AAshop_bot_token" && bot.id == 123_456_789)
        #expect(bot.username == "shop_bot" && bot.firstName == "Shop")
        #expect(!bot.canJoinGroups && bot.canReadAllGroupMessages && bot.supportsInlineQueries)
        #expect(bot.balance == StarAmount(amount: -1, nanostarAmount: -500_000_000))
        let someUser = TransactionPartner.User(id: 100_000_001, firstName: "some_user", username: "some_user")
        #expect(
            bot.transactions == [
                .payment(chargeID: "stxA", stars: 1000, from: someUser, payload: "order-1", date: WorldTime("2026-03-27 12:00:00")!),
                .payment(
                    chargeID: "stxB", stars: 250, from: .init(id: 42, firstName: "Ann"), payload: nil,
                    date: WorldTime("2026-03-27 13:00:00")!),
                StarTransaction(
                    id: "stxA", amount: StarAmount(amount: 1000), date: WorldTime("2026-03-27 14:00:00")!, isIncoming: false,
                    partner: .user(someUser, transactionType: "invoice_payment", invoicePayload: "order-1")),
                StarTransaction(
                    id: "wd1", amount: StarAmount(amount: 2, nanostarAmount: 500_000_000),
                    date: WorldTime("2026-03-27 15:00:00")!, isIncoming: false, partner: .fragment),
            ])
        #expect(s.setup.rateLimits["telegram"] == .limited(RateLimit(limit: 2, window: .seconds(1))))
        #expect(s.setup.keyRateLimits["123456789:AAshop_bot_token"] == RateLimit(limit: 1, window: .seconds(1)))
        #expect(s.setup.faults.first?.path == "/bot*/getMyStarBalance")
        #expect(s.setup.faults.first?.key == "123456789:AAshop_bot_token")
        // A bot is not an API key: the token authenticates through TelegramSetup alone.
        #expect(s.setup.keys.isEmpty)
    }

    @Test("a bot's balance defaults to what its transactions add up to; a seeded refund counts as refunded")
    func telegramBalanceFromTransactions() throws {
        let s = try parse(
            """
            world:
              users: [{username: some_user, id: 100000001}, {username: durov, id: 1006503122}]
              telegram:
                bots:
                  - token: "123456789:AAtoken"
                    transactions:
                      - {id: c1, amount: 1000, date: "2026-03-27 12:00:00", user: some_user}
                      - {id: c2, amount: 500, date: "2026-03-27 12:00:00", user: durov}
                      - {id: c2, amount: 500, date: "2026-03-27 13:00:00", direction: outgoing}
            """, dialects: "telegram")
        let bot = try #require(s.setup.telegram.bots.first)
        #expect(bot.balance == StarAmount(amount: 1000))
        #expect(bot.username == "bot123456789_bot" && bot.firstName == "bot123456789_bot")
        let state = TelegramState(setup: s.setup.telegram)
        #expect(state.accounts[123_456_789]?.refunded == ["c2"])
    }

    @Test("rate_limits.telegram: none turns the default flood limit off")
    func telegramNoLimit() throws {
        let s = try parse("rate_limits: {telegram: none}\n", dialects: "telegram")
        #expect(s.setup.rateLimits["telegram"] == .unlimited)
        #expect(s.setup.rateLimits["telegram"] == .unlimited)
        let limit = World(s.setup).read { $0.rateLimit(key: "t", dialect: "telegram", default: TelegramBotAPI().defaultRateLimit(s.setup)) }
        #expect(limit == nil)
        let plain = try parse("", dialects: "telegram").setup
        #expect(World(plain).read { $0.rateLimit(key: "t", dialect: "telegram", default: TelegramBotAPI().defaultRateLimit(plain)) } != nil)
    }

    @Test("telegram keys need no account, and must be well-formed tokens")
    func telegramKeys() throws {
        let s = try parse(
            "world:\n  keys: [{key: \"987654321:AArevoked\", owner: old-bot, enabled: false}]\n", dialects: "telegram")
        #expect(s.setup.keys == [APIKey(key: "987654321:AArevoked", dialect: "telegram", label: "old-bot", owner: "old-bot", enabled: false)])
        #expect(throws: ScenarioError.self) {
            try parse("world:\n  keys: [{key: \"0123:AA\", owner: b}]\n", dialects: "telegram")
        }
    }

    @Test("telegram path patterns: bot* is the token segment, and such a rule matches real paths", arguments: [
        ("/bot*/getMyStarBalance", "/bot123456789:AAtoken/getMyStarBalance", true),
        ("/bot*/getMyStarBalance", "/bot123456789:AAtoken/getMe", false),
        ("/bot*/**", "/bot123456789:AAtoken/refundStarPayment", true),
        ("/bot*/*", "/bot123456789:AAtoken/sendInvoice", true),
        ("/bot*/**", "/api/v1/balance", false),
    ])
    func telegramPatterns(pattern: String, path: String, matches: Bool) throws {
        let s = try parse("faults:\n  - {respond: INTERNAL_SERVER_ERROR, path: \"\(pattern)\"}\n", dialects: "telegram")
        #expect(PathPattern.matches(pattern: try #require(s.setup.faults.first?.path), path: path) == matches)
    }

    // MARK: papaya

    @Test("invoices, a paid one with its subscription, and subscriptions that lapse")
    func papayaEverything() throws {
        let s = try parse(
            """
            seed: 7
            clock: virtual
            world:
              users: [{username: username, id: 123456789}]
              keys: [{key: papaya_key, owner: my-app}]
              papaya:
                bot_username: MyPayBot
                chain_id: 56
                token_name: USDC
                first_invoice_id: 10
                first_subscription_id: 20
                lapse_after_period: true
                invoices:
                  - {title: Premium, message: Monthly access, rate: 4.99, period: PerMonth, metadata: {plan: monthly, seats: 3, ok: true, n: 1.50, tags: [a, b]}}
                  - id: 15
                    rate: "9.990"
                    period: perweek
                    created_at: "2026-03-20 00:00:00"
                    bot_url: "https://t.me/MyPayBot?start=x"
                    paid: {tg_user_id: 123456789, at: "2026-03-21 00:00:00"}
                  - rate: "1"
                    period: PerDay
                    paid: {tg_user_id: 42, username: "@ann", subscription_id: 30, expires_at: never, tx: "0x19bef4f2230c5a83a7e4176bd6ac4dc799ca7625b850388fef3bcc268404728f", user_address: "0x5fdf77447a5f69157b22ca652559cb146a9bd766"}
                subscriptions:
                  - {period: PerYear, tg_user_id: 7, created_at: "2025-03-28 03:00:00", lapsed_at: "2025-06-01 00:00:00", chain_id: 1, token_name: DAI}
            """, dialects: "papaya")
        let p = s.setup.papaya
        #expect(p.botUsername == "MyPayBot" && p.chainID == 56 && p.tokenName == "USDC")
        #expect(p.firstInvoiceID == 10 && p.firstSubscriptionID == 20 && p.lapseAfterPeriod)
        #expect(p.invoices.map(\.id) == [10, 15, 16])
        let start = WorldSetup.documentedStart
        let first = p.invoices[0]
        #expect(first.owner == "my-app" && first.title == "Premium" && first.message == "Monthly access")
        #expect(first.rate.dotNetText == "4.99" && first.period == .perMonth && first.createdAt == start)
        #expect(first.botUrl == "https://t.me/MyPayBot?start=invoice_10" && !first.isPaid)
        #expect(
            first.metadata
                == .object([
                    ("plan", .string("monthly")), ("seats", .number("3")), ("ok", .bool(true)), ("n", .number("1.50")),
                    ("tags", .array([.string("a"), .string("b")])),
                ]))
        let paid = p.invoices[1]
        #expect(paid.rate.dotNetText == "9.99" && paid.period == .perWeek && paid.botUrl == "https://t.me/MyPayBot?start=x")
        #expect(paid.recipient == "username" && paid.paidAt == WorldTime("2026-03-21 00:00:00") && paid.subscriptionID == 20)
        #expect(p.invoices[2].recipient == "ann" && p.invoices[2].subscriptionID == 30)
        #expect(p.subscriptions.map(\.id) == [20, 30, 31])
        let sub = p.subscriptions[0]
        #expect(sub.owner == "my-app" && sub.invoiceID == 15 && sub.period == .perWeek && sub.tgUserID == 123_456_789)
        #expect(sub.chainID == 56 && sub.tokenName == "USDC" && sub.createdAt == WorldTime("2026-03-21 00:00:00"))
        #expect(sub.expiresAt == WorldTime("2026-03-28 00:00:00"))
        #expect(PapayaSubscription.isValidLooking(sub))
        #expect(p.subscriptions[1].expiresAt == nil)
        #expect(p.subscriptions[1].tx == "0x19bef4f2230c5a83a7e4176bd6ac4dc799ca7625b850388fef3bcc268404728f")
        #expect(p.subscriptions[1].userAddress == "0x5fdf77447a5f69157b22ca652559cb146a9bd766")
        let lapsed = p.subscriptions[2]
        #expect(lapsed.invoiceID == nil && lapsed.chainID == 1 && lapsed.tokenName == "DAI")
        #expect(lapsed.lapsedAt == WorldTime("2025-06-01 00:00:00") && !lapsed.isActive(at: start))
        #expect(p.subscriptions[0].isActive(at: WorldTime("2026-03-27 23:59:59")!) && !p.subscriptions[0].isActive(at: start))
        // The same seed gives the same hashes.
        let again = try parse(
            "seed: 7\nclock: virtual\nworld:\n  keys: [{key: k, owner: a}]\n  papaya:\n    subscriptions: [{id: 20, period: PerDay, tg_user_id: 1}]\n",
            dialects: "papaya")
        #expect(again.setup.papaya.subscriptions[0].tx == sub.tx)
    }

    @Test("papaya keys need no account; lapse_after_period false leaves new subscriptions without an end")
    func papayaNoLapse() throws {
        let s = try parse(
            """
            start: "2026-03-28 03:00:00"
            world:
              keys: [{key: papaya_key, owner: my-app}]
              papaya:
                lapse_after_period: false
                subscriptions: [{period: PerDay, tg_user_id: 1}]
            """, dialects: "papaya")
        #expect(s.setup.accounts.isEmpty)
        #expect(s.setup.papaya.subscriptions[0].expiresAt == nil)
        #expect(s.setup.papaya.subscriptions[0].createdAt == WorldSetup.documentedStart)
    }

    // MARK: reseller

    @Test("reseller packages replace the standard table; balance comes from the key owner's account")
    func resellerPackages() throws {
        let s = try parse(
            """
            world:
              accounts: {shop: {balance: "1.00"}}
              keys: [{key: reseller_key, owner: shop}]
              users: [{username: username, id: 123456789}]
              first_order_id: {reseller: 5}
              reseller:
                packages: {50: "0.85", 100: "1.70", 777: "12.34"}
            rate_limits:
              reseller: {limit: 2, window: 1m}
            faults:
              - {respond: SUPPLIER_ERROR, method: POST, path: /topup, phase: after, times: 1}
              - {respond: INTERNAL_ERROR, path: "/orders/*", nth: 1}
            """, dialects: "reseller")
        #expect(s.setup.reseller.packages == [50: Money(cents: 85), 100: Money(cents: 170), 777: Money(cents: 1234)])
        #expect(s.setup.accounts["shop"]?.available == Money(cents: 100))
        #expect(s.setup.firstOrderID["reseller"] == 5)
        #expect(s.setup.rateLimits["reseller"] == .limited(RateLimit(limit: 2, window: .seconds(60))))
        #expect(s.setup.faults.map(\.phase) == [.after, .before])
    }

    @Test("the reseller's default rate limit stays unless the scenario changes it")
    func resellerDefaults() throws {
        let s = try parse("world:\n  accounts: {shop: {}}\n  keys: [{key: k, owner: shop}]\n", dialects: "reseller")
        #expect(s.setup.reseller.packages == ResellerSetup.standardPackages)
        #expect(s.setup.rateLimits["reseller"] == nil && Reseller().defaultRateLimit(s.setup) == Reseller.rateLimit)
    }

    @Test("a rule without dialect in a scenario of several dialects checks the path against each table")
    func mixedRoutes() throws {
        let s = try parse(
            """
            faults:
              - {transport: reset, path: /topup}
              - {transport: reset, path: "/api/subscriptions/*"}
              - {transport: reset, path: /bot*/refundStarPayment}
            """, dialects: "telegram, papaya, reseller")
        #expect(s.setup.faults.count == 3)
        #expect(throws: ScenarioError.self) {
            try parse("faults:\n  - {transport: reset, path: /topups}\n", dialects: "telegram, papaya, reseller")
        }
    }
}

extension PapayaSubscription {
    /// `tx` is 0x + 64 hex and `userAddress` 0x + 40 hex.
    static func isValidLooking(_ s: PapayaSubscription) -> Bool {
        ScenarioContext.isHex(s.tx, digits: 64) && ScenarioContext.isHex(s.userAddress, digits: 40)
    }
}
