import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore
import StarMockScenario
import Testing

/// Verdicts every correct client can reach: the mechanism a scenario exercises, faults scoped
/// to their step, the closed vocabulary of the client's own errors, scripted answers.
@Suite("Verdicts: mechanisms, step faults, the error vocabulary", .timeLimit(.minutes(1)))
struct VerdictTests {
    typealias F = Fixtures

    func parse(_ yaml: String) throws(ScenarioError) -> ContractScenario {
        try ContractScenario.parse(yaml: yaml, file: "x.yaml")
    }

    func diagnostic(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return error.description
        }
    }

    static func tgmarket(_ contract: String) -> String {
        """
        name: tg
        dialects: [tgmarket]
        world:
          accounts: {shop: {balance: "25.50"}}
          keys: [{key: sk-test, owner: shop}]
          users: [{username: target, id: 1}]
          first_order_id: {tgmarket: 42}
        contract:
        \(contract.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    // MARK: Step kinds

    @Test("A step's kind is decided from its action once: buy-… is a purchase, admin is admin, the rest queries")
    func stepKinds() throws {
        let scenario = try parse(
            F.sh4de(
                contract: """
                    clock: scaled:100
                    steps:
                      - action: buy-premium
                      - action: balance
                      - admin: {method: POST, path: /__admin/keys/sh4de_test_key/disable}
                    """))
        let steps = try #require(scenario.contract?.steps)
        #expect(steps.map(\.kind) == [.purchase, .query, .admin])
        #expect(steps.map(\.isPurchase) == [true, false, false])
        var step = steps[1]
        step.action = "buy-gift"
        #expect(step.kind == .purchase)
    }

    // MARK: Parsing

    @Test("contract.mechanism, a step's faults and backs-off-after-429 are read")
    func parsing() throws {
        let scenario = try parse(
            Self.tgmarket(
                """
                clock: scaled:100
                mechanism: wait
                steps:
                  - action: buy-stars
                    args: {username: target, quantity: 100}
                    faults:
                      - {respond: order_not_found, method: GET, path: "/api/v2/stars/*", nth: 1}
                      - {transport: {dribble: {chunk: 4, over: 5s}}, method: POST, path: /api/v2/stars}
                      - {delay: 1h, method: GET, times: 1}
                rules:
                  - {backs-off-after-429: 1s}
                """))
        let contract = try #require(scenario.contract)
        #expect(contract.mechanism == .wait)
        #expect(contract.rules == [.backsOffAfter429(.seconds(1))])
        let faults = contract.steps[0].faults
        #expect(faults.count == 3)
        #expect(faults[0].action == .respond(code: "order_not_found"))
        #expect(faults[0].dialect == "tgmarket")
        #expect(faults[0].nth == 1)
        #expect(faults[1].action == .transport(.dribble(chunkBytes: 4, over: .seconds(5))))
        #expect(faults[1].phase == .after)
        #expect(faults[2].action == .delay(.fixed(.seconds(3600))))
        // The scenario's own faults stay as written: a step fault is not a scenario fault.
        #expect(scenario.setup.faults.isEmpty)
    }

    @Test(
        "Mistakes in the new keys are reported at their line and column",
        arguments: [
            ("clock: scaled:100\nmechanism: wait\nsteps:\n  - action: balance", "x.yaml:15:14: \"mechanism\" names one of two documented ways"),
            ("clock: scaled:100\nsteps:\n  - action: buy-stars\n    faults:\n      - {respond: CHARGNG_ERROR}", "x.yaml:18:21: \"CHARGNG_ERROR\" is not a sh4de error code; did you mean \"CHARGING_ERROR\"?"),
            ("clock: scaled:100\nsteps:\n  - action: buy-stars\n    faults:\n      - {respond: CHARGING_ERROR, transport: reset}", "x.yaml:18:37: a step's fault does exactly one thing"),
            ("clock: scaled:100\nsteps:\n  - action: buy-stars\n    faults:\n      - {transport: {truncate: 10}, phase: before}", "x.yaml:18:46: this transport fault needs the real response"),
            ("clock: scaled:100\nsteps:\n  - action: buy-stars\n    faults:\n      - {respond: CHARGING_ERROR, path: /api/v2/stars}", "x.yaml:18:43: sh4de paths start with /api/v1/"),
            ("clock: scaled:100\nsteps:\n  - admin: {method: POST, path: /__admin/reset}\n    faults: []", "x.yaml:17:15: an \"admin\" step is a control-API call and takes no \"faults\""),
            ("clock: scaled:100\nsteps:\n  - action: balance\nrules: [backs-off-after-429]", "x.yaml:17:11: \"backs-off-after-429\" needs a duration"),
        ])
    func diagnostics(contract: String, expected: String) {
        let message = diagnostic(F.sh4de(contract: contract))
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test("An unknown mechanism is refused with the two documented ones")
    func unknownMechanism() {
        let message = diagnostic(Self.tgmarket("clock: scaled:100\nmechanism: webhook\nsteps:\n  - action: balance"))
        #expect(message.hasPrefix("x.yaml:10:14: \"mechanism\" must be one of wait, poll"), "\(message)")
    }

    // MARK: Mechanisms

    func purchase(_ target: String) -> RunEvidence {
        let post = F.entry(1, "POST", target, at: 0, dialect: "tgmarket")
        let step = StepEvidence(
            step: ContractStep(number: 1, action: "buy-stars", dialect: "tgmarket", key: "k"), result: nil, entries: [post],
            createdOrders: [])
        return RunEvidence(steps: [step], journal: [post])
    }

    @Test("A scenario exercising ?wait=true is not applicable to a client that polled, and the reverse")
    func notApplicable() throws {
        let polled = purchase("/api/v2/stars")
        let waited = purchase("/api/v2/stars?wait=true")
        let reason = try #require(ContractRunner.notApplicable(.wait, polled))
        #expect(reason.contains("contract.mechanism wait"))
        #expect(reason.contains("#1 POST /api/v2/stars"))
        #expect(ContractRunner.notApplicable(.wait, waited) == nil)
        #expect(ContractRunner.notApplicable(.poll, waited) != nil)
        #expect(ContractRunner.notApplicable(.poll, polled) == nil)
        // TG Market reads wait=1 as true too.
        #expect(ContractRunner.notApplicable(.wait, purchase("/api/v2/premium?wait=1")) == nil)
        // No purchase at all: nothing shows the other mechanism.
        #expect(ContractRunner.notApplicable(.wait, RunEvidence(steps: [], journal: [])) == nil)
    }

    // MARK: The vocabulary

    @Test("Every name of the vocabulary is accepted; an unknown one is a protocol mistake listing them")
    func vocabulary() throws {
        #expect(ClientErrorName.names == ["timeout", "connection_refused", "connection_broken", "incomplete_response", "bad_response"])
        for name in ClientErrorName.names {
            #expect(ClientErrorCheck.problem(error: name, dialect: "sh4de", entries: []) == nil)
        }
        let problem = try #require(ClientErrorCheck.problem(error: "connection_closed", dialect: "sh4de", entries: []))
        #expect(problem.contains("timeout, connection_refused, connection_broken, incomplete_response, bad_response"))
        #expect(problem.hasSuffix("it is now \"connection_broken\" (the connection was reset or closed before a complete answer)"))
        let typo = try #require(ClientErrorCheck.problem(error: "time_out", dialect: "sh4de", entries: []))
        #expect(typo.hasSuffix("did you mean \"timeout\"?"))
    }

    @Test("The upstream's own errors are accepted: its catalogue, text it sent in the step, http_NNN for a status it answered")
    func upstreamErrors() {
        #expect(ClientErrorCheck.problem(error: "CHARGING_ERROR", dialect: "sh4de", entries: []) == nil)
        let answered = F.entry(
            1, "GET", "/api/v2/stars/42", status: 400, at: 0, dialect: "tgmarket",
            body: #"{"ok":false,"error":"Upstream delivery failed"}"#)
        #expect(ClientErrorCheck.problem(error: "Upstream delivery failed", dialect: "tgmarket", entries: [answered]) == nil)
        #expect(ClientErrorCheck.problem(error: "Upstream delivery failed", dialect: "tgmarket", entries: []) != nil)
        #expect(ClientErrorCheck.problem(error: "http_400", dialect: "tgmarket", entries: [answered]) == nil)
        #expect(ClientErrorCheck.problem(error: "http_503", dialect: "tgmarket", entries: [answered]) != nil)
        #expect(ClientErrorCheck.problem(error: "client_error", dialect: "sh4de", entries: [answered]) != nil)
    }

    // MARK: Scripted answers

    @Test("A garbage fault that is a complete HTTP response is judged as that answer")
    func scriptedAnswers() throws {
        let body = #"{"code":"RATE_LIMIT_EXCEEDED"}"#
        let bytes = Array("HTTP/1.1 429 Too Many Requests\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        let answer = try #require(ScriptedAnswer.parse(bytes))
        #expect(answer.status == 429)
        #expect(answer.retryAfter == nil)
        #expect(answer.body == body)
        #expect(ScriptedAnswer.parse(Array("HTTP/1.1 200 OK\r\n".utf8)) == nil)
        #expect(ScriptedAnswer.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort".utf8)) == nil)
        #expect(ScriptedAnswer.parse(Array("hello\r\n\r\n".utf8)) == nil)

        let lost = F.entry(3, "GET", "/api/v1/order/47", status: nil, at: 0, fault: "garbage(\(bytes.count) bytes) before the world")
        let seen = ScriptedAnswer.judged(lost, garbage: [bytes])
        #expect(seen.status == 429)
        #expect(seen.responseBody == body)
        // Garbage that is not HTTP stays an unanswered exchange.
        let junk = Array("\u{0}\u{1}nonsense".utf8)
        let other = F.entry(4, "GET", "/api/v1/order/47", status: nil, at: 0, fault: "garbage(\(junk.count) bytes) before the world")
        #expect(ScriptedAnswer.judged(other, garbage: [bytes, junk]).status == nil)
    }

    // MARK: backs-off-after-429

    @Test("backs-off-after-429: a request within the pause after a 429 without Retry-After fires; one with Retry-After is left to honours-retry-after")
    func backsOff() {
        let rule = ContractRule.backsOffAfter429(.seconds(1))
        let bare = F.entry(1, "GET", "/api/v1/order/47", status: 429, at: 0, answered: 5)
        let soon = F.entry(2, "GET", "/api/v1/order/47", at: 20)
        let later = F.entry(3, "GET", "/api/v1/order/47", at: 1100)
        func run(_ journal: [JournalEntry], scale: Double = 1) -> RunEvidence {
            RunEvidence(
                steps: [StepEvidence(step: F.buyStep(), result: nil, entries: journal, createdOrders: [])], journal: journal,
                timeScale: scale)
        }
        let failures = rule.check(run([bare, soon, later]))
        #expect(failures.count == 1)
        #expect(failures[0].message.hasPrefix("#1 answered 429 without Retry-After; the same key sent #2 15 ms later"))
        #expect(failures[0].entries.map(\.sequence) == [1, 2])
        #expect(rule.check(run([bare, later])).isEmpty)
        let told = F.entry(1, "GET", "/api/v1/order/47", status: 429, at: 0, retryAfter: "0")
        #expect(rule.check(run([told, soon])).isEmpty)
        // Client time on a scaled clock: 1100 world ms at ×100 is 11 ms.
        #expect(rule.check(run([bare, later], scale: 100)).count == 1)
    }

    // MARK: The runner

    @Test("A step's fault is armed when the step starts and removed when it ends; nth counts from the step's start")
    func stepScopedFaults() async throws {
        let dir = try TempDir()
        let client = "python3 '" + (try dir.write("client.py", F.pythonClient)) + "'"
        let path = try dir.write(
            "sh4de/scoped.yaml",
            F.sh4de(
                contract: """
                    clock: scaled:100
                    steps:
                      - action: balance
                        expect: {result: {outcome: completed, balance: "25.50"}}
                      - action: balance
                        faults:
                          - {respond: SERVICE_UNAVAILABLE, method: GET, path: /api/v1/balance, nth: 1}
                        expect: {exit_code: 1}
                      - action: balance
                        expect: {result: {outcome: completed, balance: "25.50"}}
                    expect:
                      journal:
                        - {method: GET, path: /api/v1/balance, status: 503, count: 1}
                        - {method: GET, path: /api/v1/balance, status: 200, count: 2}
                    """))
        let scenario = try ContractScenario.load(path: path)
        let report = await ContractRunner.run(scenario, options: ContractOptions(client: client, timeout: .seconds(20)))
        #expect(report.status == .passed, "\(report.failures.map(\.headline))")
    }

    @Test("A client's error outside the vocabulary fails its step as a protocol mistake")
    func protocolMistake() async throws {
        let dir = try TempDir()
        let client = try dir.write(
            "client.sh", "#!/bin/sh\necho '{\"outcome\": \"error\", \"error\": \"connection_closed\"}'\n", executable: true)
        let path = try dir.write(
            "sh4de/mistake.yaml",
            F.sh4de(contract: "clock: scaled:100\nsteps:\n  - action: balance\n    expect: {result: {outcome: error}}"))
        let report = await ContractRunner.run(try ContractScenario.load(path: path), options: ContractOptions(client: client))
        #expect(report.status == .failed)
        let failure = try #require(report.failures.first)
        #expect(failure.headline.hasPrefix("step 1 (balance): protocol: \"error\" is \"connection_closed\""))
    }

    @Test("The hint is in the client's environment only when the scenario declares a mechanism")
    func hint() async throws {
        let dir = try TempDir()
        let client = try dir.write(
            "client.sh", "#!/bin/sh\necho \"{\\\"outcome\\\": \\\"completed\\\", \\\"hint\\\": \\\"${STARMOCK_HINT_MECHANISM:-none}\\\"}\"\n",
            executable: true)
        var environment = ProcessInfo.processInfo.environment
        environment["STARMOCK_HINT_MECHANISM"] = "inherited"
        let options = ContractOptions(client: client, environment: environment)
        let with = try dir.write(
            "tgmarket/with.yaml",
            Self.tgmarket("clock: scaled:100\nmechanism: poll\nsteps:\n  - action: balance\n    expect: {result: {hint: poll}}"))
        let without = try dir.write(
            "tgmarket/without.yaml", Self.tgmarket("clock: scaled:100\nsteps:\n  - action: balance\n    expect: {result: {hint: none}}"))
        for path in [with, without] {
            let report = await ContractRunner.run(try ContractScenario.load(path: path), options: options)
            #expect(report.status == .passed, "\(path): \(report.failures.map(\.headline))")
        }
    }

    // MARK: Reports

    @Test("Not applicable is its own verdict in every report, with its reason, counted apart")
    func reports() throws {
        let scenario = ContractScenario(
            id: "tgmarket/wait-timeout", title: "wait", path: "scenarios/tgmarket/wait-timeout.yaml", group: "tgmarket",
            dialects: ["tgmarket"], setup: WorldSetup(), contract: Contract(steps: []))
        let report = ScenarioReport(
            scenario: scenario, status: .notApplicable, duration: .milliseconds(500), reason: "the client polled")
        #expect(TerminalReport.block(report) == "N/A  tgmarket/wait-timeout (0.5 s): the client polled\n")
        #expect(TerminalReport.summary([report], duration: .seconds(1)) == "0 passed, 0 failed, 0 skipped, 1 not applicable in 1.0 s\n")
        let xml = JUnitReport.xml([report], duration: .seconds(1))
        #expect(xml.contains("<skipped message=\"not applicable: the client polled\"/>"))
        #expect(xml.contains("failures=\"0\" errors=\"0\" skipped=\"1\""))
        let json = JSONReport.json([report], duration: .seconds(1))
        #expect(json["not_applicable"]?.intValue == 1)
        #expect(json["failed"]?.intValue == 0)
        guard case .array(let items) = json["scenarios"], let first = items.first else {
            Issue.record("no scenarios in \(json.text())")
            return
        }
        #expect(first["status"]?.stringValue == "not_applicable")
        #expect(first["reason"]?.stringValue == "the client polled")
    }
}
