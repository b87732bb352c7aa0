import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore
import Testing

@Suite("The runner: servers, worlds, steps, verdicts", .timeLimit(.minutes(1)))
struct RunnerTests {
    let dir: TempDir
    let client: String

    init() throws {
        dir = try TempDir()
        client = "python3 '" + (try dir.write("client.py", Fixtures.pythonClient)) + "'"
    }

    func options(_ mode: String = "good", poll: String = "0.05", jobs: Int = 2, timeout: Duration = .seconds(20)) -> ContractOptions {
        var environment = ProcessInfo.processInfo.environment
        environment["CLIENT_MODE"] = mode
        environment["CLIENT_POLL"] = poll
        return ContractOptions(client: client, timeout: timeout, jobs: jobs, environment: environment)
    }

    func scenario(_ yaml: String, file: String) throws -> ContractScenario {
        let path = try dir.write(file, yaml)
        return try ContractScenario.load(path: path)
    }

    @Test("Two scenarios in parallel with conflicting worlds (same key, different balances): each client sees its own")
    func isolation() async throws {
        var scenarios: [ContractScenario] = []
        for (i, balance) in ["11.00", "22.00", "33.00"].enumerated() {
            scenarios.append(
                try scenario(
                    Fixtures.sh4de(
                        name: "isolated \(i)", balance: balance,
                        contract: """
                            steps:
                              - action: balance
                                expect: {result: {outcome: completed, balance: "\(balance)"}}
                              - action: balance
                                expect: {result: {balance: "\(balance)"}}
                            expect:
                              journal: [{method: GET, path: /api/v1/balance, count: 2}]
                            """), file: "sh4de/isolated-\(i).yaml"))
        }
        let reports = await ContractRunner.run(scenarios, options: options(jobs: 3))
        for report in reports {
            #expect(report.status == .passed, "\(report.failures.map(\.headline))")
            #expect(report.steps.count == 2)
        }
        #expect(reports.map(\.scenario.id) == ["sh4de/isolated-0", "sh4de/isolated-1", "sh4de/isolated-2"])
    }

    static let purchase = """
        clock: scaled:100
        steps:
          - action: buy-stars
            args: {username: some_user, quantity: 100}
            expect: {result: {outcome: completed, order_id: 47, status: completed}}
          - action: balance
            expect: {result: {balance: "24.20"}}
        rules:
          - no-duplicate-order
          - polls-until-final
          - no-rate-limit-breach
          - {bounded-retries: 2}
        expect:
          journal:
            - {method: POST, path: /api/v1/order/stars, count: 1}
            - {method: GET, path: "/api/v1/order/*", min: 1}
          journal_order:
            - POST /api/v1/order/stars
            - GET /api/v1/order/*
            - GET /api/v1/balance
          world:
            accounts: {shop: {available: "24.20", locked: "0.00", spent: "9.72"}}
            orders: [{id: 47, state: completed}]
            order_count: 1
        """

    @Test("A good client passes a purchase with polling, rules and world expectations")
    func goodClientPasses() async throws {
        let s = try scenario(Fixtures.sh4de(extra: "lifecycles:\n  stars: {pending: 10s}", contract: Self.purchase), file: "sh4de/buy.yaml")
        let report = await ContractRunner.run(s, options: options())
        #expect(report.status == .passed, "\(report.failures.map(\.headline))")
        #expect(report.steps.first?.result?["order_id"] == .int(47))
        #expect(report.duration >= report.clientTime)
        #expect(report.overhead > .zero)
    }

    @Test("A client placing the order twice breaks no-duplicate-order; one that does not poll breaks polls-until-final")
    func brokenClientsFail() async throws {
        let s = try scenario(Fixtures.sh4de(extra: "lifecycles:\n  stars: {pending: 10s}", contract: Self.purchase), file: "sh4de/buy.yaml")
        let double = await ContractRunner.run(s, options: options("double"))
        #expect(double.status == .failed)
        let headlines = double.failures.map(\.headline)
        #expect(headlines.contains("rule no-duplicate-order: step 1 (buy-stars) created 2 orders (47, 48)"), "\(headlines)")
        let duplicate = try #require(double.failures.first { $0.name == "no-duplicate-order" })
        #expect(duplicate.entries.map(\.line) == ["#1 POST /api/v1/order/stars → 200", "#2 POST /api/v1/order/stars → 200"])
        #expect(headlines.contains("expect.journal: POST /api/v1/order/stars: 2 requests, expected exactly 1"))

        // An order that stays pending for a long while (1 h at ×100 is 36 s), whatever the load.
        let slow = try scenario(Fixtures.sh4de(extra: "lifecycles:\n  stars: {pending: 1h}", contract: Self.purchase), file: "sh4de/buy-slow.yaml")
        let lazy = await ContractRunner.run(slow, options: options("nopoll"))
        #expect(lazy.status == .failed)
        let lazyHeadlines = lazy.failures.map(\.headline)
        #expect(lazyHeadlines.contains("rule polls-until-final: step 1 (buy-stars) ended while order 47 was still pending"), "\(lazyHeadlines)")
        #expect(lazyHeadlines.contains(#"rule polls-until-final: step 1 (buy-stars): the client said outcome "completed" but order 47 was still pending"#))
        #expect(lazyHeadlines.contains { $0.hasPrefix("expect.journal_order: no GET /api/v1/order/* after #1 POST /api/v1/order/stars") })
    }

    @Test("A contract timeout fails the step as timeout; later steps still run; the report says so")
    func scenarioTimeout() async throws {
        let s = try scenario(
            Fixtures.sh4de(
                contract: """
                    timeout: 300ms
                    steps:
                      - action: balance
                      - action: balance
                    """), file: "sh4de/slow.yaml")
        var opts = options()
        opts.client = "sleep 100"
        opts.killGrace = .milliseconds(200)
        let started = ContinuousClock.now
        let report = await ContractRunner.run(s, options: opts)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(report.status == .failed)
        #expect(report.failures.count == 2)
        #expect(report.failures.allSatisfy { $0.message.hasPrefix("timeout: still running after") })
        #expect(report.steps.allSatisfy { $0.run.timedOut })
        let text = TerminalReport.block(report)
        #expect(text.hasPrefix("FAIL sh4de/slow ("))
        #expect(text.contains("\n  step 1 (balance): timeout: still running after 0.3 s; its process group was killed\n"))
    }

    @Test("The STARMOCK_* variables reach the client")
    func environment() async throws {
        let s = try scenario(
            Fixtures.sh4de(
                name: "env check",
                contract: """
                    steps:
                      - action: buy-stars
                        args: {username: some_user, quantity: 100}
                        expect:
                          result:
                            outcome: completed
                            dialect: sh4de
                            key: sh4de_test_key
                            action: buy-stars
                            args: '{"username":"some_user","quantity":100}'
                            scenario: env check
                            step: "1"
                    """), file: "sh4de/env.yaml")
        var opts = options()
        let script = try dir.write(
            "env.py",
            """
            import json, os
            e = os.environ
            assert e["STARMOCK_BASE_URL"].startswith("http://127.0.0.1:") and not e["STARMOCK_BASE_URL"].endswith("/")
            assert "STARMOCK_BOT_TOKEN" not in e
            print(json.dumps({"outcome": "completed", "dialect": e["STARMOCK_DIALECT"], "key": e["STARMOCK_API_KEY"],
                "action": e["STARMOCK_ACTION"], "args": e["STARMOCK_ARGS"], "scenario": e["STARMOCK_SCENARIO"],
                "step": e["STARMOCK_STEP"]}))
            """)
        opts.client = "python3 '\(script)'"
        opts.environment["STARMOCK_BOT_TOKEN"] = "leaked"
        let report = await ContractRunner.run(s, options: opts)
        #expect(report.status == .passed, "\(report.failures.map(\.headline)) \(report.steps.map { $0.run.stderrText() })")
    }

    @Test("Runner overhead per scenario with a trivial client (measured, printed)")
    func overhead() async throws {
        var scenarios: [ContractScenario] = []
        for i in 0..<10 {
            scenarios.append(
                try scenario(
                    Fixtures.sh4de(contract: "steps:\n  - action: balance\n    expect: {result: {outcome: completed}}"),
                    file: "sh4de/trivial-\(i).yaml"))
        }
        var opts = options(jobs: 1)
        opts.client = #"echo '{"outcome":"completed","balance":"25.50"}'"#
        let started = ContinuousClock.now
        let reports = await ContractRunner.run(scenarios, options: opts)
        let wall = ContinuousClock.now - started
        #expect(reports.allSatisfy { $0.status == .passed })
        let overheads = reports.map { Double($0.overhead.wholeMilliseconds) }.sorted()
        let clients = reports.map { Double($0.clientTime.wholeMilliseconds) }.sorted()
        print(
            "runner overhead per scenario: median \(overheads[overheads.count / 2]) ms, max \(overheads.last!) ms; client (sh + echo) median \(clients[clients.count / 2]) ms; 10 scenarios in \(wall)"
        )
        #expect(overheads[overheads.count / 2] < 1000)
    }
}

@Suite("The runner: admin steps (the world acting between client runs)", .timeLimit(.minutes(1)))
struct AdminStepTests {
    @Test("An admin step calls the control API; the next client run sees its effect; a 4xx answer fails the step")
    func adminStep() async throws {
        let dir = try TempDir()
        let client = "python3 '" + (try dir.write("client.py", Fixtures.pythonClient)) + "'"
        var environment = ProcessInfo.processInfo.environment
        environment["CLIENT_MODE"] = "good"
        environment["CLIENT_POLL"] = "0.05"
        let options = ContractOptions(client: client, timeout: .seconds(20), jobs: 1, environment: environment)
        let good = try ContractScenario.load(
            path: try dir.write(
                "sh4de/admin.yaml",
                Fixtures.sh4de(
                    name: "admin ok", balance: "10.00",
                    contract: """
                        steps:
                          - admin: {method: POST, path: /__admin/balance, body: {owner: shop, available: "42.00"}}
                          - action: balance
                            expect: {result: {outcome: completed, balance: "42.00"}}
                        """)))
        let bad = try ContractScenario.load(
            path: try dir.write(
                "sh4de/admin-bad.yaml",
                Fixtures.sh4de(
                    name: "admin refused", balance: "10.00",
                    contract: """
                        steps:
                          - admin: {method: POST, path: /__admin/orders/sh4de/999/complete}
                        """)))
        let reports = await ContractRunner.run([good, bad], options: options)
        #expect(reports[0].status == .passed, "\(reports[0].failures.map(\.headline))")
        #expect(reports[1].status == .failed)
        #expect(reports[1].failures.first?.message.contains("answered 404") == true)
    }

    @Test("An admin step outside /__admin or mixed with a client action is a diagnostic with its position")
    func adminDiagnostics() throws {
        let dir = try TempDir()
        let yaml = Fixtures.sh4de(
            name: "bad admin", balance: "1.00",
            contract: """
                steps:
                  - admin: {method: POST, path: /api/v1/balance}
                """)
        let path = try dir.write("sh4de/bad-admin.yaml", yaml)
        #expect(throws: (any Error).self) { try ContractScenario.load(path: path) }
        do {
            _ = try ContractScenario.load(path: path)
        } catch {
            #expect("\(error)".contains(":"))
            #expect("\(error)".contains("must be a control-API path starting with /__admin/"))
        }
    }
}
