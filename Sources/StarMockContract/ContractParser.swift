import StarMockCore
import StarMockDialects
public import StarMockScenario
import Yams

extension Contract {
    /// Reads the `contract:` section of `scenario`; nil when it has none. Every mistake is a
    /// `ScenarioError` at the line and column of the node that caused it.
    /// - Parameter file: the name diagnostics give the file; default the scenario's path.
    public static func parse(_ scenario: Scenario, file: String? = nil) throws(ScenarioError) -> Contract? {
        guard let node = scenario.contractNode else { return nil }
        let parser = ContractParser(
            reader: NodeReader(file: file ?? scenario.path ?? "scenario"), dialects: scenario.dialects,
            setup: scenario.setup)
        return try parser.contract(node)
    }
}

/// Walks the `contract:` mapping into a `Contract`, checking names against the scenario.
struct ContractParser {
    let reader: NodeReader
    let dialects: [String]
    let setup: WorldSetup

    static let keys = ["clock", "timeout", "mechanism", "steps", "rules", "expect"]
    static let stepKeys = ["action", "args", "key", "dialect", "faults", "expect", "admin"]
    static let stepFaultKeys = ["dialect", "method", "path", "key", "nth", "times", "probability", "phase", "respond", "transport", "delay"]
    static let stepExpectKeys = ["exit_code", "result"]
    static let expectKeys = ["journal", "journal_order", "world"]
    static let matcherKeys = ["method", "path", "status", "count", "min", "max"]
    static let worldKeys = ["accounts", "orders", "order_count"]
    static let accountKeys = ["available", "locked", "spent"]
    static let orderKeys = ["dialect", "id", "state"]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    static let movingClock = "a contract run needs a moving clock: set contract.clock to real or scaled:N"

    func contract(_ node: Node) throws(ScenarioError) -> Contract {
        let top = try reader.fields(node, "the contract", allowed: Self.keys)
        var contract = Contract(steps: [])
        if let clockNode = top["clock"] {
            let mode = try clock(clockNode)
            guard mode != .virtual else { throw reader.error(clockNode, Self.movingClock) }
            contract.clock = mode
        } else if setup.clock == .virtual {
            throw reader.error(top.keyNode("steps") ?? node, Self.movingClock)
        }
        if let timeout = top["timeout"] { contract.timeout = try reader.positiveDuration(timeout, "timeout") }
        if let node = top["mechanism"] {
            let name = try reader.choice(node, "mechanism", Mechanism.allCases.map(\.rawValue))
            guard dialects.contains(where: Mechanism.dialects.contains) else {
                throw reader.error(
                    node,
                    "\"mechanism\" names one of two documented ways of finishing an order; only \(Mechanism.dialects.joined(separator: ", ")) documents two, and this scenario serves \(dialects.joined(separator: ", "))")
            }
            contract.mechanism = Mechanism(rawValue: name)
        }
        let stepsNode = try top.required("steps")
        let items = try reader.list(stepsNode, "steps")
        guard !items.isEmpty else { throw reader.error(stepsNode, "\"steps\" must list at least one client run") }
        for (i, item) in items.enumerated() { contract.steps.append(try step(item, number: i + 1)) }
        if let rules = top["rules"] {
            var seen: Set<String> = []
            for item in try reader.list(rules, "rules") {
                let rule = try rule(item)
                guard seen.insert(rule.name).inserted else {
                    throw reader.error(item, "rule \"\(rule.name)\" is listed twice")
                }
                contract.rules.append(rule)
            }
        }
        if let expect = top["expect"] {
            let fields = try reader.fields(expect, "the contract's \"expect\"", allowed: Self.expectKeys)
            if let journal = fields["journal"] {
                for item in try reader.list(journal, "journal") { contract.journal.append(try matcher(item)) }
            }
            if let order = fields["journal_order"] {
                for item in try reader.list(order, "journal_order") { contract.journalOrder.append(try orderItem(item)) }
            }
            if let world = fields["world"] { contract.world = try worldExpectation(world) }
        }
        return contract
    }

    // MARK: Clock

    func clock(_ node: Node) throws(ScenarioError) -> ClockMode {
        let text = try reader.string(node, "clock")
        guard let mode = ClockMode(text) else {
            throw reader.error(
                node,
                "\"clock\" must be real or scaled:N (N > 0, e.g. scaled:100), not \"\(text)\""
                    + reader.didYouMean(text, ["real", "scaled:100"]))
        }
        if case .scaled(let factor) = mode, !(0.001...1_000_000).contains(factor) {
            throw reader.error(node, "\"clock\": the scale must be from 0.001 to 1000000, not \(factor)")
        }
        return mode
    }

    // MARK: Steps

    func step(_ node: Node, number: Int) throws(ScenarioError) -> ContractStep {
        let f = try reader.fields(node, "a contract step", allowed: Self.stepKeys)
        if let adminNode = f["admin"] {
            return try adminStep(adminNode, fields: f, node: node, number: number)
        }
        let action = try reader.nonEmptyString(try f.required("action"), "action")
        var args = JSON.object([])
        if let argsNode = f["args"] {
            _ = try reader.anyFields(argsNode, "\"args\"")
            args = try json(argsNode, "args")
        }
        let dialect: String
        if let dialectNode = f["dialect"] {
            dialect = try reader.string(dialectNode, "dialect")
            guard dialects.contains(dialect) else {
                throw reader.error(
                    dialectNode,
                    Suggestion.message(
                        "dialect \"\(dialect)\" is not among this scenario's dialects", word: dialect,
                        candidates: dialects, label: "This scenario's dialects"))
            }
        } else {
            dialect = dialects[0]
        }
        var key: String?
        if let keyNode = f["key"] {
            let text = try reader.nonEmptyString(keyNode, "key")
            try checkKey(text, dialect: dialect, at: keyNode)
            key = text
        } else {
            key = Self.defaultKey(dialect: dialect, setup: setup)
        }
        var step = ContractStep(number: number, action: action, args: args, dialect: dialect, key: key)
        if let faultsNode = f["faults"] {
            for item in try reader.list(faultsNode, "faults") { step.faults.append(try stepFault(item, dialect: dialect)) }
        }
        if let expectNode = f["expect"] {
            let e = try reader.fields(expectNode, "a step's \"expect\"", allowed: Self.stepExpectKeys)
            if let code = e["exit_code"] { step.exitCode = try reader.int(code, "exit_code", in: 0...255) }
            if let result = e["result"] {
                _ = try reader.anyFields(result, "\"result\"")
                step.result = try matcher(result, "result")
            }
        }
        return step
    }

    /// `- admin: {method: POST, path: /__admin/papaya/invoices/1/pay, body: {…}}`: the runner
    /// calls the control API itself between client runs; a non-2xx answer fails the step.
    func adminStep(_ adminNode: Node, fields f: Fields, node: Node, number: Int) throws(ScenarioError) -> ContractStep {
        for other in ["action", "args", "key", "dialect", "faults", "expect"] {
            if let extra = f[other] {
                throw reader.error(extra, "an \"admin\" step is a control-API call and takes no \"\(other)\"")
            }
        }
        let a = try reader.fields(adminNode, "\"admin\"", allowed: ["method", "path", "body"])
        let methodNode = try a.required("method")
        let method = try reader.nonEmptyString(methodNode, "method").uppercased()
        guard ["GET", "POST", "DELETE"].contains(method) else {
            throw reader.error(methodNode, "\"method\" must be GET, POST or DELETE, not \"\(method)\"")
        }
        let pathNode = try a.required("path")
        let path = try reader.nonEmptyString(pathNode, "path")
        guard path.hasPrefix("/__admin/") else {
            throw reader.error(pathNode, "\"path\" must be a control-API path starting with /__admin/, not \"\(path)\"")
        }
        var body: JSON?
        if let bodyNode = a["body"] {
            _ = try reader.anyFields(bodyNode, "\"body\"")
            body = try json(bodyNode, "body")
        }
        var step = ContractStep(number: number, action: "admin", dialect: dialects[0], key: nil)
        step.admin = ContractStep.AdminCall(method: method, path: path, body: body)
        return step
    }

    /// One of a step's `faults`: the keys of a scenario fault (docs/scenarios.md) but `from`
    /// and `until`, plus `delay` (latency). Armed when the step starts, removed when it ends.
    func stepFault(_ node: Node, dialect stepDialect: String) throws(ScenarioError) -> FaultRule {
        let f = try reader.fields(node, "a step's fault", allowed: Self.stepFaultKeys)
        let actions = ["respond", "transport", "delay"].filter { f.has($0) }
        guard actions.count == 1 else {
            throw reader.error(
                actions.count > 1 ? f.keyNode(actions[1])! : node,
                "a step's fault does exactly one thing: \"respond: CODE\", \"transport: …\" (reset, close, garbage, truncate, dribble) or \"delay: DURATION\"")
        }
        var dialect = stepDialect
        if let d = f["dialect"] {
            dialect = try reader.string(d, "dialect")
            guard dialects.contains(dialect) else {
                throw reader.error(
                    d,
                    Suggestion.message(
                        "dialect \"\(dialect)\" is not among this scenario's dialects", word: dialect, candidates: dialects,
                        label: "This scenario's dialects"))
            }
        }
        let action: FaultRule.Action
        if let respond = f["respond"] {
            let code = try reader.nonEmptyString(respond, "respond")
            if let codes = Dialects.named(dialect)?.faultCodes, !codes.contains(code) {
                throw reader.error(
                    respond,
                    Suggestion.message("\"\(code)\" is not a \(dialect) error code", word: code, candidates: codes, label: "Codes"))
            }
            action = .respond(code: code)
        } else if let transport = f["transport"] {
            action = .transport(try self.transport(transport))
        } else {
            action = .delay(try reader.delay(f["delay"]!, "delay"))
        }
        var rule = FaultRule(dialect: DialectID(dialect), action: action)
        if let m = f["method"] { rule.method = try method(m) }
        if let p = f["path"] {
            let text = try reader.string(p, "path")
            if let problem = RouteCheck.syntaxProblem(text, dialects: served)
                ?? Dialects.named(dialect).flatMap({ RouteCheck.problem(pattern: text, dialect: $0) })
            {
                throw reader.error(p, problem)
            }
            rule.path = text
        }
        if let k = f["key"] {
            let key = try reader.nonEmptyString(k, "key")
            try checkKey(key, dialect: dialect, at: k)
            rule.key = key
        }
        if let n = f["nth"] { rule.nth = try reader.int(n, "nth", in: 1...Int.max) }
        if let n = f["times"] { rule.times = try reader.int(n, "times", in: 1...Int.max) }
        if let n = f["probability"] { rule.probability = try reader.probability(n, "probability") }
        switch action {
        case .delay:
            rule.phase = .after
            if let p = f["phase"] { throw reader.error(p, "a delay always holds the answer after the world acted; it takes no \"phase\"") }
        case .transport(let fault) where fault.needsResponse:
            rule.phase = .after
            if let p = f["phase"], try reader.choice(p, "phase", ["before", "after"]) == "before" {
                throw reader.error(p, "this transport fault needs the real response, so it applies only after the world acted: use phase: after")
            }
        default:
            if let p = f["phase"] { rule.phase = FaultRule.Phase(rawValue: try reader.choice(p, "phase", ["before", "after"]))! }
        }
        return rule
    }

    /// `reset`, `close`, `{garbage: "text"}`, `{truncate: 20}`, `{dribble: {chunk: 8, over: 5s}}`.
    func transport(_ node: Node) throws(ScenarioError) -> TransportFault {
        let names = ["reset", "close", "garbage", "truncate", "dribble"]
        if case .scalar = node {
            let name = try reader.string(node, "transport")
            switch name {
            case "reset": return .reset
            case "close": return .close
            case "garbage", "truncate", "dribble":
                throw reader.error(
                    node, "\(name) needs a setting: {garbage: \"TEXT\"}, {truncate: N} or {dribble: {chunk: N, over: 5s}}")
            default:
                throw reader.error(
                    node,
                    Suggestion.message("unknown transport fault \"\(name)\"", word: name, candidates: names, label: "Transport faults"))
            }
        }
        let f = try reader.fields(node, "\"transport\"", allowed: ["garbage", "truncate", "dribble"])
        guard f.entries.count == 1, let entry = f.entries.first else {
            throw reader.error(node, "\"transport\" must name exactly one fault, not \(f.entries.count)")
        }
        switch entry.name {
        case "garbage": return .garbage(Array(try reader.nonEmptyString(entry.value, "garbage").utf8))
        case "truncate": return .truncate(afterBytes: try reader.int(entry.value, "truncate", in: 0...Int.max))
        default:
            let d = try reader.fields(entry.value, "dribble", allowed: ["chunk", "over"])
            let chunk = try reader.int(try d.required("chunk"), "chunk", in: 1...Int.max)
            return .dribble(chunkBytes: chunk, over: try reader.positiveDuration(try d.required("over"), "over"))
        }
    }

    /// The scenario's first enabled key of the dialect (for `telegram`, then its first bot).

    /// The scenario's first enabled key of the dialect, else the first credential the dialect
    /// knows of itself (a listed bot's token).
    static func defaultKey(dialect: String, setup: WorldSetup) -> String? {
        if let key = setup.keys.first(where: { $0.dialect.name == dialect && $0.enabled }) { return key.key }
        return Dialects.named(dialect)?.credentials(in: setup).first
    }

    func checkKey(_ key: String, dialect: String, at node: Node) throws(ScenarioError) {
        if let declared = setup.keys.first(where: { $0.key == key }) {
            guard declared.dialect.name == dialect else {
                throw reader.error(node, "key \"\(key)\" belongs to \(declared.dialect), not to this step's dialect \(dialect)")
            }
            return
        }
        let credentials = Dialects.named(dialect)?.credentials(in: setup) ?? []
        if credentials.contains(key) { return }
        let known = setup.keys.filter { $0.dialect.name == dialect }.map(\.key)
        // A world without any key of the dialect is an upstream that knows none: any key
        // given is meant to be refused (INVALID_API_KEY), not a typo.
        if credentials.isEmpty { return }
        throw reader.error(
            node,
            Suggestion.message(
                "key \"\(key)\" is not declared in the scenario (world.keys)", word: key, candidates: known,
                label: "\(dialect) keys", list: known.isEmpty ? ["none"] : known))
    }

    // MARK: Values

    /// A YAML value as JSON: strings, whole and decimal numbers, booleans, null, lists, mappings.
    func json(_ node: Node, _ name: String) throws(ScenarioError) -> JSON {
        switch node {
        case .scalar(let scalar):
            switch scalar.resolvedTagName {
            case .str: return .string(scalar.string)
            case .null: return .null
            case .bool:
                guard let value = node.bool else { throw reader.error(node, "\"\(name)\": cannot read \(scalar.string)") }
                return .bool(value)
            case .int:
                guard let value = Int(scalar.string) else {
                    throw reader.error(node, "\"\(name)\" must be written in decimal, not \(scalar.string)")
                }
                return .int(value)
            case .float:
                let text = scalar.string
                guard let value = Double(text), value.isFinite,
                    text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) })
                else { throw reader.error(node, "\"\(name)\": \(text) is not a JSON number; quote it") }
                return .number(text.hasPrefix("+") ? String(text.dropFirst()) : text)
            default:
                throw reader.error(node, "\"\(name)\": \(reader.describe(node)) is not a JSON value; quote it")
            }
        case .sequence(let items):
            var values: [JSON] = []
            for item in items { values.append(try json(item, name)) }
            return .array(values)
        case .mapping:
            let fields = try reader.anyFields(node, "\"\(name)\"")
            var pairs: [(String, JSON)] = []
            for entry in fields.entries { pairs.append((entry.name, try json(entry.value, entry.name))) }
            return .object(pairs)
        case .alias:
            throw reader.error(node, "\"\(name)\": YAML aliases are not supported here; write the value out")
        }
    }

    /// `result`: values, nested mappings, `{one_of: [a, b]}`.
    func matcher(_ node: Node, _ name: String) throws(ScenarioError) -> ResultMatcher {
        guard case .mapping = node else { return .equals(try json(node, name)) }
        let fields = try reader.anyFields(node, "\"\(name)\"")
        if let first = fields.entries.first, first.name == "one_of" {
            guard fields.entries.count == 1 else {
                throw reader.error(node, "\"one_of\" stands alone: {one_of: [completed, failed]}")
            }
            let items = try reader.list(first.value, "one_of")
            guard !items.isEmpty else { throw reader.error(first.value, "\"one_of\" needs at least one value") }
            var values: [JSON] = []
            for item in items { values.append(try json(item, name)) }
            return .oneOf(values)
        }
        var out: [ResultMatcher.Field] = []
        for entry in fields.entries { out.append(.init(entry.name, try matcher(entry.value, entry.name))) }
        return .object(out)
    }

    // MARK: Rules

    func rule(_ node: Node) throws(ScenarioError) -> ContractRule {
        let name: String
        var argument: Node?
        switch node {
        case .scalar:
            name = try reader.string(node, "rules")
        case .mapping:
            let fields = try reader.anyFields(node, "a rule")
            guard fields.entries.count == 1, let entry = fields.entries.first else {
                throw reader.error(node, "a rule with a setting is one key: {min-poll-interval: 200ms}")
            }
            name = entry.name
            argument = entry.value
        default:
            throw reader.error(node, "a rule is a name (no-duplicate-order) or {name: setting}, not \(reader.describe(node))")
        }
        let nameNode: Node =
            if case .mapping(let m) = node, let key = m.keys.first { key } else { node }
        guard ContractRule.names.contains(name) else {
            throw reader.error(
                nameNode, Suggestion.message("unknown rule \"\(name)\"", word: name, candidates: ContractRule.names, label: "Rules"))
        }
        switch name {
        case "min-poll-interval":
            guard let argument else {
                throw reader.error(node, "\"min-poll-interval\" needs a duration: {min-poll-interval: 200ms}")
            }
            return .minPollInterval(try reader.positiveDuration(argument, "min-poll-interval"))
        case "bounded-retries":
            guard let argument else { throw reader.error(node, "\"bounded-retries\" needs a number: {bounded-retries: 3}") }
            return .boundedRetries(try reader.int(argument, "bounded-retries", in: 0...1_000_000))
        case "backs-off-after-429":
            guard let argument else {
                throw reader.error(node, "\"backs-off-after-429\" needs a duration: {backs-off-after-429: 1s}")
            }
            return .backsOffAfter429(try reader.positiveDuration(argument, "backs-off-after-429"))
        default:
            if let argument {
                throw reader.error(argument, "rule \"\(name)\" takes no setting; write it as a plain name")
            }
            switch name {
            case "no-rate-limit-breach": return .noRateLimitBreach
            case "honours-retry-after": return .honoursRetryAfter
            case "no-duplicate-order": return .noDuplicateOrder
            case "polls-until-final": return .pollsUntilFinal
            default: return .noRequestsAfterFinal
            }
        }
    }

    // MARK: Journal

    func matcher(_ node: Node) throws(ScenarioError) -> JournalMatcher {
        let f = try reader.fields(node, "a journal matcher", allowed: Self.matcherKeys)
        var pattern = RequestPattern()
        if let m = f["method"] { pattern.method = try method(m) }
        if let p = f["path"] { pattern.path = try path(p) }
        if let s = f["status"] { pattern.status = try reader.int(s, "status", in: 100...599) }
        var matcher = JournalMatcher(pattern: pattern)
        if let c = f["count"] { matcher.count = try reader.int(c, "count", in: 0...Int.max) }
        if let c = f["min"] { matcher.min = try reader.int(c, "min", in: 0...Int.max) }
        if let c = f["max"] { matcher.max = try reader.int(c, "max", in: 0...Int.max) }
        if matcher.count != nil, let extra = f.keyNode("min") ?? f.keyNode("max") {
            throw reader.error(extra, "a journal matcher gives either \"count\" or \"min\"/\"max\", not both")
        }
        if matcher.count == nil, matcher.min == nil, matcher.max == nil {
            throw reader.error(node, "a journal matcher needs \"count\", \"min\" or \"max\"")
        }
        if let low = matcher.min, let high = matcher.max, high < low, let maxNode = f["max"] {
            throw reader.error(maxNode, "\"max\" must not be less than \"min\"")
        }
        return matcher
    }

    func method(_ node: Node) throws(ScenarioError) -> String {
        let text = try reader.string(node, "method").uppercased()
        guard Self.methods.contains(text) else {
            throw reader.error(node, "\"method\" must be one of \(Self.methods.joined(separator: ", ")), not \"\(text)\"")
        }
        return text
    }

    func path(_ node: Node) throws(ScenarioError) -> String {
        let text = try reader.string(node, "path")
        if let problem = RouteCheck.syntaxProblem(text, dialects: served) ?? routeProblem(text) { throw reader.error(node, problem) }
        return text
    }

    /// The scenario's dialects.
    var served: [any Dialect] { dialects.compactMap(Dialects.named) }

    /// Why no request of the scenario's dialects can have this path.
    func routeProblem(_ path: String) -> String? {
        let problems = served.map { RouteCheck.problem(pattern: path, dialect: $0) }
        guard !problems.contains(where: { $0 == nil }), let first = problems.first else { return nil }
        return dialects.count == 1 ? first : "no route of \(dialects.joined(separator: ", ")) matches \"\(path)\""
    }

    /// `POST /api/v1/order/stars` (method, then path pattern).
    func orderItem(_ node: Node) throws(ScenarioError) -> RequestPattern {
        let text = try reader.string(node, "journal_order")
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw reader.error(node, "a journal_order item is \"METHOD PATH\", like \"POST /api/v1/order/stars\", not \"\(text)\"")
        }
        let method = parts[0].uppercased()
        guard Self.methods.contains(method) else {
            throw reader.error(node, "\"\(parts[0])\" is not a method; one of \(Self.methods.joined(separator: ", "))")
        }
        let path = String(parts[1])
        if let problem = RouteCheck.syntaxProblem(path, dialects: served) ?? routeProblem(path) { throw reader.error(node, problem) }
        return RequestPattern(method: method, path: path)
    }

    // MARK: World

    func worldExpectation(_ node: Node) throws(ScenarioError) -> WorldExpectation {
        let f = try reader.fields(node, "the expected \"world\"", allowed: Self.worldKeys)
        var world = WorldExpectation()
        if let accounts = f["accounts"] {
            let owners = try reader.anyFields(accounts, "\"accounts\"")
            let known = Set(setup.accounts.keys).union(setup.keys.map(\.owner))
            for entry in owners.entries {
                guard known.contains(entry.name) else {
                    throw reader.error(
                        entry.key,
                        Suggestion.message(
                            "owner \"\(entry.name)\" has no account in the scenario", word: entry.name,
                            candidates: known.sorted(), label: "Owners"))
                }
                let a = try reader.fields(entry.value, "the account \"\(entry.name)\"", allowed: Self.accountKeys)
                var expectation = AccountExpectation(owner: entry.name)
                if let v = a["available"] { expectation.available = try reader.money(v, "available") }
                if let v = a["locked"] { expectation.locked = try reader.money(v, "locked") }
                if let v = a["spent"] { expectation.spent = try reader.money(v, "spent") }
                world.accounts.append(expectation)
            }
        }
        if let orders = f["orders"] {
            for item in try reader.list(orders, "orders") {
                let o = try reader.fields(item, "an expected order", allowed: Self.orderKeys)
                var dialect = dialects[0]
                if let d = o["dialect"] {
                    dialect = try reader.string(d, "dialect")
                    guard dialects.contains(dialect) else {
                        throw reader.error(d, "dialect \"\(dialect)\" is not among this scenario's dialects (\(dialects.joined(separator: ", ")))")
                    }
                }
                let id = try reader.int(try o.required("id"), "id", in: 1...999_999_999_999)
                let states = try orderStates(try o.required("state"))
                world.orders.append(OrderExpectation(ref: OrderRef(dialect: DialectID(dialect), id: id), states: states))
            }
        }
        if let count = f["order_count"] { world.orderCount = try reader.int(count, "order_count", in: 0...Int.max) }
        return world
    }

    /// `completed`, or `{one_of: [pending, completed]}`.
    func orderStates(_ node: Node) throws(ScenarioError) -> [OrderState] {
        let names = ["pending", "completed", "failed"]
        guard case .mapping = node else { return [OrderState(rawValue: try reader.choice(node, "state", names))!] }
        let f = try reader.fields(node, "\"state\"", allowed: ["one_of"])
        let items = try reader.list(try f.required("one_of"), "one_of")
        guard !items.isEmpty else { throw reader.error(node, "\"one_of\" needs at least one state") }
        var states: [OrderState] = []
        for item in items { states.append(OrderState(rawValue: try reader.choice(item, "state", names))!) }
        return states
    }
}
