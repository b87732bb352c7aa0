import Foundation
public import StarMockCore
import StarMockServer
import StarMockDialects

/// How the runner runs clients.
public struct ContractOptions: Sendable {
    /// The client command, run with `/bin/sh -c`.
    public var client: String
    /// Per client run, unless the scenario's `contract.timeout` says otherwise.
    public var timeout: Duration
    /// Scenarios run at the same time.
    public var jobs: Int
    /// The environment clients start from (the `STARMOCK_*` variables are added).
    public var environment: [String: String]
    /// Between SIGTERM and SIGKILL at a timeout.
    public var killGrace: Duration

    /// Options; by default 30 s per run, one job per core, the runner's own environment.
    public init(
        client: String, timeout: Duration = .seconds(30), jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        environment: [String: String] = ProcessInfo.processInfo.environment, killGrace: Duration = .seconds(1)
    ) {
        self.client = client
        self.timeout = timeout
        self.jobs = max(1, jobs)
        self.environment = environment
        self.killGrace = killGrace
    }
}

/// One client run and what it printed.
public struct StepReport: Sendable {
    /// The step.
    public var step: ContractStep
    /// How the client ended.
    public var run: ClientRun
    /// Its JSON object, when it printed one.
    public var result: JSON?

    /// A step's report.
    public init(step: ContractStep, run: ClientRun, result: JSON?) {
        self.step = step
        self.run = run
        self.result = result
    }
}

/// The verdict on one scenario.
public struct ScenarioReport: Sendable {
    /// Passed, failed or skipped.
    public enum Status: String, Sendable {
        /// Every expectation and rule held.
        case passed
        /// Something broke.
        case failed
        /// The file has no `contract:` section.
        case skipped
        /// The scenario exercises one documented mechanism (`contract.mechanism`) and the
        /// journal shows the client used the other: neither a pass nor a failure.
        case notApplicable = "not_applicable"
    }

    /// The scenario.
    public var scenario: ContractScenario
    /// The verdict.
    public var status: Status
    /// Wall time of the whole scenario: server start, steps, checks, shutdown.
    public var duration: Duration
    /// Time spent in client processes.
    public var clientTime: Duration
    /// The runner's own share: `duration - clientTime`.
    public var overhead: Duration { duration - clientTime }
    /// The client runs.
    public var steps: [StepReport]
    /// What broke, in the order found: steps first, then rules and expectations.
    public var failures: [ContractFailure]
    /// Why the scenario was skipped or is not applicable.
    public var reason: String?
    /// What the run left: each step's requests, the whole journal, the final orders and
    /// accounts (for the HTML report's timeline and world); nil when nothing ran.
    public var evidence: RunEvidence?

    /// A report.
    public init(
        scenario: ContractScenario, status: Status, duration: Duration = .zero, clientTime: Duration = .zero,
        steps: [StepReport] = [], failures: [ContractFailure] = [], reason: String? = nil
    ) {
        self.reason = reason ?? (status == .skipped ? "no contract section" : nil)
        self.scenario = scenario
        self.status = status
        self.duration = duration
        self.clientTime = clientTime
        self.steps = steps
        self.failures = failures
    }
}

/// Runs clients against scenarios: per scenario a fresh server on a free port with its own
/// world, steps one after another, scenarios side by side up to `jobs`.
public enum ContractRunner {
    /// Runs every scenario, at most `options.jobs` at a time; `finished` is called as each ends
    /// (skipped ones first). Returns the reports in the order of `scenarios`.
    public static func run(
        _ scenarios: [ContractScenario], options: ContractOptions,
        finished: @escaping @Sendable (ScenarioReport) async -> Void = { _ in }
    ) async -> [ScenarioReport] {
        var reports = [ScenarioReport?](repeating: nil, count: scenarios.count)
        var pending: [Int] = []
        for (i, scenario) in scenarios.enumerated() {
            if scenario.contract == nil {
                let report = ScenarioReport(scenario: scenario, status: .skipped)
                reports[i] = report
                await finished(report)
            } else {
                pending.append(i)
            }
        }
        await withTaskGroup(of: (Int, ScenarioReport).self) { group in
            var next = pending.makeIterator()
            func launch() -> Bool {
                guard let i = next.next() else { return false }
                let scenario = scenarios[i]
                group.addTask { (i, await run(scenario, options: options)) }
                return true
            }
            for _ in 0..<options.jobs where !launch() { break }
            while let (i, report) = await group.next() {
                reports[i] = report
                await finished(report)
                _ = launch()
            }
        }
        return reports.map { $0! }
    }

    /// Runs one scenario's contract.
    public static func run(_ scenario: ContractScenario, options: ContractOptions) async -> ScenarioReport {
        let clock = ContinuousClock()
        let started = clock.now
        guard let contract = scenario.contract else { return ScenarioReport(scenario: scenario, status: .skipped) }
        var setup = scenario.setup
        if let override = contract.clock { setup.clock = override }
        // A scenario fault that a step repeats is the step's during a contract run: the
        // scenario's plays when the file is served (`serve --scenario`), the step's is scoped to
        // its step (docs/scenarios.md).
        let stepFaults = contract.steps.flatMap(\.faults)
        setup.faults.removeAll { stepFaults.contains($0) }
        let scale: Double =
            if case .scaled(let n) = setup.clock { n } else { 1 }

        let mock: StarMock
        do {
            mock = try await StarMock.start(setup: setup, dialects: scenario.dialects)
        } catch {
            return ScenarioReport(
                scenario: scenario, status: .failed, duration: clock.now - started,
                failures: [ContractFailure(kind: .run, name: "server", message: "could not start the server: \(error)")])
        }

        var steps: [StepReport] = []
        var failures: [ContractFailure] = []
        var clientTime = Duration.zero
        var boundaries: [Int] = []
        var created: [[ObservedOrder]] = []
        let limits = ClientProcess.Limits(timeout: contract.timeout ?? options.timeout, killGrace: options.killGrace)
        for step in contract.steps {
            let (ordersBefore, recorded) = mock.world.read { state in (Set(state.orders.keys), state.journal.recorded) }
            boundaries.append(recorded)
            if let call = step.admin {
                // The world acting between client runs: no process, a control-API call.
                let response = mock.server.control(method: call.method, path: call.path, body: call.body?.bytes() ?? [])
                let run = ClientRun(
                    exitCode: 0, signal: nil, timedOut: false, stdout: response.body, stdoutTruncated: false,
                    stderrTail: [], stderrBytes: 0, duration: .zero, spawnError: nil)
                created.append([])
                steps.append(StepReport(step: step, run: run, result: try? JSON.parse(response.body)))
                if !(200..<300).contains(response.status) {
                    failures.append(
                        ContractFailure(
                            kind: .step, name: "admin",
                            message: "step \(step.number) (admin \(call.method) \(call.path)) answered \(response.status): \(response.bodyText)",
                            step: step.number))
                }
                continue
            }
            var environment = options.environment
            for name in protocolVariables { environment[name] = nil }
            for (name, value) in stepEnvironment(step, scenario: scenario, baseURL: mock.baseURL) {
                environment[name] = value
            }
            if let mechanism = contract.mechanism { environment[hintVariable] = mechanism.rawValue }
            arm(step.faults, in: mock.world)
            let run = await ClientProcess.run(command: options.client, environment: environment, limits: limits)
            disarm(step.faults.count, in: mock.world)
            clientTime += run.duration
            let newOrders = mock.world.read { state in
                state.orders.values.filter { !ordersBefore.contains($0.ref) }.map(ObservedOrder.init)
                    .sorted { $0.ref.id < $1.ref.id }
            }
            created.append(newOrders)
            let (result, stepFailures) = step.check(run)
            steps.append(StepReport(step: step, run: run, result: result))
            failures += stepFailures
        }
        let (orders, accounts) = mock.world.read { state in
            (state.orders.values.map(ObservedOrder.init).sorted { ($0.ref.dialect, $0.ref.id) < ($1.ref.dialect, $1.ref.id) },
             state.ledger.accounts)
        }
        do {
            try await mock.stop()
        } catch {
            failures.append(ContractFailure(kind: .run, name: "server", message: "the server did not stop cleanly: \(error)"))
        }
        // Answers still held when the last client ended are recorded at shutdown; they count
        // for the last step.
        let scripted = (scenario.setup.faults + contract.steps.flatMap(\.faults)).compactMap { rule -> [UInt8]? in
            if case .transport(.garbage(let bytes)) = rule.action { bytes } else { nil }
        }
        let journal = mock.journal.map { ScriptedAnswer.judged($0, garbage: scripted) }
        ContractHAR.finished(scenario, baseURL: mock.baseURL, journal: journal)  // HAR export hook (ContractHAR.swift; --har)
        var evidence: [StepEvidence] = []
        for (i, report) in steps.enumerated() {
            let low = boundaries[i]
            let high = i + 1 < boundaries.count ? boundaries[i + 1] : Int.max
            let entries = journal.filter { $0.sequence > low && $0.sequence <= high }
            evidence.append(StepEvidence(step: report.step, result: report.result, entries: entries, createdOrders: created[i]))
        }
        let run = RunEvidence(steps: evidence, journal: journal, orders: orders, accounts: accounts, timeScale: scale)
        // Step failures name the lines of their step.
        for i in failures.indices where failures[i].kind == .step {
            if let number = failures[i].step, failures[i].entries.isEmpty {
                failures[i].entries = evidence.first { $0.step.number == number }?.entries ?? []
            }
        }
        // The client's errors: the protocol's vocabulary or the upstream's own.
        for item in evidence where item.step.kind != .admin {
            guard let error = item.result?["error"]?.stringValue,
                let problem = ClientErrorCheck.problem(error: error, dialect: item.step.dialect, entries: item.entries)
            else { continue }
            failures.append(
                ContractFailure(kind: .step, name: item.step.label, message: "protocol: \(problem)", step: item.step.number))
        }
        failures += contract.check(run)
        var report: ScenarioReport
        if let mechanism = contract.mechanism, let reason = notApplicable(mechanism, run) {
            report = ScenarioReport(
                scenario: scenario, status: .notApplicable, duration: clock.now - started, clientTime: clientTime,
                steps: steps, failures: [], reason: reason)
        } else {
            report = ScenarioReport(
                scenario: scenario, status: failures.isEmpty ? .passed : .failed, duration: clock.now - started,
                clientTime: clientTime, steps: steps, failures: failures)
        }
        report.evidence = run
        return report
    }

    /// The variable that tells the client which mechanism the scenario exercises.
    public static let hintVariable = "STARMOCK_HINT_MECHANISM"

    /// Why the scenario does not apply to this client: its purchase steps placed their orders
    /// with the other mechanism; nil when they used the declared one (or placed none).
    public static func notApplicable(_ mechanism: Mechanism, _ run: RunEvidence) -> String? {
        let posts = run.steps.filter { $0.step.kind == .purchase }.flatMap(\.entries).filter {
            $0.method.uppercased() == "POST" && Mechanism.dialects.contains($0.dialect?.name ?? "")
        }
        guard !posts.isEmpty, !posts.contains(where: { Mechanism.used(by: $0) == mechanism }),
            let first = posts.first
        else { return nil }
        let other = Mechanism.used(by: first)
        return "the scenario exercises contract.mechanism \(mechanism.rawValue); the client \(other.phrase) (#\(first.sequence) \(first.method) \(first.target))"
    }

    /// Adds a step's faults before the scenario's, counters from zero.
    static func arm(_ faults: [FaultRule], in world: World) {
        guard !faults.isEmpty else { return }
        world.transact { state in
            let kept = state.faults
            state.clearFaults()
            for rule in faults + kept { state.addFault(rule) }
        }
    }

    /// Removes the step's faults (the first `count`) when the step ends.
    static func disarm(_ count: Int, in world: World) {
        guard count > 0 else { return }
        world.transact { state in
            let kept = Array(state.faults.dropFirst(count))
            state.clearFaults()
            for rule in kept { state.addFault(rule) }
        }
    }

    /// The variables of the protocol: never inherited from the runner's environment.
    public static let protocolVariables = [
        "STARMOCK_BASE_URL", "STARMOCK_DIALECT", "STARMOCK_API_KEY", "STARMOCK_BOT_TOKEN", "STARMOCK_ACTION",
        "STARMOCK_ARGS", "STARMOCK_SCENARIO", "STARMOCK_STEP", "STARMOCK_HINT_MECHANISM",
    ]

    /// The `STARMOCK_*` variables of one step.
    public static func stepEnvironment(_ step: ContractStep, scenario: ContractScenario, baseURL: String) -> [String: String]
    {
        var environment = [
            "STARMOCK_BASE_URL": baseURL,
            "STARMOCK_DIALECT": step.dialect,
            "STARMOCK_ACTION": step.action,
            "STARMOCK_ARGS": step.args.text(),
            "STARMOCK_SCENARIO": scenario.title,
            "STARMOCK_STEP": String(step.number),
        ]
        if let key = step.key {
            environment[Dialects.named(step.dialect)?.credentialVariable ?? "STARMOCK_API_KEY"] = key
        }
        return environment
    }
}
