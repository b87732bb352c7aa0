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

    /// Reads the whole document and reports every mistake at once, in the order of the file,
    /// as a compiler does: each top-level section (and each item of a list) is read on its own,
    /// so one mistake does not hide the next. Sections whose checks depend on a section that
    /// is wrong (`world` and `faults` on `dialects`, `faults` on the keys of `world`) are not
    /// read, and the error says which were skipped.
    mutating func scenario(_ root: Node) throws(ScenarioError) -> Scenario {
        let top = try reader.anyFields(root, "the scenario")
        var errors: [ScenarioError] = []
        var skipped: [String] = []
        for entry in top.entries where !Self.topLevelKeys.contains(entry.name) {
            errors.append(reader.error(entry.key, reader.unknownKeyMessage(entry.name, in: "the scenario", allowed: Self.topLevelKeys)))
        }
        var name = ""
        do { name = try reader.nonEmptyString(try top.required("name"), "name") } catch { errors.append(error) }
        var description = ""
        if let node = top["description"] {
            do { description = try reader.string(node, "description") } catch { errors.append(error) }
        }

        var dialectsRead = true
        do { try readDialects(try top.required("dialects")) } catch {
            errors.append(error)
            dialectsRead = false
        }
        if let node = top["seed"] {
            do { setup.seed = try seed(node) } catch { errors.append(error) }
        }
        if let node = top["clock"] {
            do { setup.clock = try clock(node) } catch { errors.append(error) }
        }
        if let node = top["start"] {
            do throws(ScenarioError) {
                guard case .absolute(let start) = try reader.time(node, "start", relativeAllowed: false) else {
                    throw reader.error(node, "\"start\" must be an absolute time")
                }
                setup.startTime = start
            } catch { errors.append(error) }
        }
        timeBase = setup.startTime ?? (setup.clock == .real ? nil : WorldSetup.documentedStart)

        if let node = top["lifecycles"] {
            do { try lifecycles(node) } catch { errors.append(error) }
        }
        // What names dialects, keys or routes needs `dialects`; what names keys needs `world`.
        var worldRead = dialectsRead
        if let node = top["world"] {
            if dialectsRead {
                do { try world(node) } catch {
                    errors.append(error)
                    worldRead = false
                }
            } else {
                skipped.append("world")
            }
        }
        for section in ["latency", "faults", "rate_limits", "bot_contract"] {
            guard let node = top[section] else { continue }
            guard worldRead else {
                skipped.append(section)
                continue
            }
            do {
                switch section {
                case "latency", "faults":
                    for item in try reader.list(node, section) {
                        do { setup.faults.append(try section == "latency" ? latencyRule(item) : faultRule(item)) } catch {
                            errors.append(error)
                        }
                    }
                case "rate_limits": try rateLimits(node)
                default: try botContract(node)  // bots under contract (`starmock bots` runs them)
                }
            } catch { errors.append(error) }
        }
        var contract: Node?
        if let node = top["contract"] {
            if case .mapping = node {
                contract = node
            } else {
                errors.append(reader.error(node, "\"contract\" must be a mapping, not \(reader.describe(node))"))
            }
        }
        if let error = ScenarioError.collected(errors, skipped: skipped) { throw error }
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
