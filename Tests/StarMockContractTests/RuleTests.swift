import StarMockContract
import StarMockDialects
import StarMockCore
import Testing

/// Each rule on crafted journals: no processes, no server.
@Suite("Rules on crafted journals", .timeLimit(.minutes(1)))
struct RuleTests {
    typealias F = Fixtures

    func run(
        _ journal: [JournalEntry], orders: [ObservedOrder] = [], created: [ObservedOrder]? = nil, result: JSON? = nil,
        scale: Double = 1
    ) -> RunEvidence {
        let step = StepEvidence(step: F.buyStep(), result: result, entries: journal, createdOrders: created ?? orders)
        return RunEvidence(steps: [step], journal: journal, orders: orders, timeScale: scale)
    }

    @Test("no-rate-limit-breach: fires on a 429, names it")
    func rateLimit() {
        let journal = [F.entry(1, "GET", "/api/v1/order/47", at: 0), F.entry(2, "GET", "/api/v1/order/47", status: 429, at: 100)]
        let failures = ContractRule.noRateLimitBreach.check(run(journal))
        #expect(failures.count == 1)
        #expect(failures[0].headline == "rule no-rate-limit-breach: 1 request was answered 429")
        #expect(failures[0].entries.map(\.sequence) == [2])
        #expect(ContractRule.noRateLimitBreach.check(run(Array(journal.prefix(1)))).isEmpty)
    }

    @Test("honours-retry-after: a request by the same key before N seconds fires; after, or by another key, does not")
    func retryAfter() {
        let limited = F.entry(1, "GET", "/api/v1/order/47", status: 429, at: 0, answered: 10, retryAfter: "2")
        let early = F.entry(2, "GET", "/api/v1/order/47", at: 1500)
        let other = F.entry(3, "GET", "/api/v1/balance", at: 1600, key: "other")
        let late = F.entry(4, "GET", "/api/v1/order/47", at: 2010)
        let failures = ContractRule.honoursRetryAfter.check(run([limited, early, other, late]))
        #expect(failures.count == 1)
        #expect(failures[0].message == "#1 answered 429 with Retry-After: 2 s; the same key sent #2 1.5 s later")
        #expect(failures[0].entries.map(\.sequence) == [1, 2])
        #expect(ContractRule.honoursRetryAfter.check(run([limited, other, late])).isEmpty)
        // On a scaled clock the client's own time counts: 1500 world ms at ×100 is 15 ms.
        let scaledLate = F.entry(2, "GET", "/api/v1/order/47", at: 300_000)
        #expect(ContractRule.honoursRetryAfter.check(run([limited, scaledLate], scale: 100)).isEmpty)
        #expect(ContractRule.honoursRetryAfter.check(run([limited, early], scale: 100)).count == 1)
    }

    @Test("honours-retry-after: Telegram's parameters.retry_after counts as Retry-After")
    func telegramRetryAfter() {
        let limited = F.entry(
            1, "POST", "/bot1:x/getMe", status: 429, at: 0, dialect: "telegram",
            body: #"{"ok":false,"error_code":429,"parameters":{"retry_after":5}}"#)
        let early = F.entry(2, "POST", "/bot1:x/getMe", at: 1000, dialect: "telegram")
        #expect(ContractRule.honoursRetryAfter.check(run([limited, early])).count == 1)
    }

    @Test("no-duplicate-order: two orders in one purchase step fire, with the writes")
    func duplicate() {
        let journal = [
            F.entry(1, "POST", "/api/v1/order/stars", status: nil, at: 0, fault: "close after commit"),
            F.entry(2, "POST", "/api/v1/order/stars", at: 500),
            F.entry(3, "GET", "/api/v1/order/48", at: 600),
        ]
        let orders = [F.order(47, .completed), F.order(48, .completed, created: 500)]
        let failures = ContractRule.noDuplicateOrder.check(run(journal, orders: orders))
        #expect(failures.map(\.headline) == ["rule no-duplicate-order: step 1 (buy-stars) created 2 orders (47, 48)"])
        #expect(failures[0].entries.map(\.sequence) == [1, 2])
        #expect(failures[0].entries[0].line == "#1 POST /api/v1/order/stars → no answer (close after commit)")
        #expect(ContractRule.noDuplicateOrder.check(run(journal, orders: [orders[0]])).isEmpty)
    }

    @Test("polls-until-final: a pending order at the step's end fires, unless stuck")
    func pending() {
        let journal = [F.entry(1, "POST", "/api/v1/order/stars", at: 0)]
        let pending = [F.order(47, .pending)]
        let failures = ContractRule.pollsUntilFinal.check(run(journal, orders: pending))
        #expect(failures.map(\.message) == ["step 1 (buy-stars) ended while order 47 was still pending"])
        #expect(ContractRule.pollsUntilFinal.check(run(journal, orders: [F.order(47, .pending, stuck: true)])).isEmpty)
    }

    @Test("polls-until-final: the client's outcome must agree with the order")
    func outcomeAgrees() {
        let journal = [F.entry(1, "POST", "/api/v1/order/stars", at: 0)]
        let failed = [F.order(47, .failed, updated: 65_000)]
        let said: (String) -> JSON = { .object([("outcome", .string($0)), ("order_id", .int(47))]) }
        #expect(ContractRule.pollsUntilFinal.check(run(journal, orders: failed, result: said("failed"))).isEmpty)
        let wrong = ContractRule.pollsUntilFinal.check(run(journal, orders: failed, result: said("completed")))
        #expect(wrong.map(\.message) == [#"step 1 (buy-stars): the client said outcome "completed" but order 47 is failed"#])
        // Claiming success with no order at all.
        let none = ContractRule.pollsUntilFinal.check(run(journal, orders: [], result: said("completed")))
        #expect(none.map(\.message) == [#"step 1 (buy-stars): the client said outcome "completed" but no order was created"#])
        // A stuck order reported as completed.
        let stuck = ContractRule.pollsUntilFinal.check(
            run(journal, orders: [F.order(47, .pending, stuck: true)], result: said("completed")))
        #expect(stuck.count == 1)
        // "error" for a stuck order is honest.
        #expect(
            ContractRule.pollsUntilFinal.check(run(journal, orders: [F.order(47, .pending, stuck: true)], result: said("error")))
                .isEmpty)
    }

    @Test("min-poll-interval: two reads of one order closer than D fire; other orders' reads do not count")
    func pollInterval() {
        let journal = [
            F.entry(1, "POST", "/api/v1/order/stars", at: 0),
            F.entry(2, "GET", "/api/v1/order/47", at: 100),
            F.entry(3, "GET", "/api/v1/order/48", at: 150),
            F.entry(4, "GET", "/api/v1/order/47", at: 400),
            F.entry(5, "GET", "/api/v1/order/47", at: 450),
        ]
        let orders = [F.order(47, .completed, updated: 500), F.order(48, .completed, updated: 0)]
        let failures = ContractRule.minPollInterval(.milliseconds(200)).check(run(journal, orders: orders))
        #expect(failures.count == 1)
        #expect(failures[0].message == "two status reads of order 47 came less than 200 ms apart (shortest 50 ms: #4 → #5)")
        #expect(failures[0].entries.map(\.sequence) == [4, 5])
        #expect(ContractRule.minPollInterval(.milliseconds(50)).check(run(journal, orders: orders)).isEmpty)
        // A scaled clock: 300 world ms at ×100 is 3 client ms.
        #expect(ContractRule.minPollInterval(.milliseconds(50)).check(run(journal, orders: orders, scale: 100)).count == 1)
    }

    @Test("Status reads are recognised in reseller-style ids and order_id queries")
    func readsRecognised() {
        let orders = [ObservedOrder(ref: OrderRef(dialect: "reseller", id: 47), state: .completed,
                                    createdAt: WorldSetup.documentedStart, updatedAt: WorldSetup.documentedStart)]
        let journal = [
            F.entry(1, "GET", "/orders/ORD-000047", at: 10, dialect: "reseller"),
            F.entry(2, "GET", "/orders/status?order_id=47", at: 20, dialect: "reseller"),
        ]
        #expect(ContractRule.minPollInterval(.milliseconds(100)).check(run(journal, orders: orders)).count == 1)
    }

    @Test("no-requests-after-final: a read after the order was shown final fires")
    func afterFinal() {
        let journal = [
            F.entry(1, "POST", "/api/v1/order/stars", at: 0),
            F.entry(2, "GET", "/api/v1/order/47", at: 1000),
            F.entry(3, "GET", "/api/v1/order/47", at: 2000),
            F.entry(4, "GET", "/api/v1/order/47", at: 3000),
        ]
        let orders = [F.order(47, .completed, updated: 1500)]
        let failures = ContractRule.noRequestsAfterFinal.check(run(journal, orders: orders))
        #expect(failures.map(\.message) == ["order 47 was shown completed by #3; the client read it 1 more time"])
        #expect(failures[0].entries.map(\.sequence) == [3, 4])
        #expect(ContractRule.noRequestsAfterFinal.check(run(Array(journal.prefix(3)), orders: orders)).isEmpty)
        // A read that failed (no answer, 429) did not show it final.
        var lost = journal
        lost[2].status = nil
        #expect(ContractRule.noRequestsAfterFinal.check(run(lost, orders: orders)).isEmpty)
    }

    @Test("bounded-retries: more than N+1 attempts in a row after failures fire; polls answered 200 do not")
    func retries() {
        let failing = (1...5).map { F.entry($0, "POST", "/api/v1/order/stars", status: 503, at: Int64($0) * 100) }
        let failures = ContractRule.boundedRetries(3).check(run(failing))
        #expect(failures.count == 1)
        #expect(failures[0].message.hasPrefix("step 1 (buy-stars) sent POST /api/v1/order/stars 5 times in a row after failures"))
        #expect(failures[0].entries.count == 5)
        #expect(ContractRule.boundedRetries(4).check(run(failing)).isEmpty)
        let polls = (1...20).map { F.entry($0, "GET", "/api/v1/order/47", at: Int64($0) * 100) }
        #expect(ContractRule.boundedRetries(1).check(run(polls)).isEmpty)
        // A success ends a run (3 attempts); the next request starts a new one.
        var mixed = failing
        mixed[2].status = 200
        #expect(ContractRule.boundedRetries(2).check(run(mixed)).isEmpty)
        #expect(ContractRule.boundedRetries(2).check(run(failing)).count == 1)
    }

    @Test("journal matchers count, journal_order follows the relative order, world compares exactly")
    func expectations() {
        let journal = [
            F.entry(1, "POST", "/api/v1/order/stars", at: 0),
            F.entry(2, "GET", "/api/v1/order/47", at: 100),
            F.entry(3, "POST", "/api/v1/order/stars", at: 200),
        ]
        let once = JournalMatcher(pattern: RequestPattern(method: "POST", path: "/api/v1/order/stars"), count: 1)
        #expect(once.check(journal)?.message == "POST /api/v1/order/stars: 2 requests, expected exactly 1")
        #expect(once.check(journal)?.entries.map(\.sequence) == [1, 3])
        #expect(JournalMatcher(pattern: RequestPattern(method: "GET", path: "/api/v1/order/*"), min: 1).check(journal) == nil)
        #expect(
            JournalMatcher(pattern: RequestPattern(path: "/api/v1/**", status: 200), max: 2).check(journal)?.message
                == "* /api/v1/** → 200: 3 requests, expected at most 2")

        let inOrder = Contract(
            steps: [], journalOrder: [RequestPattern(method: "POST", path: "/api/v1/order/stars"), RequestPattern(method: "GET", path: "/api/v1/order/*")])
        #expect(inOrder.check(run(journal)).isEmpty)
        let reversed = Contract(
            steps: [], journalOrder: [RequestPattern(method: "GET", path: "/api/v1/order/*"), RequestPattern(method: "GET", path: "/api/v1/order/*")])
        #expect(reversed.check(run(journal)).map(\.headline) == ["expect.journal_order: no GET /api/v1/order/* after #2 GET /api/v1/order/47"])

        let account = Account(available: Money("15.78")!, spent: Money("18.14")!)
        let evidence = RunEvidence(
            steps: [], journal: journal, orders: [F.order(47, .completed)], accounts: ["shop": account])
        let world = WorldExpectation(
            accounts: [AccountExpectation(owner: "shop", available: Money("24.20"), locked: .zero)],
            orders: [OrderExpectation(ref: OrderRef(dialect: "sh4de", id: 47), state: .failed),
                     OrderExpectation(ref: OrderRef(dialect: "sh4de", id: 48), state: .completed)],
            orderCount: 2)
        #expect(
            world.check(evidence).map(\.message) == [
                #"account shop: available is "15.78", expected "24.20""#,
                "order sh4de 47 is completed, expected failed",
                "order sh4de 48 does not exist (sh4de orders: 47)",
                "1 order in the world, expected 2 (sh4de 47 completed)",
            ])
    }

    @Test("Result subset match: values, nested objects, one_of, numbers by value")
    func subsetMatch() {
        let result = JSON.object([
            ("outcome", .string("completed")), ("order_id", .number("47")), ("extra", .bool(true)),
            ("nested", .object([("a", .number("1.50"))])),
        ])
        let matcher = ResultMatcher.object([
            .init("outcome", .oneOf([.string("completed"), .string("failed")])),
            .init("order_id", .equals(.number("47.0"))),
            .init("nested", .object([.init("a", .equals(.number("1.5")))])),
        ])
        #expect(matcher.mismatches(result).isEmpty)
        let wrong = ResultMatcher.object([.init("outcome", .equals(.string("failed"))), .init("balance", .equals(.string("1.00")))])
        #expect(wrong.mismatches(result) == [#"result.outcome is "completed", expected "failed""#, #"result.balance is missing, expected "1.00""#])
        // A string is not a number.
        #expect(ResultMatcher.equals(.string("47")).mismatches(.number("47")).count == 1)
    }
}
