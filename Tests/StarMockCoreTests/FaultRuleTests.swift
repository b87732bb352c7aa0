import Testing

@testable import StarMockCore

@Suite("Scripted faults")
struct FaultRuleTests {
    static let start = WorldTime("2026-03-28 03:00:00")!

    func makeWorld(_ faults: [FaultRule], seed: UInt64 = 1) -> World {
        var setup = WorldSetup()
        setup.clock = .virtual
        setup.faults = faults
        setup.seed = seed
        return World(setup)
    }

    /// The code of the fault this request gets, if any.
    func take(
        _ world: World, dialect: String = "sh4de", _ method: String = "POST", _ path: String = "/api/v1/order",
        key: String? = "k1", phase: FaultRule.Phase = .before
    ) -> String? {
        let decision = world.transact {
            $0.decideFaults(for: FaultQuery(dialect: DialectID(dialect), method: method, path: path, key: key))
        }
        return phase == .before ? decision.errorBefore : decision.errorAfter
    }

    @Test("no rules, no faults")
    func none() {
        let world = makeWorld([])
        #expect(take(world) == nil)
        #expect(take(world, phase: .after) == nil)
    }

    @Test("a rule matches its dialect, method (any case), path and key")
    func matching() {
        let world = makeWorld([
            FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", method: "post", path: "/api/v1/order", key: "k1")
        ])
        #expect(take(world) == "CHARGING_ERROR")
        #expect(take(world, "Post") == "CHARGING_ERROR")
        #expect(take(world, "GET") == nil)
        #expect(take(world, dialect: "tgmarket") == nil)
        #expect(take(world, "POST", "/api/v1/orders") == nil)
        #expect(take(world, "POST", "/api/v1/order/1") == nil)
        #expect(take(world, key: "k2") == nil)
        #expect(take(world, key: nil) == nil)
        let rule = world.read { $0.faults[0] }
        #expect(rule.matched == 2)
        #expect(rule.fired == 2)
    }

    @Test("a rule without filters matches every request of its dialect")
    func unfiltered() {
        let world = makeWorld([FaultRule(dialect: "tgmarket", code: "internal_error")])
        #expect(take(world, dialect: "tgmarket", "GET", "/anything", key: nil) == "internal_error")
        #expect(take(world, dialect: "tgmarket", "DELETE", "/", key: "z") == "internal_error")
        #expect(take(world, dialect: "sh4de") == nil)
    }

    @Test("nth: only the N-th matching request")
    func nth() {
        let world = makeWorld([FaultRule(dialect: "sh4de", code: "E", method: "POST", nth: 3)])
        var fired: [Int] = []
        for i in 1...6 {
            _ = take(world, "GET")  // not matching: does not count
            if take(world) != nil { fired.append(i) }
        }
        #expect(fired == [3])
        let rule = world.read { $0.faults[0] }
        #expect(rule.matched == 6)
        #expect(rule.fired == 1)
    }

    @Test("times: at most N, then later rules get their turn")
    func times() {
        let world = makeWorld([
            FaultRule(dialect: "sh4de", code: "FIRST", times: 2),
            FaultRule(dialect: "sh4de", code: "SECOND", times: 1),
        ])
        let codes = (0..<5).map { _ in take(world) }
        #expect(codes == ["FIRST", "FIRST", "SECOND", nil, nil])
        #expect(world.read { $0.faults.map(\.fired) } == [2, 1])
        // An exhausted rule stops counting matches.
        #expect(world.read { $0.faults.map(\.matched) } == [2, 1])
    }

    @Test("nth and times together: every request after the first… only once")
    func nthAndTimes() {
        let world = makeWorld([FaultRule(dialect: "sh4de", code: "E", nth: 2, times: 5)])
        let codes = (0..<4).map { _ in take(world) }
        #expect(codes == [nil, "E", nil, nil])
    }

    @Test("probability is rolled on the seeded generator: same seed, same dice")
    func probability() {
        func pattern(seed: UInt64, noise: Bool = false) -> [Bool] {
            let world = makeWorld([FaultRule(dialect: "sh4de", code: "E", path: "/api/v1/order", probability: 0.3)], seed: seed)
            return (0..<1000).map { _ in
                if noise { _ = take(world, "POST", "/api/v1/balance") }  // no match: no dice rolled
                return take(world) != nil
            }
        }
        let a = pattern(seed: 5)
        #expect(a == pattern(seed: 5))
        #expect(a == pattern(seed: 5, noise: true))
        #expect(a != pattern(seed: 6))
        let count = a.count(where: { $0 })
        #expect((240...360).contains(count), "fired \(count) of 1000")
    }

    @Test("probability 0 never fires, 1 always fires")
    func probabilityBounds() {
        let world = makeWorld([
            FaultRule(dialect: "sh4de", code: "NEVER", probability: 0),
            FaultRule(dialect: "sh4de", code: "ALWAYS", probability: 1),
        ])
        #expect((0..<200).allSatisfy { _ in take(world) == "ALWAYS" })
        #expect(world.read { $0.faults[0].matched } == 200)
        #expect(world.read { $0.faults[0].fired } == 0)
    }

    @Test("a time window on the world's clock: from inclusive, until exclusive")
    func timeWindow() {
        let world = makeWorld([
            FaultRule(
                dialect: "sh4de", code: "E", from: Self.start.adding(.seconds(10)), until: Self.start.adding(.seconds(20)))
        ])
        #expect(take(world) == nil)
        world.advance(by: .milliseconds(9_999))
        #expect(take(world) == nil)
        world.advance(by: .milliseconds(1))
        #expect(take(world) == "E")
        world.advance(by: .milliseconds(9_999))
        #expect(take(world) == "E")
        world.advance(by: .milliseconds(1))
        #expect(take(world) == nil)
        world.advance(by: .seconds(3600))
        #expect(take(world) == nil)
        // Requests outside the window are not counted as matches.
        #expect(world.read { $0.faults[0].matched } == 2)
    }

    @Test("path patterns: `*` is one segment, `**` the rest, `bot*` a prefix")
    func pathPatterns() {
        let cases: [(String, String, Bool)] = [
            ("/api/v1/order/*", "/api/v1/order/47", true),
            ("/api/v1/order/*", "/api/v1/order/abc", true),
            ("/api/v1/order/*", "/api/v1/order", false),
            ("/api/v1/order/*", "/api/v1/order/47/status", false),
            ("/api/v1/order/*", "/api/v1/orders/47", false),
            ("/api/*/order/*", "/api/v2/order/9", true),
            ("/api/v1/order", "/api/v1/order", true),
            ("/api/v1/order", "/api/v1/order/", false),
            ("/api/v1/order", "/API/v1/order", false),
            ("**", "/", true),
            ("**", "/api/v1/order/47", true),
            ("/**", "/anything/at/all", true),
            ("/api/**", "/api/v1/order/47", true),
            ("/api/**", "/api", true),
            ("/api/**", "/apix/v1", false),
            ("/api/**", "/other/v1", false),
            ("*", "/", false),
            ("/*", "/balance", true),
            // A segment ending in `*` matches by prefix: the Bot API's `/bot<TOKEN>/<method>`.
            ("/bot*/getMyStarBalance", "/bot123456789:AAtoken/getMyStarBalance", true),
            ("/bot*/getMyStarBalance", "/bot123456789:AAtoken/getMe", false),
            ("/bot*/getMyStarBalance", "/api/v1/getMyStarBalance", false),
            ("/bot*/**", "/bot123456789:AAtoken/refundStarPayment", true),
            ("/bot*/**", "/orders/ORD-005", false),
        ]
        for (pattern, path, expected) in cases {
            #expect(PathPattern.matches(pattern: pattern, path: path) == expected, "\(pattern) vs \(path)")
        }
    }

    @Test("rules with patterns in the world")
    func patternRules() {
        let world = makeWorld([
            FaultRule(dialect: "tgmarket", code: "order_not_found", method: "GET", path: "/api/v1/order/*"),
            FaultRule(dialect: "tgmarket", code: "internal_error", path: "**", times: 1),
        ])
        #expect(take(world, dialect: "tgmarket", "GET", "/api/v1/order/42") == "order_not_found")
        #expect(take(world, dialect: "tgmarket", "POST", "/api/v1/order/42") == "internal_error")
        #expect(take(world, dialect: "tgmarket", "POST", "/api/v1/order/42") == nil)
        #expect(take(world, dialect: "tgmarket", "GET", "/api/v1/order/43") == "order_not_found")
    }

    @Test("phases: an error before the world answers alone; an error after counts only while none before fired")
    func phases() {
        let world = makeWorld([
            FaultRule(dialect: "sh4de", code: "BEFORE", nth: 2, phase: .before),
            FaultRule(dialect: "sh4de", code: "AFTER", nth: 1, phase: .after),
        ])
        func decide() -> FaultDecision {
            world.transact { $0.decideFaults(for: FaultQuery(dialect: "sh4de", method: "POST", path: "/api/v1/order", key: "k1")) }
        }
        // Request 1: the before-rule's 1st match does not fire, so the after-rule's 1st does.
        let first = decide()
        #expect(first.errorBefore == nil && first.errorAfter == "AFTER")
        // Request 2: the before-rule fires; the after-rule is not met at all.
        let second = decide()
        #expect(second.errorBefore == "BEFORE" && second.errorAfter == nil)
        #expect(world.read { $0.faults.map(\.matched) } == [2, 1])
        let third = decide()
        #expect(third.errorBefore == nil && third.errorAfter == nil)
        #expect(world.read { $0.faults.map(\.matched) } == [3, 2])
        #expect(FaultRule(dialect: "x", code: "y").phase == .before)
    }

    @Test("faults added at run time, cleared, and reset to the setup")
    func runtimeChanges() {
        let world = makeWorld([FaultRule(dialect: "sh4de", code: "SETUP", times: 1)])
        #expect(take(world) == "SETUP")
        world.transact { $0.addFault(FaultRule(dialect: "sh4de", code: "ADDED")) }
        #expect(take(world) == "ADDED")
        world.transact { $0.clearFaults() }
        #expect(take(world) == nil)
        world.reset()
        #expect(world.read { $0.faults.map(\.fired) } == [0])
        #expect(take(world) == "SETUP")
        #expect(take(world) == nil)
    }
    @Test("a rule without a dialect applies to every dialect")
    func anyDialect() {
        let world = makeWorld([FaultRule(dialect: nil, code: "E", path: "/api/**")])
        #expect(take(world, dialect: "sh4de") == "E")
        #expect(take(world, dialect: "tgmarket", "GET", "/api/v1/balance") == "E")
        #expect(take(world, dialect: "tgmarket", "GET", "/health") == nil)
    }

    @Test("one decision settles transport, error and latency in the order a request meets them")
    func kinds() throws {
        let world = makeWorld([
            FaultRule(dialect: "sh4de", action: .transport(.reset), times: 1),
            FaultRule(dialect: "sh4de", action: .delay(.fixed(.milliseconds(250))), phase: .before),
            FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", times: 1),
        ])
        func decide() -> FaultDecision {
            world.transact { $0.decideFaults(for: FaultQuery(dialect: "sh4de", method: "POST", path: "/api/v1/order", key: "k1")) }
        }
        // A reset before the world: the dialect never answers, so its error is not spent.
        let first = decide()
        #expect(first.transportBefore == .reset)
        #expect(first.errorBefore == nil)
        #expect(first.delay == .milliseconds(250))
        let second = decide()
        #expect(second.transportBefore == nil)
        #expect(second.errorBefore == "CHARGING_ERROR")
        // Latency applies whatever the phase.
        #expect(second.delay == .milliseconds(250))
        let third = decide()
        #expect(third.errorBefore == nil && third.transportBefore == nil && third.delay == .milliseconds(250))
        #expect(world.read { $0.faults.map(\.fired) } == [1, 3, 1])
        // A transport or latency rule has no dialect code.
        #expect(world.read { $0.faults.map(\.code) } == [nil, nil, "CHARGING_ERROR"])
    }

    @Test("actions describe themselves for the journal")
    func descriptions() {
        #expect(FaultRule.Action.respond(code: "CHARGING_ERROR").description == "CHARGING_ERROR")
        #expect(FaultRule.Action.transport(.reset).description == "reset")
        #expect(TransportFault.garbage([1, 2, 3]).description == "garbage(3 bytes)")
        #expect(TransportFault.truncate(afterBytes: 10).description == "truncate(10)")
        #expect(TransportFault.dribble(chunkBytes: 4, over: .seconds(2)).description == "dribble(4 bytes over 2000ms)")
        #expect(TransportFault.truncate(afterBytes: 1).needsResponse)
        #expect(TransportFault.dribble(chunkBytes: 1, over: .seconds(1)).needsResponse)
        #expect(!TransportFault.reset.needsResponse)
        #expect(!TransportFault.close.needsResponse)
    }
}
