import Foundation
import StarMockCore
import StarMockDialects
import Testing
import Yams

@testable import StarMockScenario

/// Every feature of the format reads into the model value the world runs on.
@Suite("Scenario files: features")
struct ScenarioParsingTests {
    static let header = "name: test\ndialects: [sh4de]\n"

    func parse(_ body: String, header: String = header) throws -> Scenario {
        try Scenario.parse(yaml: header + body, file: "test.yaml")
    }

    @Test("the sketch in the brief reads completely")
    func sketch() throws {
        let s = try parse(
            """
            description: The first stars order fails with CHARGING_ERROR; the retry succeeds.
            seed: 42
            clock: virtual
            start: "2026-03-28 03:00:00"
            world:
              keys:
                - {key: sh4de_test, dialect: sh4de, label: My Stars Bot, owner: shop}
              accounts:
                shop: {balance: "25.50", spent: "8.42", prior_orders: 12}
              users:
                - {username: some_user, id: 1, stars: true, premium: false}
              prices:
                sh4de: {per_star: "0.013", min_stars: 50, premium: {3: "4.99", 6: "8.99", 12: "15.99"}}
              first_order_id: {sh4de: 47}
              wait_timeout: 90s
            faults:
              - {dialect: sh4de, respond: CHARGING_ERROR, method: POST, path: /api/v1/order/stars, nth: 1}
            """)
        #expect(s.name == "test")
        #expect(s.description == "The first stars order fails with CHARGING_ERROR; the retry succeeds.")
        #expect(s.dialects == ["sh4de"])
        #expect(s.setup.seed == 42)
        #expect(s.setup.clock == .virtual)
        #expect(s.setup.startTime == WorldTime("2026-03-28 03:00:00"))
        #expect(s.setup.keys == [APIKey(key: "sh4de_test", dialect: "sh4de", label: "My Stars Bot", owner: "shop")])
        #expect(s.setup.accounts == ["shop": Account(available: Money(cents: 2550), spent: Money(cents: 842))])
        #expect(s.setup.priorOrders == ["shop": 12])
        #expect(s.setup.users == [TelegramUser(username: "some_user", id: 1, canReceiveStars: true, canReceivePremium: false)])
        #expect(s.setup.prices["sh4de"] == .sh4de)
        #expect(s.setup.firstOrderID == ["sh4de": 47])
        #expect(s.setup.waitTimeout == .seconds(90))
        #expect(
            s.setup.faults == [
                FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", method: "POST", path: "/api/v1/order/stars", nth: 1)
            ])
        #expect(s.contractNode == nil)
        #expect(s.path == nil)
    }

    @Test("a minimal scenario keeps every documented default")
    func defaults() throws {
        let s = try parse("")
        let plain = WorldSetup()
        #expect(s.description == "")
        #expect(s.setup.seed == 1)
        #expect(s.setup.clock == .real)
        #expect(s.setup.startTime == nil)
        #expect(s.setup.keys.isEmpty && s.setup.accounts.isEmpty && s.setup.users.isEmpty && s.setup.faults.isEmpty)
        #expect(s.setup.prices == plain.prices)
        #expect(s.setup.rateLimits == plain.rateLimits)
        #expect(s.setup.keyRateLimits.isEmpty)
        #expect(s.setup.lifecycles.isEmpty)
        #expect(s.setup.firstOrderID.isEmpty)
        #expect(s.setup.waitTimeout == .seconds(90))
        #expect(s.setup.journalCapacity == 10_000)
    }

    @Test("key defaults: the only dialect, the owner as label, enabled")
    func keyDefaults() throws {
        let s = try parse(
            """
            world:
              accounts: {shop: {}}
              keys:
                - {key: k1, owner: shop}
                - {key: k2, owner: shop, enabled: false, label: Old}
            """)
        #expect(
            s.setup.keys == [
                APIKey(key: "k1", dialect: "sh4de", label: "shop", owner: "shop"),
                APIKey(key: "k2", dialect: "sh4de", label: "Old", owner: "shop", enabled: false),
            ])
        #expect(s.setup.accounts["shop"] == Account(available: .zero))
        #expect(s.setup.priorOrders.isEmpty)
    }

    @Test("users default to receiving stars and premium")
    func userDefaults() throws {
        let s = try parse("world:\n  users:\n    - {username: durov, id: 1006503122}\n")
        #expect(s.setup.users == [TelegramUser(username: "durov", id: 1_006_503_122)])
    }

    @Test("prices: left-out fields keep the documented list; premium is replaced whole")
    func partialPrices() throws {
        let s = try parse("world:\n  prices:\n    sh4de: {per_star: \"0.02\", premium: {1: \"1.00\"}}\n")
        #expect(
            s.setup.prices["sh4de"]
                == PriceList(perStar: UnitPrice(micros: 20_000), minStars: 50, premium: [1: Money(cents: 100)]))
        // A dialect the scenario leaves alone keeps its documented list (the dialect's own default).
        #expect(s.setup.prices["tgmarket"] == nil)
    }

    @Test("durations", arguments: [
        ("65s", Duration.seconds(65)), ("200ms", .milliseconds(200)), ("1.5s", .milliseconds(1500)),
        ("2m", .seconds(120)), ("1h", .seconds(3600)), ("1m30s", .seconds(90)), ("0.25m", .seconds(15)),
        ("0s", .zero),
    ])
    func durations(text: String, expected: Duration) throws {
        let s = try parse("lifecycles:\n  stars: {pending: \(text)}\n")
        #expect(s.setup.lifecycles[.stars]?.pending == .fixed(expected))
    }

    @Test("durations finer than a millisecond or malformed are refused", arguments: ["0.5ms", "1.0001s", "s", "1.s", "5 s", "5sec", "-1s"])
    func badDurations(text: String) {
        #expect(DurationText.milliseconds(text) == nil)
    }

    @Test("distributions")
    func distributions() throws {
        let s = try parse(
            """
            lifecycles:
              stars: {pending: {fixed: 3s}}
              premium: {pending: {uniform: {min: 1s, max: 5s}}}
              default: {pending: {normal: {mean: 30s, sd: 5s}}}
            latency:
              - delay: {lognormal: {median: 200ms, p99: 2s}}
            """)
        #expect(s.setup.lifecycles[.stars]?.pending == .fixed(.seconds(3)))
        #expect(s.setup.lifecycles[.premium]?.pending == .uniform(min: .seconds(1), max: .seconds(5)))
        #expect(s.setup.lifecycles[.every]?.pending == .normal(mean: .seconds(30), standardDeviation: .seconds(5)))
        #expect(s.setup.faults.first?.action == .delay(.lognormal(median: .milliseconds(200), p99: .seconds(2))))
    }

    @Test("lifecycles: outcome, weights, failure message, script, polls, never")
    func lifecycles() throws {
        let s = try parse(
            """
            lifecycles:
              stars:
                pending: never
                script: [failed, completed, stuck]
                complete_after_polls: 3
                failure_message: Upstream charging error
              premium:
                outcome: {weights: {completed: 9, failed: 1}}
              default:
                outcome: stuck
            """)
        let stars = try #require(s.setup.lifecycles[.stars])
        #expect(stars.pending == nil)
        #expect(stars.script == [.failed(message: "Upstream charging error"), .completed, .stuck])
        #expect(stars.completeAfterPolls == 3)
        #expect(stars.outcomes.map(\.outcome) == [.completed])
        let premium = try #require(s.setup.lifecycles[.premium])
        #expect(premium.pending == .fixed(.seconds(65)))
        #expect(premium.outcomes.map(\.outcome) == [.completed, .failed(message: "Order failed")])
        #expect(premium.outcomes.map(\.weight) == [9, 1])
        #expect(s.setup.lifecycles[.every]?.outcomes.map(\.outcome) == [.stuck])
    }

    @Test("latency rules select like faults and always delay after the world acted")
    func latency() throws {
        let s = try parse(
            """
            world:
              accounts: {shop: {}}
              keys: [{key: k1, owner: shop}]
            latency:
              - {dialect: sh4de, method: post, path: "/api/v1/order/*", key: k1, delay: 45s, times: 1, nth: 2, probability: 0.5}
            """)
        var expected = FaultRule(
            dialect: "sh4de", action: .delay(.fixed(.seconds(45))), method: "POST", path: "/api/v1/order/*", key: "k1",
            nth: 2, times: 1, probability: 0.5)
        expected.phase = .after
        #expect(s.setup.faults == [expected])
    }

    @Test("transport faults and their default phases")
    func transport() throws {
        let s = try parse(
            """
            faults:
              - {transport: reset, phase: after, path: /api/v1/order/stars, times: 1}
              - {transport: close}
              - {transport: {garbage: "HTTP/1.1 2"}}
              - {transport: {truncate: 20}}
              - {transport: {dribble: {chunk: 8, over: 5s}}, probability: 1}
            """)
        #expect(s.setup.faults.map(\.action) == [
            .transport(.reset), .transport(.close), .transport(.garbage(Array("HTTP/1.1 2".utf8))),
            .transport(.truncate(afterBytes: 20)), .transport(.dribble(chunkBytes: 8, over: .seconds(5))),
        ])
        #expect(s.setup.faults.map(\.phase) == [.after, .before, .before, .after, .after])
        #expect(s.setup.faults.map(\.dialect) == [nil, nil, nil, nil, nil])
        #expect(s.setup.faults[0].times == 1)
        #expect(s.setup.faults[4].probability == 1)
    }

    @Test("relative times count from start")
    func relativeTimes() throws {
        let s = try parse(
            """
            start: "2026-03-28 03:00:00"
            faults:
              - {respond: SERVICE_UNAVAILABLE, from: "+0s", until: "+1m"}
              - {respond: SERVICE_UNAVAILABLE, from: 2026-03-28T04:00:00Z}
            """)
        let start = try #require(WorldTime("2026-03-28 03:00:00"))
        #expect(s.setup.faults[0].from == start)
        #expect(s.setup.faults[0].until == start.adding(.seconds(60)))
        #expect(s.setup.faults[1].from == start.adding(.seconds(3600)))
    }

    @Test("relative times on a virtual clock without start pin the documented start")
    func relativeTimesPinStart() throws {
        let s = try parse("clock: virtual\nfaults:\n  - {respond: SERVICE_UNAVAILABLE, until: \"+60s\"}\n")
        #expect(s.setup.startTime == WorldSetup.documentedStart)
        #expect(s.setup.faults[0].until == WorldSetup.documentedStart.adding(.seconds(60)))
        // Without relative times the start stays implicit.
        #expect(try parse("clock: virtual\n").setup.startTime == nil)
    }

    @Test("clock modes", arguments: [("real", ClockMode.real), ("virtual", .virtual), ("scaled:10", .scaled(10)), ("x2.5", .scaled(2.5))])
    func clocks(text: String, mode: ClockMode) throws {
        #expect(try parse("clock: \(text)\n").setup.clock == mode)
    }

    @Test("rate limits by dialect, none, and by key")
    func rateLimits() throws {
        let s = try parse(
            """
            world:
              accounts: {shop: {}}
              keys: [{key: k1, owner: shop}]
            rate_limits:
              sh4de: {limit: 5, window: 10s}
              keys: {k1: {limit: 1, window: 1s}}
            """)
        #expect(s.setup.rateLimits["sh4de"] == .limited(RateLimit(limit: 5, window: .seconds(10))))
        #expect(s.setup.keyRateLimits == ["k1": RateLimit(limit: 1, window: .seconds(1))])
        #expect(try parse("rate_limits: {sh4de: none}\n").setup.rateLimits["sh4de"] == .unlimited)
    }

    @Test("journal capacity and seed")
    func journalAndSeed() throws {
        let s = try parse("seed: 18446744073709551615\nworld: {journal_capacity: 50}\n")
        #expect(s.setup.seed == UInt64.max)
        #expect(s.setup.journalCapacity == 50)
    }

    @Test("the contract mapping is kept as written, not interpreted")
    func contract() throws {
        let s = try parse("contract:\n  run: ./client order\n  expect: {orders: 1}\n")
        let node = try #require(s.contractNode)
        #expect(node.mapping?["run"]?.string == "./client order")
        #expect(node.mark?.line == 4)
    }

    @Test("a fault without a dialect must be valid for every served dialect")
    func wildcardCode() throws {
        let s = try parse("faults:\n  - {respond: SERVICE_UNAVAILABLE}\n")
        #expect(s.setup.faults == [FaultRule(dialect: nil, code: "SERVICE_UNAVAILABLE")])
    }

    @Test("a dialect StarMock knows but the server does not serve is refused with its position")
    func notServed() {
        #expect(throws: ScenarioError(file: "scenario", line: 2, column: 12, message: "dialect \"sh4de\" is not served here (serving: telegram)")) {
            try Scenario.parse(yaml: Self.header, file: "scenario", serving: ["telegram"])
        }
    }

    @Test("load names the file as given and keeps the path")
    func load() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("starmock-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        try Data((Self.header + "seed: 7\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try Scenario.load(path: path)
        #expect(s.path == path)
        #expect(s.setup.seed == 7)
        try Data((Self.header + "seed: x\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ScenarioError(file: path, line: 3, column: 7, message: "\"seed\" must be a whole number, not the string \"x\"")) {
            try Scenario.load(path: path)
        }
        #expect(throws: ScenarioError(file: path + ".missing", line: 1, column: 1, message: "no such file")) {
            try Scenario.load(path: path + ".missing")
        }
    }

    @Test("suggestions find near misses and nothing for far ones")
    func suggestions() {
        #expect(Suggestion.closest(to: "latncy", in: ScenarioParser.topLevelKeys) == "latency")
        #expect(Suggestion.closest(to: "dialect", in: ScenarioParser.topLevelKeys) == "dialects")
        #expect(Suggestion.closest(to: "colour", in: ScenarioParser.faultKeys) == nil)
        #expect(Suggestion.closest(to: "POTS", in: ScenarioParser.methods) == "POST")
    }
}
