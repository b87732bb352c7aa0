import StarMockCore
import StarMockDialects
import Yams

extension ScenarioParser {
    /// Keys every rule (latency or fault) may use to pick its requests.
    static let selectionKeys = ["dialect", "method", "path", "key", "nth", "times", "probability", "from", "until"]
    static let latencyKeys = selectionKeys + ["delay"]
    static let faultKeys = selectionKeys + ["respond", "transport", "phase", "respond_verbatim"]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    static let transportNames = ["reset", "close", "garbage", "truncate", "dribble"]

    /// `latency: [{path: "/api/v1/order/*", method: POST, delay: {lognormal: {median: 200ms, p99: 2s}}}]`
    mutating func latencyRule(_ node: Node) throws(ScenarioError) -> FaultRule {
        let f = try reader.fields(node, "a latency rule", allowed: Self.latencyKeys)
        let delay = try reader.delay(try f.required("delay"), "delay")
        var rule = try selection(f, action: .delay(delay))
        // Latency delays the answer whenever it applies; the fault decision ignores the phase,
        // and `after` says so in the control API's list.
        rule.phase = .after
        return rule
    }

    /// `faults: [{dialect: sh4de, respond: CHARGING_ERROR, …}, {transport: reset, phase: after, …}]`
    mutating func faultRule(_ node: Node) throws(ScenarioError) -> FaultRule {
        let f = try reader.fields(node, "a fault", allowed: Self.faultKeys)
        let action: FaultRule.Action
        let answers = ["respond", "respond_verbatim", "transport"].filter { f[$0] != nil }
        if answers.count > 1, answers.contains("respond_verbatim") {
            throw reader.error(
                f.keyNode(answers[1])!, "a fault has one action: \(answers.joined(separator: " and ")) cannot go together")
        }
        if let verbatim = f["respond_verbatim"] {
            action = .verbatim(try verbatimAnswer(verbatim))
        } else {
        switch (f["respond"], f["transport"]) {
        case (.some, .some):
            throw reader.error(
                f.keyNode("transport")!, "a fault either responds with an error or breaks the transport, not both")
        case (nil, nil):
            throw reader.error(node, "a fault needs \"respond: CODE\" (an error of its dialect) or \"transport: …\" (reset, close, garbage, truncate, dribble)")
        case (.some(let respond), nil):
            action = .respond(code: try reader.nonEmptyString(respond, "respond"))
        case (nil, .some(let transport)):
            action = .transport(try self.transport(transport))
        }
        }
        var rule = try selection(f, action: action)
        if case .respond(let code) = action { try checkCode(code, dialect: rule.dialect, at: f["respond"]!) }
        if case .transport(let fault) = action, fault.needsResponse { rule.phase = .after }
        if let node = f["phase"] {
            let phase = FaultRule.Phase(rawValue: try reader.choice(node, "phase", ["before", "after"]))!
            if phase == .before, case .transport(let fault) = action, fault.needsResponse {
                let name = fault.description.prefix { $0 != "(" }
                throw reader.error(
                    node,
                    "a \(name) fault needs the real response, so it applies only after the world acted: use phase: after (the default for \(name))")
            }
            rule.phase = phase
        }
        return rule
    }

    /// `respond_verbatim: {status: 502, headers: {Content-Type: text/html}, body: "<html>…"}`: an
    /// answer sent exactly as written (a recorded one the dialect's model would never give).
    func verbatimAnswer(_ node: Node) throws(ScenarioError) -> VerbatimAnswer {
        let f = try reader.fields(node, "\"respond_verbatim\"", allowed: ["status", "headers", "body"])
        let status = try reader.int(try f.required("status"), "status", in: 100...599)
        var headers: [VerbatimHeader] = []
        if let h = f["headers"] {
            for entry in try reader.anyFields(h, "\"headers\"").entries {
                let value = try reader.string(entry.value, entry.name)
                guard !entry.name.isEmpty, !entry.name.contains(where: { $0 == ":" || $0 == " " || $0.isNewline }) else {
                    throw reader.error(entry.key, "\"\(entry.name)\" is not a header name")
                }
                guard !value.contains(where: \.isNewline) else {
                    throw reader.error(entry.value, "a header value may not contain a line break")
                }
                headers.append(VerbatimHeader(entry.name, value))
            }
        }
        let body = try f["body"].map { n throws(ScenarioError) in try reader.string(n, "body") } ?? ""
        return VerbatimAnswer(status: status, headers: headers, body: Array(body.utf8))
    }

    /// The fields that pick requests, shared by latency and faults.
    mutating func selection(_ f: Fields, action: FaultRule.Action) throws(ScenarioError) -> FaultRule {
        var rule = FaultRule(dialect: nil, action: action)
        if let node = f["dialect"] {
            let name = try reader.string(node, "dialect")
            if name != "*" {
                try scenarioDialect(name, at: node)
                rule.dialect = DialectID(name)
            }
        }
        if let node = f["method"] {
            let method = try reader.string(node, "method").uppercased()
            guard Self.methods.contains(method) else {
                throw reader.error(
                    node,
                    Suggestion.message("unknown method \"\(method)\"", word: method, candidates: Self.methods, label: "Methods"))
            }
            rule.method = method
        }
        if let node = f["path"] {
            let path = try reader.nonEmptyString(node, "path")
            if let problem = RouteCheck.syntaxProblem(path, dialects: scenarioDialects) ?? routeProblem(path, dialect: rule.dialect) {
                throw reader.error(node, problem)
            }
            rule.path = path
        }
        if let node = f["key"] {
            let secret = try reader.nonEmptyString(node, "key")
            guard let declared = keys[secret] else {
                throw reader.error(
                    node, "key \"\(secret)\" is not declared under world.keys\(reader.didYouMean(secret, keys.keys.sorted()))")
            }
            if let dialect = rule.dialect, declared.key.dialect != dialect {
                throw reader.error(node, "key \"\(secret)\" belongs to \(declared.key.dialect), not \(dialect)")
            }
            rule.key = secret
        }
        if let node = f["nth"] { rule.nth = try reader.int(node, "nth", in: 1...Int.max) }
        if let node = f["times"] { rule.times = try reader.int(node, "times", in: 1...Int.max) }
        if let node = f["probability"] { rule.probability = try reader.probability(node, "probability") }
        if let node = f["from"] {
            rule.from = try instant(node, "from")
            pinStartIfRelative(node)
        }
        if let node = f["until"] {
            let until = try instant(node, "until")
            if let from = rule.from, until <= from {
                throw reader.error(node, "\"until\" (\(until.sh4deText)) must be after \"from\" (\(from.sh4deText))")
            }
            rule.until = until
            pinStartIfRelative(node)
        }
        return rule
    }

    /// The scenario's dialects.
    var scenarioDialects: [any Dialect] { dialects.compactMap { known[$0] } }

    /// Why no request of `dialect` (or of any of the scenario's, for every dialect) can have
    /// this path.
    func routeProblem(_ path: String, dialect: DialectID?) -> String? {
        if let dialect { return known[dialect.name].flatMap { RouteCheck.problem(pattern: path, dialect: $0) } }
        let problems = scenarioDialects.map { RouteCheck.problem(pattern: path, dialect: $0) }
        guard !problems.contains(where: { $0 == nil }), let first = problems.first else { return nil }
        return dialects.count == 1 ? first : "no route of \(dialects.joined(separator: ", ")) matches \"\(path)\""
    }

    /// A `respond` code must be in the catalogue of the dialect (of each dialect, for `*`).
    func checkCode(_ code: String, dialect: DialectID?, at node: Node) throws(ScenarioError) {
        for name in dialect.map({ [$0.name] }) ?? dialects {
            guard let codes = known[name]?.faultCodes, !codes.contains(code) else { continue }
            var base = "\"\(code)\" is not a \(name) error code"
            if dialect == nil && dialects.count > 1 { base += " (set \"dialect\" to aim the fault at one dialect)" }
            throw reader.error(node, Suggestion.message(base, word: code, candidates: codes, label: "Codes"))
        }
    }

    /// `reset`, `close`, `{garbage: "text"}`, `{truncate: 20}`, `{dribble: {chunk: 8, over: 5s}}`.
    func transport(_ node: Node) throws(ScenarioError) -> TransportFault {
        if case .scalar = node {
            let name = try reader.string(node, "transport")
            switch name {
            case "reset": return .reset
            case "close": return .close
            case "garbage": throw reader.error(node, "garbage needs the bytes to send: {garbage: \"HTTP/1.1 20\"}")
            case "truncate": throw reader.error(node, "truncate needs a byte count: {truncate: 20}")
            case "dribble": throw reader.error(node, "dribble needs a chunk size and a duration: {dribble: {chunk: 8, over: 5s}}")
            default:
                throw reader.error(
                    node,
                    Suggestion.message(
                        "unknown transport fault \"\(name)\"", word: name, candidates: Self.transportNames, label: "Transport faults"))
            }
        }
        let f = try reader.fields(node, "\"transport\"", allowed: ["garbage", "truncate", "dribble"])
        guard f.entries.count == 1, let entry = f.entries.first else {
            throw reader.error(node, "\"transport\" must name exactly one fault, not \(f.entries.count)")
        }
        switch entry.name {
        case "garbage":
            let text = try reader.nonEmptyString(entry.value, "garbage")
            return .garbage(Array(text.utf8))
        case "truncate":
            return .truncate(afterBytes: try reader.int(entry.value, "truncate", in: 0...Int.max))
        default:
            let d = try reader.fields(entry.value, "dribble", allowed: ["chunk", "over"])
            let chunk = try reader.int(try d.required("chunk"), "chunk", in: 1...Int.max)
            let over = try reader.positiveDuration(try d.required("over"), "over")
            return .dribble(chunkBytes: chunk, over: over)
        }
    }

    // MARK: Rate limits

    /// `rate_limits: {sh4de: {limit: 5, window: 10s}, tgmarket: none, keys: {k: {limit: 1, window: 1s}}}`
    mutating func rateLimits(_ node: Node) throws(ScenarioError) {
        for entry in try reader.anyFields(node, "rate_limits").entries {
            if entry.name == "keys" {
                for keyEntry in try reader.anyFields(entry.value, "rate_limits.keys").entries {
                    guard keys[keyEntry.name] != nil else {
                        throw reader.error(
                            keyEntry.key,
                            "key \"\(keyEntry.name)\" is not declared under world.keys\(reader.didYouMean(keyEntry.name, keys.keys.sorted()))")
                    }
                    setup.keyRateLimits[keyEntry.name] = try rateLimit(
                        keyEntry.value, "rate_limits.keys.\(keyEntry.name)", noneAllowed: false)
                }
                continue
            }
            guard dialects.contains(entry.name) || known[entry.name] != nil else {
                throw reader.error(entry.key, reader.unknownKeyMessage(entry.name, in: "rate_limits", allowed: dialects + ["keys"]))
            }
            try scenarioDialect(entry.name, at: entry.key)
            if case .scalar(let scalar) = entry.value, scalar.resolvedTagName == .str, scalar.string == "none" {
                setup.rateLimits[DialectID(entry.name)] = .unlimited
            } else {
                setup.rateLimits[DialectID(entry.name)] = .limited(
                    try rateLimit(entry.value, "rate_limits.\(entry.name)", noneAllowed: true))
            }
        }
    }

    /// `{limit: 5, window: 10s}`
    func rateLimit(_ node: Node, _ name: String, noneAllowed: Bool) throws(ScenarioError) -> RateLimit {
        if case .scalar = node {
            let none = noneAllowed ? " or none" : ""
            throw reader.error(node, "\"\(name)\" must be {limit: N, window: 10s}\(none), not \(reader.describe(node))")
        }
        let f = try reader.fields(node, "\"\(name)\"", allowed: ["limit", "window"])
        let limit = try reader.int(try f.required("limit"), "limit", in: 0...Int.max)
        let window = try reader.positiveDuration(try f.required("window"), "window")
        return RateLimit(limit: limit, window: window)
    }
}
