import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore
import StarMockScenario
import Testing

@Suite("The contract: section, read", .timeLimit(.minutes(1)))
struct ContractParsingTests {
    func parse(_ yaml: String) throws(ScenarioError) -> ContractScenario {
        try ContractScenario.parse(yaml: yaml, file: "x.yaml")
    }

    /// The diagnostic for `yaml`, as `file:line:col: message`.
    func diagnostic(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("The spec's example reads into steps, rules and expectations")
    func specExample() throws {
        let scenario = try parse(
            Fixtures.sh4de(
                contract: """
                    clock: scaled:100
                    timeout: 20s
                    steps:
                      - action: buy-stars
                        args: {username: some_user, quantity: 100}
                        key: sh4de_test_key
                        dialect: sh4de
                        expect:
                          exit_code: 0
                          result: {outcome: completed, status: {one_of: [completed, failed]}}
                      - action: balance
                    rules:
                      - no-duplicate-order
                      - polls-until-final
                      - {min-poll-interval: 200ms}
                      - {bounded-retries: 3}
                    expect:
                      journal:
                        - {method: POST, path: /api/v1/order/stars, count: 1}
                        - {method: GET, path: "/api/v1/order/*", min: 1}
                      journal_order:
                        - POST /api/v1/order/stars
                        - GET /api/v1/order/*
                      world:
                        accounts: {shop: {available: "24.20", locked: "0.00", spent: "9.72"}}
                        orders:
                          - {dialect: sh4de, id: 47, state: completed}
                        order_count: 1
                    """))
        let contract = try #require(scenario.contract)
        #expect(scenario.id == "sh4de/x")
        #expect(contract.clock == .scaled(100))
        #expect(contract.timeout == .seconds(20))
        #expect(contract.steps.count == 2)
        let step = contract.steps[0]
        #expect(step.action == "buy-stars")
        #expect(step.args == JSON.object([("username", .string("some_user")), ("quantity", .int(100))]))
        #expect(step.args.text() == #"{"username":"some_user","quantity":100}"#)
        #expect(step.key == "sh4de_test_key")
        #expect(
            step.result
                == .object([
                    .init("outcome", .equals(.string("completed"))),
                    .init("status", .oneOf([.string("completed"), .string("failed")])),
                ]))
        // Defaults: the first dialect, its first enabled key, exit code 0.
        #expect(contract.steps[1].dialect == "sh4de")
        #expect(contract.steps[1].key == "sh4de_test_key")
        #expect(contract.steps[1].exitCode == 0)
        #expect(contract.steps[1].number == 2)
        #expect(contract.rules == [.noDuplicateOrder, .pollsUntilFinal, .minPollInterval(.milliseconds(200)), .boundedRetries(3)])
        #expect(contract.journal.count == 2)
        #expect(contract.journal[0] == JournalMatcher(pattern: RequestPattern(method: "POST", path: "/api/v1/order/stars"), count: 1))
        #expect(contract.journalOrder.map(\.description) == ["POST /api/v1/order/stars", "GET /api/v1/order/*"])
        let world = try #require(contract.world)
        #expect(world.accounts == [AccountExpectation(owner: "shop", available: Money("24.20"), locked: .zero, spent: Money("9.72"))])
        #expect(world.orders == [OrderExpectation(ref: OrderRef(dialect: "sh4de", id: 47), state: .completed)])
        #expect(world.orderCount == 1)
    }

    @Test("A file without contract: has none (it is skipped)")
    func noContract() throws {
        let scenario = try parse("name: plain\ndialects: [sh4de]\n")
        #expect(scenario.contract == nil)
    }

    @Test(
        "Mistakes are reported at their line and column",
        arguments: [
            // An unknown key in the contract, with a suggestion.
            ("steps:\n  - action: balance\nrulez: []", "x.yaml:16:3: unknown key \"rulez\" in the contract; did you mean \"rules\"?"),
            // An unknown rule.
            ("steps:\n  - action: balance\nrules: [no-duplicate-orders]", "x.yaml:16:11: unknown rule \"no-duplicate-orders\"; did you mean \"no-duplicate-order\"?"),
            // A bad duration.
            ("steps:\n  - action: balance\nrules: [{min-poll-interval: 200}]", "x.yaml:16:31: \"min-poll-interval\" needs a unit"),
            ("timeout: 5 seconds\nsteps:\n  - action: balance", "x.yaml:14:12: \"timeout\" must be a duration"),
            // A key the scenario does not declare.
            ("steps:\n  - action: balance\n    key: sh4de_typo_key", "x.yaml:16:12: key \"sh4de_typo_key\" is not declared in the scenario"),
            // A dialect the scenario does not serve.
            ("steps:\n  - {action: balance, dialect: tgmarket}", "x.yaml:15:34: dialect \"tgmarket\" is not among this scenario's dialects"),
            // A step without an action; no steps.
            ("steps:\n  - {args: {}}", "x.yaml:15:7: missing required key \"action\" in a contract step"),
            ("steps: []", "x.yaml:14:10: \"steps\" must list at least one client run"),
            // A rule setting where none is taken, a rule without its setting.
            ("steps:\n  - action: balance\nrules: [{no-duplicate-order: 3}]", "x.yaml:16:32: rule \"no-duplicate-order\" takes no setting"),
            ("steps:\n  - action: balance\nrules: [bounded-retries]", "x.yaml:16:11: \"bounded-retries\" needs a number"),
            // Journal matchers and order.
            ("steps:\n  - action: balance\nexpect:\n  journal:\n    - {method: FETCH, path: /api/v1/balance, count: 1}", "x.yaml:18:18: \"method\" must be one of"),
            ("steps:\n  - action: balance\nexpect:\n  journal:\n    - {path: /api/v2/balance, count: 1}", "x.yaml:18:16: sh4de paths start with /api/v1/"),
            ("steps:\n  - action: balance\nexpect:\n  journal:\n    - {path: /api/v1/balance}", "x.yaml:18:9: a journal matcher needs \"count\", \"min\" or \"max\""),
            ("steps:\n  - action: balance\nexpect:\n  journal_order: [/api/v1/balance]", "x.yaml:17:21: a journal_order item is \"METHOD PATH\""),
            // World expectations: money, owners, states.
            ("steps:\n  - action: balance\nexpect:\n  world:\n    accounts: {shop: {available: 24.20}}", "x.yaml:18:36: \"available\" must be an amount in quotes"),
            ("steps:\n  - action: balance\nexpect:\n  world:\n    accounts: {shp: {available: \"1.00\"}}", "x.yaml:18:18: owner \"shp\" has no account in the scenario; did you mean \"shop\"?"),
            ("steps:\n  - action: balance\nexpect:\n  world:\n    orders: [{id: 47, state: done}]", "x.yaml:18:32: \"state\" must be one of pending, completed, failed"),
            // The clock.
            ("clock: virtual\nsteps:\n  - action: balance", "x.yaml:14:10: a contract run needs a moving clock: set contract.clock to real or scaled:N"),
            ("clock: fast\nsteps:\n  - action: balance", "x.yaml:14:10: \"clock\" must be real or scaled:N"),
        ])
    func diagnostics(contract: String, expected: String) {
        let message = diagnostic(Fixtures.sh4de(contract: contract))
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test("A virtual scenario clock needs contract.clock")
    func virtualClock() {
        let yaml = "name: v\nclock: virtual\ndialects: [sh4de]\ncontract:\n  steps:\n    - action: balance\n"
        #expect(
            diagnostic(yaml) == "x.yaml:5:3: a contract run needs a moving clock: set contract.clock to real or scaled:N")
        let fixed = yaml.replacingOccurrences(of: "contract:\n", with: "contract:\n  clock: scaled:10\n")
        #expect(diagnostic(fixed) == "no error")
    }

    @Test("An expected order may be in one of several states")
    func orderStateOneOf() throws {
        let scenario = try parse(
            Fixtures.sh4de(
                contract: "steps:\n  - action: balance\nexpect:\n  world:\n    orders: [{id: 47, state: {one_of: [pending, completed]}}]"))
        #expect(
            scenario.contract?.world?.orders
                == [OrderExpectation(ref: OrderRef(dialect: "sh4de", id: 47), states: [.pending, .completed])])
        #expect(
            diagnostic(Fixtures.sh4de(contract: "steps:\n  - action: balance\nexpect:\n  world:\n    orders: [{id: 47, state: {one_of: [done]}}]"))
                .hasPrefix("x.yaml:18:42: \"state\" must be one of pending, completed, failed, not \"done\""))
    }

    @Test("A world without keys of the dialect takes any step key (an upstream that knows none)")
    func keyOfNoWorld() throws {
        let yaml = "name: revoked\ndialects: [sh4de]\ncontract:\n  steps:\n    - {action: balance, key: sh4de_revoked_key}\n"
        let scenario = try parse(yaml)
        #expect(scenario.contract?.steps.first?.key == "sh4de_revoked_key")
        // Without a key at all, the step has none.
        let keyless = try parse("name: none\ndialects: [sh4de]\ncontract:\n  steps:\n    - action: balance\n")
        #expect(keyless.contract?.steps.first?.key == nil)
    }

    @Test("A step key of another dialect is refused")
    func keyOfAnotherDialect() {
        let yaml = """
            name: two
            dialects: [sh4de, tgmarket]
            world:
              accounts: {shop: {}}
              keys:
                - {key: sh4de_k, dialect: sh4de, owner: shop}
                - {key: tgm_k, dialect: tgmarket, owner: shop}
            contract:
              steps:
                - {action: balance, dialect: tgmarket, key: sh4de_k}
            """
        #expect(diagnostic(yaml) == "x.yaml:10:49: key \"sh4de_k\" belongs to sh4de, not to this step's dialect tgmarket")
    }
}
