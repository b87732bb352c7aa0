import StarMockCore
import StarMockDialects
import Yams

/// Walks a composed scenario document into a `Scenario`, checking every value against the
/// dialects it names. One parser reads one document.
struct ScenarioParser {
    let reader: NodeReader
    /// Every dialect StarMock knows, by name.
    let known: [String: any Dialect]
    /// The dialects the file may name (those the server serves).
    let serving: [String]

    /// The scenario's dialects, once read.
    var dialects: [String] = []
    /// The world being built.
    var setup = WorldSetup()
    /// Declared keys by secret, with where they were declared.
    var keys: [String: (key: APIKey, node: Node)] = [:]
    /// What relative times (`+60s`) count from; nil when the clock is real and no start is set.
    var timeBase: WorldTime?

    /// The top-level keys, in the order the docs list them.
    static let topLevelKeys = [
        "name", "description", "seed", "clock", "start", "dialects", "world", "lifecycles", "latency", "faults",
        "rate_limits", "contract", "bot_contract",
    ]

    init(reader: NodeReader, known: [String: any Dialect], serving: [String]) {
        self.reader = reader
        self.known = known
        self.serving = serving
    }

    mutating func scenario(_ root: Node) throws(ScenarioError) -> Scenario {
        let top = try reader.fields(root, "the scenario", allowed: Self.topLevelKeys)
        let name = try reader.nonEmptyString(try top.required("name"), "name")
        var description = ""
        if let node = top["description"] { description = try reader.string(node, "description") }

        try readDialects(try top.required("dialects"))
        if let node = top["seed"] { setup.seed = try seed(node) }
        if let node = top["clock"] { setup.clock = try clock(node) }
        if let node = top["start"] {
            guard case .absolute(let start) = try reader.time(node, "start", relativeAllowed: false) else {
                throw reader.error(node, "\"start\" must be an absolute time")
            }
            setup.startTime = start
        }
        timeBase = setup.startTime ?? (setup.clock == .real ? nil : WorldSetup.documentedStart)

        if let node = top["world"] { try world(node) }
        if let node = top["lifecycles"] { try lifecycles(node) }
        if let node = top["latency"] {
            for item in try reader.list(node, "latency") { setup.faults.append(try latencyRule(item)) }
        }
        if let node = top["faults"] {
            for item in try reader.list(node, "faults") { setup.faults.append(try faultRule(item)) }
        }
        if let node = top["rate_limits"] { try rateLimits(node) }
        // Bots under contract (`starmock bots` runs them): checked here.
        if let node = top["bot_contract"] { try botContract(node) }
        var contract: Node?
        if let node = top["contract"] {
            guard case .mapping = node else {
                throw reader.error(node, "\"contract\" must be a mapping, not \(reader.describe(node))")
            }
            contract = node
        }
        return Scenario(name: name, description: description, dialects: dialects, setup: setup, contractNode: contract)
    }

    // MARK: Top level

    mutating func readDialects(_ node: Node) throws(ScenarioError) {
        let items = try reader.list(node, "dialects")
        guard !items.isEmpty else {
            throw reader.error(node, "\"dialects\" must name at least one dialect (known: \(knownNames))")
        }
        var seen: Set<String> = []
        for item in items {
            let name = try reader.string(item, "dialects")
            try checkServed(name, at: item)
            guard seen.insert(name).inserted else { throw reader.error(item, "dialect \"\(name)\" is listed twice") }
            dialects.append(name)
        }
    }

    func seed(_ node: Node) throws(ScenarioError) -> UInt64 {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .int else {
            throw reader.error(node, "\"seed\" must be a whole number, not \(reader.describe(node))")
        }
        guard let seed = UInt64(scalar.string) else {
            throw reader.error(node, "\"seed\" must be a whole number from 0 to \(UInt64.max), not \(scalar.string)")
        }
        return seed
    }

    func clock(_ node: Node) throws(ScenarioError) -> ClockMode {
        let text = try reader.string(node, "clock")
        guard let mode = ClockMode(text) else {
            throw reader.error(
                node, "\"clock\" must be real, virtual or scaled:N (N > 0, e.g. scaled:10), not \"\(text)\""
                    + reader.didYouMean(text, ["real", "virtual"]))
        }
        // Far outside these, the clock's arithmetic in real nanoseconds would overflow.
        if case .scaled(let factor) = mode, !(0.001...1_000_000).contains(factor) {
            throw reader.error(node, "\"clock\": the scale must be from 0.001 to 1000000, not \(factor)")
        }
        return mode
    }

    // MARK: Dialect names

    var knownNames: String { known.keys.sorted().joined(separator: ", ") }

    /// Refuses a dialect StarMock does not know or this server does not serve.
    func checkServed(_ name: String, at node: Node) throws(ScenarioError) {
        guard known[name] != nil else {
            throw reader.error(
                node,
                Suggestion.message("unknown dialect \"\(name)\"", word: name, candidates: known.keys.sorted(), label: "Known"))
        }
        guard serving.contains(name) else {
            throw reader.error(
                node, "dialect \"\(name)\" is not served here (serving: \(serving.isEmpty ? "none" : serving.joined(separator: ", ")))")
        }
    }

    /// A dialect name used inside the scenario: it must be one of the scenario's `dialects`.
    func scenarioDialect(_ name: String, at node: Node) throws(ScenarioError) {
        guard dialects.contains(name) else {
            if known[name] != nil {
                throw reader.error(
                    node,
                    "dialect \"\(name)\" is not among this scenario's dialects (\(dialects.joined(separator: ", "))); add it to \"dialects\"")
            }
            throw reader.error(
                node,
                Suggestion.message(
                    "unknown dialect \"\(name)\"", word: name, candidates: dialects, label: "This scenario's dialects"))
        }
    }

    // MARK: Times

    /// An instant on the world's clock; `+N` counts from `start`.
    func instant(_ node: Node, _ name: String) throws(ScenarioError) -> WorldTime {
        try context.instant(node, name)
    }

    /// Pins the implicit start when `node` is a relative time (see `ScenarioContext`).
    mutating func pinStartIfRelative(_ node: Node) {
        var context = self.context
        context.pinStartIfRelative(node)
        setup = context.setup
    }

    /// What the dialects' sections see of the scenario so far.
    var context: ScenarioContext { ScenarioContext(reader: reader, setup: setup, keys: keys, timeBase: timeBase) }
}
