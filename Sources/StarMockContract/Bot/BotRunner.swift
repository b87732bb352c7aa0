import Foundation
public import StarMockCore
import StarMockDialects
import StarMockScenario
import StarMockServer
import Yams

/// How bots under contract are run.
public struct BotOptions: Sendable {
    /// The bot command, run once per scenario with `/bin/sh -c` in its own process group.
    public var command: String
    /// `polling` or `webhook`.
    public var mode: String
    /// The environment the bot starts from (the `STARMOCK_*` variables are added).
    public var environment: [String: String]
    /// Between SIGTERM and SIGKILL when the bot is stopped.
    public var stopGrace: Duration
    /// Overrides the scenario's clock (a slower scale gives a bot on a loaded machine more
    /// real time for the same world-time deadlines).
    public var clock: ClockMode?

    /// Options; by default the runner's own environment, 5 s to stop and the scenario's clock.
    public init(
        command: String, mode: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        stopGrace: Duration = .seconds(5), clock: ClockMode? = nil
    ) {
        self.command = command
        self.mode = mode
        self.environment = environment
        self.stopGrace = stopGrace
        self.clock = clock
    }
}

/// The verdict on one bot in one scenario.
public struct BotReport: Sendable {
    /// The scenario's file.
    public var path: String
    /// The scenario's name.
    public var name: String
    /// Step failures, then broken rules, in the order found.
    public var failures: [String]
    /// The rules broken.
    public var brokenRules: [String]
    /// Whether everything held.
    public var passed: Bool { failures.isEmpty }

    /// `[{"path", "name", "passed", "broken_rules", "failures"}]`, one per report.
    public static func json(_ reports: [BotReport]) -> String {
        JSON.array(
            reports.map { r in
                .object([
                    ("path", .string(r.path)), ("name", .string(r.name)), ("passed", .bool(r.passed)),
                    ("broken_rules", .array(r.brokenRules.map(JSON.string))), ("failures", .array(r.failures.map(JSON.string))),
                ])
            }
        ).text(.pretty)
    }
}

/// Bots under contract (docs/contract.md): a long-lived client for a whole scenario. The bot
/// starts once with the connection in its environment (and, in webhook mode, a free port to
/// listen on); the scenario's `bot_contract.steps` are the world acting and waits for
/// conditions; then the bot is stopped and the bot rules are checked on the world's record
/// (`GET /__admin/telegram`). `scripts/telegram-bots.py` is the same runner for CI's tables.
public enum BotRunner {
    /// Runs one scenario; nil when it has no `bot_contract` or does not list this mode.
    public static func run(path: String, options: BotOptions) async throws -> BotReport? {
        let scenario = try Scenario.load(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any], let contract = root["bot_contract"] as? [String: Any]
        else { return nil }
        let modes = contract["modes"] as? [String] ?? ["polling", "webhook"]
        guard modes.contains(options.mode) else { return nil }
        let scale: Double = if case .scaled(let n) = options.clock ?? scenario.setup.clock { n } else { 1 }
        let token =
            contract["token"] as? String ?? TelegramBotAPI().credentials(in: scenario.setup).first ?? ""
        let mock = try await StarMock.start(scenario, clock: options.clock)
        let port = freePort()
        var environment = options.environment.filter { !$0.key.hasPrefix("STARMOCK_") }
        environment["STARMOCK_BASE_URL"] = mock.baseURL
        environment["STARMOCK_BOT_TOKEN"] = token
        environment["STARMOCK_BOT_MODE"] = options.mode
        environment["STARMOCK_WEBHOOK_PORT"] = String(port)
        environment["STARMOCK_WEBHOOK_URL"] = "http://127.0.0.1:\(port)/hook"
        environment["STARMOCK_WEBHOOK_SECRET"] = "starmock-\(port)"
        environment["STARMOCK_CLOCK_SCALE"] = String(scale)
        environment["STARMOCK_SCENARIO"] = scenario.name
        var run = BotRun(mock: mock, scale: scale, user: (contract["user"] as? Int).map(Int64.init) ?? 100_000_001)
        var bots: [pid_t] = []
        let botEnvironment = environment
        let start: @Sendable () -> pid_t? = {
            let null = open("/dev/null", O_WRONLY)
            defer { close(null) }
            if case .success(let pid) = ClientProcess.spawn(command: options.command, environment: botEnvironment, stdout: null, stderr: null) {
                return pid
            }
            return nil
        }
        guard let main = start() else {
            try? await mock.stop()
            return BotReport(path: path, name: scenario.name, failures: ["could not start the bot"], brokenRules: [])
        }
        bots.append(main)
        var second: pid_t?
        for (i, step) in ((contract["steps"] as? [Any]) ?? []).enumerated() {
            guard let step = step as? [String: Any], let (kind, value) = step.first else { continue }
            if kind == "second_bot" {
                if value as? String == "start" {
                    second = start()
                    if let second { bots.append(second) }
                } else if let pid = second {
                    await stop(pid, grace: options.stopGrace)
                    second = nil
                    // "Gone" means gone for the server too: a getUpdates the stopped instance
                    // left waiting would otherwise take the next update to a closed socket, and
                    // the bot that stays would get it again, unconfirmed (seen once in CI as an
                    // extra confirms-updates for a bot that did nothing wrong).
                    try? await Task.sleep(for: .milliseconds(500))
                }
                continue
            }
            await run.step(i + 1, kind, value)
        }
        _ = await run.wait(3) { ($0["pending_updates"]?.arrayValue ?? []).isEmpty }
        for pid in bots { await stop(pid, grace: options.stopGrace) }
        let final = run.state()
        let rules = (contract["rules"] as? [String]) ?? []
        let broken = BotRules.check(rules, final: final, mode: options.mode)
        try? await mock.stop()
        return BotReport(
            path: path, name: scenario.name,
            failures: run.failures + broken.map { "\($0.rule): \($0.why.joined(separator: "; "))" },
            brokenRules: broken.map(\.rule))
    }

    /// SIGTERM to the bot's process group, SIGKILL after `grace`; returns when it is reaped.
    static func stop(_ pid: pid_t, grace: Duration) async {
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        // The leader, not reaped yet, keeps the group id ours; anything left in the group after
        // it ends is killed.
        while ContinuousClock.now < deadline, !ClientProcess.hasExited(pid) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        ClientProcess.spawnLock.withLock { _ = ClientProcess.running.remove(pid) }
    }

    /// A port nothing listens on right now (the bot binds it for its webhook).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// One scenario's steps against the world, through the control API in process.
struct BotRun {
    let mock: StarMock
    let scale: Double
    let user: Int64
    var failures: [String] = []
    var seenInvoices = 0
    var seenSent = 0

    init(mock: StarMock, scale: Double, user: Int64) {
        self.mock = mock
        self.scale = scale
        self.user = user
    }

    /// The control API of the dialect the bots run against (`/__admin/telegram`).
    static let controlPath = "/__admin/" + Dialects.bots.name

    /// The first bot's part of `GET /__admin/telegram`.
    func state() -> JSON {
        let response = mock.server.control(method: "GET", path: Self.controlPath)
        return (try? JSON.parse(response.body))?["bots"]?.arrayValue?.first ?? .object([])
    }

    func control(_ path: String, _ body: JSON) -> DialectResponse {
        mock.server.control(method: "POST", path: path, body: body.bytes(.compact))
    }

    /// Waits (real seconds) until `condition` holds of the bot's state.
    func wait(_ seconds: Double, _ condition: (JSON) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition(state()) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(state())
    }

    /// World seconds of a duration text (`10s`, `720h`).
    static func seconds(_ value: Any) -> Double {
        if let n = value as? Int { return Double(n) }
        if let n = value as? Double { return n }
        let text = String(describing: value)
        for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] where text.hasSuffix(suffix) {
            if let n = Double(text.dropLast(suffix.count)) { return n * factor }
        }
        return 0
    }

    mutating func step(_ number: Int, _ kind: String, _ value: Any) async {
        let now = state()
        switch kind {
        case "wait":
            let (what, withinText): (String, Any) =
                if let spec = value as? [String: Any] { (spec["until"] as? String ?? "", spec["within"] ?? "10s") } else {
                    (value as? String ?? "", "10s")
                }
            let within = Self.seconds(withinText) / scale
            let (seenInvoices, seenSent) = (self.seenInvoices, self.seenSent)
            let conditions: [String: (Double, (JSON) -> Bool)] = [
                "ready": (30, { $0["polling"] == .bool(true) || ($0["webhook"].map { $0 != .null } ?? false) }),
                "invoice": (max(within, 3), { ($0["invoices"]?.arrayValue?.count ?? 0) > seenInvoices }),
                "answered": (within, { $0["pre_checkout_queries"]?.arrayValue?.last?["status"].map { $0 != .string("pending") } ?? false }),
                "delivered": (max(within, 3), { ($0["sent_messages"]?.arrayValue?.count ?? 0) > seenSent }),
                "refunded": (max(within, 3), { $0["payments"]?.arrayValue?.contains { $0["refunded"] == .bool(true) } ?? false }),
                "canceled-by-bot": (max(within, 3), { $0["subscriptions"]?.arrayValue?.contains { $0["canceled_by_bot"] == .bool(true) } ?? false }),
                "settled": (max(within, 3), { ($0["pending_updates"]?.arrayValue ?? []).isEmpty }),
            ]
            guard let (limit, condition) = conditions[what] else {
                failures.append("step \(number): unknown wait \(what)")
                return
            }
            if await !wait(limit, condition) { failures.append("step \(number): not \(what) within \(withinText)") }
            let after = state()
            if what == "invoice" { self.seenInvoices = after["invoices"]?.arrayValue?.count ?? 0 }
            if what == "delivered" { self.seenSent = after["sent_messages"]?.arrayValue?.count ?? 0 }
        case "say":
            let r = control(Self.controlPath + "/message", .object([("user_id", .int(user)), ("text", .string(value as? String ?? ""))]))
            if r.status != 200 { failures.append("step \(number): say: \(r.status) \(r.bodyText)") }
        case "pay":
            guard let invoice = now["invoices"]?.arrayValue?.last else {
                failures.append("step \(number): pay: the bot issued no invoice")
                return
            }
            var fields: [(String, JSON)] = [("user_id", .int(user))]
            if let link = invoice["link"], link != .null {
                fields.append(("link", link))
            } else {
                fields.append(("chat_id", invoice["chat_id"] ?? .null))
                fields.append(("message_id", invoice["message_id"] ?? .null))
            }
            let r = control(Self.controlPath + "/pay", .object(fields))
            if r.status != 200 { failures.append("step \(number): pay: \(r.status) \(r.bodyText)") }
        case "advance":
            _ = mock.server.control(method: "POST", path: "/__admin/clock/advance", body: Array(#"{"seconds": \#(Self.seconds(value))}"#.utf8))
        case "sleep":
            try? await Task.sleep(for: .milliseconds(Int64(Self.seconds(value) / scale * 1000)))
        case "cancel_subscription":
            guard let charge = now["subscriptions"]?.arrayValue?.last?["telegram_payment_charge_id"] else {
                failures.append("step \(number): cancel_subscription: no subscription")
                return
            }
            _ = control(Self.controlPath + "/cancel-subscription", .object([("user_id", .int(user)), ("telegram_payment_charge_id", charge)]))
        case "lose_webhook_answers":
            let spec = value as? [String: Any] ?? [:]
            var fields: [(String, JSON)] = [("count", .int(spec["count"] as? Int ?? 0))]
            if let update = spec["update"] as? String { fields.append(("update", .string(update))) }
            _ = control(Self.controlPath + "/lose-webhook-answers", .object(fields))
        case "expect":
            let payments = now["payments"]?.arrayValue ?? []
            let actual: [String: JSON] = [
                "payments": .int(payments.count),
                "renewals": .int(payments.filter { $0["is_renewal"] == .bool(true) }.count),
                "refunded": .int(payments.filter { $0["refunded"] == .bool(true) }.count),
                "balance": now["balance"] ?? .null,
                "pre_checkout": now["pre_checkout_queries"]?.arrayValue?.last?["status"] ?? .null,
            ]
            for (name, want) in (value as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let expected: JSON = if let n = want as? Int { .int(n) } else { .string(String(describing: want)) }
                if actual[name]?.text() != expected.text() {
                    failures.append("step \(number): expected \(name) \(expected.text()), world has \(actual[name]?.text() ?? "nothing")")
                }
            }
        default:
            failures.append("step \(number): unknown step \(kind)")
        }
    }
}
