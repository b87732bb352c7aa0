import Foundation
public import StarMockCore
import StarMockDialects

/// `starmock scenario from FILE`: a scenario that reproduces a recording.
///
/// 1. The starting world is inferred from the answers (`WorldInference`).
/// 2. The recording is replayed against that world on a virtual clock, request by request at
///    the recorded instants, through the same `Pipeline` the server runs. Each exchange gets
///    the treatment that reproduces it: none (the model gives that answer), a dialect error by
///    its own code, a transport fault (before or after the world acted), or, when the model
///    cannot explain it, the recorded answer verbatim (`respond_verbatim`). Between equally
///    good treatments the one that explains more of the exchanges that follow wins (a lost
///    answer after commit is told from one before by the order ids and balances later).
/// 3. The treatments become fault rules pinned to their request by `nth` on a method and path
///    selector, latencies are kept as recorded, and the scenario is read back by the scenario
///    parser and replayed once more with its own rules to confirm it.
public struct ScenarioFromRecording {
    public var exchanges: [RecordedExchange]
    /// `--dialect`: only these; nil: every dialect a path belongs to.
    public var dialectNames: [String]?
    /// `--contract`.
    public var contract: Bool
    /// The file's name, for the scenario's name and description.
    public var source: String
    /// Answers slower than this get a latency rule.
    public var latencyThreshold: Int64 = 50
    /// How many later exchanges decide between treatments.
    public var lookahead = 12

    public init(exchanges: [RecordedExchange], dialectNames: [String]? = nil, contract: Bool = false, source: String) {
        self.exchanges = exchanges
        self.dialectNames = dialectNames
        self.contract = contract
        self.source = source
    }

    /// The scenario's YAML and notes for the terminal (what could not be reproduced exactly).
    public func make() throws(RecordingError) -> (yaml: String, notes: [String]) {
        guard !exchanges.isEmpty else { throw RecordingError("\(source): the recording has no exchanges") }
        let set: DialectSet
        if let dialectNames {
            guard let s = DialectSet(named: dialectNames) else {
                throw RecordingError("unknown dialect in --dialect \(dialectNames.joined(separator: ",")); known: \(DialectSet.allNames.joined(separator: ", "))")
            }
            set = s
        } else {
            set = .everything
        }
        // Which dialect serves each exchange: as recorded when it says, else by path.
        var dialectOf: [String?] = []
        for e in exchanges {
            if let d = e.dialect, set.dialect(named: d) != nil, dialectNames == nil || dialectNames!.contains(d) {
                dialectOf.append(d)
            } else {
                dialectOf.append(set.dialect(for: e.path)?.id.name)
            }
        }
        let served = set.names.filter { dialectOf.contains($0) }
        guard !served.isEmpty else {
            throw RecordingError("\(source): no exchange is on a path of \(dialectNames?.joined(separator: ", ") ?? "any dialect StarMock knows") (\(exchanges.first!.method) \(exchanges.first!.path) …); try --dialect")
        }
        let servedSet = DialectSet(named: served)!
        let credentials: [String?] = exchanges.indices.map { i in
            guard let d = dialectOf[i].flatMap(servedSet.dialect(named:)) else { return nil }
            if case .presented(let secret) = d.credential(of: request(i)) { return secret }
            return nil
        }
        var notes: [String] = []
        for (i, d) in dialectOf.enumerated() where d == nil {
            notes.append("exchange \(i + 1) (\(exchanges[i].method) \(exchanges[i].path)) is on no path of \(served.joined(separator: ", ")): served as StarMock's 404, not as recorded")
        }

        // Candidate worlds, the one explaining most answers as they are.
        let drafts = WorldInference.drafts(exchanges, dialectOf: dialectOf, credentials: credentials, dialects: served)
        var best: (draft: WorldDraft, setup: WorldSetup, score: Int)?
        var problem: String?
        for draft in drafts {
            let yaml = ScenarioYAML.world(draft, name: "draft", description: "", clock: "virtual")
            let scenario: Scenario
            do {
                scenario = try Scenario.parse(yaml: yaml, file: "draft")
            } catch {
                problem = problem ?? "\(error)"
                continue
            }
            let plain = simulate(scenario.setup, servedSet, Array(repeating: .plain, count: exchanges.count), dialectOf: dialectOf)
            let score = plain.indices.filter { matches(exchanges[$0], plain[$0]) }.count
            if best == nil || score > best!.score { best = (draft, scenario.setup, score) }
        }
        guard let (draft, setup, _) = best else {
            throw RecordingError("\(source): the inferred world is not a valid scenario (\(problem ?? "no draft")): a bug, please report it with the recording")
        }

        // The treatments, one exchange at a time, from the state the chosen ones led to.
        let pipeline = Pipeline(servedSet)
        var committed = initialState(setup, servedSet)
        var chosen: [Treatment] = []
        for i in exchanges.indices {
            let candidates = self.candidates(i, dialect: dialectOf[i].flatMap(servedSet.dialect(named:)), setup: setup)
            var pick: (Treatment, Int)?
            let horizon = min(exchanges.count, i + 1 + lookahead)
            for c in candidates {
                var trial = committed
                let here = step(&trial, i, c, pipeline)
                guard matches(exchanges[i], here) || c.isVerbatim else { continue }
                var later = 0
                for j in i + 1..<horizon where matches(exchanges[j], step(&trial, j, .plain, pipeline)) { later += 1 }
                if pick == nil || later > pick!.1 { pick = (c, later) }
            }
            let t = pick?.0 ?? .plain
            chosen.append(t)
            _ = step(&committed, i, t, pipeline)
        }
        let final = simulate(setup, servedSet, chosen, dialectOf: dialectOf)
        let heldOrSlow = final.map(\.held)

        // Rules.
        var rules: [RuleDraft] = []
        for (i, t) in chosen.enumerated() {
            guard let d = dialectOf[i] else { continue }
            let e = exchanges[i]
            switch t {
            case .plain, .asWritten: break
            case .respond(let code, let phase):
                rules.append(RuleDraft(target: i, dialect: d, group: phase == .before ? .errorBefore : .errorAfter, action: .respond(code), phase: phase, comment: "exchange \(i + 1): \(e.method) \(e.path) answered \(e.status ?? 0) \(code)"))
            case .transport(let name, let phase):
                rules.append(RuleDraft(target: i, dialect: d, group: phase == .before ? .transportBefore : .transportAfter, action: .transport(name), phase: phase, comment: "exchange \(i + 1): \(e.method) \(e.path): the client saw \(name == "reset" ? "the connection reset" : name == "close" ? "the connection closed without an answer" : "bytes that were not HTTP")\(phase == .after ? " after the upstream acted" : "")"))
            case .verbatim(let phase):
                let modelSaid = final[i].status.map { "StarMock's model answers \($0) here" } ?? "StarMock's model has no such answer"
                rules.append(RuleDraft(target: i, dialect: d, group: phase == .before ? .errorBefore : .errorAfter, action: .verbatim(e), phase: phase, comment: "exchange \(i + 1): \(e.method) \(e.path) answered \(e.status ?? 0), an answer the \(d) model cannot explain (\(modelSaid)): served verbatim"))
                notes.append("exchange \(i + 1) (\(e.method) \(e.path) → \(e.status ?? 0)) is served verbatim: the \(d) model does not give that answer")
            }
            if e.duration >= latencyThreshold, !heldOrSlow[i] {
                rules.append(RuleDraft(target: i, dialect: d, group: .delay, action: .delay(e.duration), phase: .after, comment: "exchange \(i + 1): answered after \(e.duration) ms"))
            }
        }
        assignNth(&rules, chosen: chosen, dialectOf: dialectOf, credentials: credentials, servedSet: servedSet, keys: draft.keys.map(\.key))

        let name = "recorded: \((source as NSString).lastPathComponent)"
        let description = "Reproduces \(exchanges.count) exchanges recorded in \((source as NSString).lastPathComponent) from \(exchanges.first!.started.iso8601) (starmock scenario from). Replay them in order, with the recorded pauses."
        var yaml = ScenarioYAML.world(draft, name: name, description: description, clock: "real")
        yaml += ScenarioYAML.rules(rules)
        if contract {
            let verbatim = Set(chosen.indices.filter { chosen[$0].isVerbatim })
            yaml += ScenarioYAML.contract(
                exchanges, dialectOf: dialectOf, credentials: credentials, draft: draft, served: served, verbatim: verbatim, notes: &notes)
        }
        // The result must be a scenario StarMock reads, and reproduce what was planned.
        let parsed: Scenario
        do {
            parsed = try Scenario.parse(yaml: yaml, file: "generated")
        } catch {
            throw RecordingError("the generated scenario does not read back (\(error)); this is a bug: please report it with the recording")
        }
        var check = parsed.setup
        check.clock = .virtual
        let replay = simulate(check, servedSet, Array(repeating: .asWritten, count: exchanges.count), dialectOf: dialectOf)
        for i in exchanges.indices where !matches(exchanges[i], replay[i]) && dialectOf[i] != nil {
            notes.append("exchange \(i + 1) (\(exchanges[i].method) \(exchanges[i].path)) replays as \(replay[i].status.map(String.init) ?? replay[i].transport ?? "-"), recorded \(exchanges[i].status.map(String.init) ?? exchanges[i].transport ?? "-")")
        }
        return (yaml, notes)
    }

    // MARK: Simulation

    enum Treatment: Equatable {
        case plain
        case respond(String, FaultRule.Phase)
        case transport(String, FaultRule.Phase)
        case verbatim(FaultRule.Phase)
        /// The scenario's own rules (the final check).
        case asWritten

        var isVerbatim: Bool { if case .verbatim = self { true } else { false } }
    }

    struct Outcome {
        var status: Int?
        var body: [UInt8] = []
        var retryAfter: String?
        var transport: String?
        var held = false
    }

    func request(_ i: Int) -> DialectRequest {
        let e = exchanges[i]
        return DialectRequest(method: HTTPMethod(e.method), target: e.target, headers: e.headers, body: e.body)
    }

    /// The world a replay starts from: the setup on a virtual clock at the first recorded
    /// instant, rate limits off (each recorded 429 is a fault), no scripted faults yet.
    func initialState(_ setup: WorldSetup, _ dialects: DialectSet, keepFaults: Bool = false) -> WorldState {
        var s = setup
        s.clock = .virtual
        s.startTime = exchanges.first!.started
        s.journalCapacity = 16
        if !keepFaults { s.faults = [] }
        for d in dialects.names { s.rateLimits[DialectID(d)] = .unlimited }
        return World(s).read { $0 }
    }

    /// Replays the first `treatments.count` exchanges on a virtual clock at their instants.
    func simulate(_ setup: WorldSetup, _ dialects: DialectSet, _ treatments: [Treatment], dialectOf: [String?]) -> [Outcome] {
        var state = initialState(setup, dialects, keepFaults: treatments.first == .asWritten)
        let pipeline = Pipeline(dialects)
        return treatments.indices.map { step(&state, $0, treatments[$0], pipeline) }
    }

    /// Replays exchange `i` on a world state (a value: trying a treatment costs a copy).
    func step(_ w: inout WorldState, _ i: Int, _ t: Treatment, _ pipeline: Pipeline) -> Outcome {
        let e = exchanges[i]
        if e.started > w.now { w.advanceClock(by: e.started.since(w.now)) }
        if t != .asWritten {
            w.clearFaults()
            switch t {
            case .plain, .asWritten: break
            case .respond(let code, let phase): w.addFault(FaultRule(dialect: nil, code: code, phase: phase))
            case .transport(let name, let phase): w.addFault(FaultRule(dialect: nil, action: .transport(Self.fault(name)), phase: phase))
            case .verbatim(let phase): w.addFault(FaultRule(dialect: nil, action: .verbatim(Self.verbatim(e)), phase: phase))
            }
        }
        let exchange = pipeline.run(request(i), in: &w)
        var o = Outcome()
        if exchange.unanswered || exchange.transport.map({ !$0.needsResponse }) == true {
            o.transport = exchange.transport.map(Self.name)
            return o
        }
        switch exchange.reply {
        case .now(let r):
            o.status = r.status
            o.body = r.body
            o.retryAfter = r.headers.last { $0.0.lowercased() == "retry-after" }?.1
        case .held(let ref, let timeout, let render):
            // Held until the order ends or the wait times out, as recorded: move the clock to
            // the recorded answer (not past the next request) and see.
            o.held = true
            let heldAt = w.now
            let end = e.started.adding(.milliseconds(e.duration))
            let next = i + 1 < exchanges.count ? exchanges[i + 1].started : end
            let until = min(end, max(next, heldAt))
            if until > w.now { w.advanceClock(by: until.since(w.now)) }
            if let order = w.order(ref) {
                if order.state.isFinal {
                    let r = render(.final(order))
                    (o.status, o.body) = (r.status, r.body)
                } else if w.now >= heldAt.adding(timeout) {
                    let r = render(.timedOut(order))
                    (o.status, o.body) = (r.status, r.body)
                }
            }
        case .waiting(_, let timeout, let render):
            // A long poll (the Bot API's getUpdates): held until the recorded answer, then as
            // the world stands then (signalled, or timed out once its timeout has passed).
            o.held = true
            let heldAt = w.now
            let end = e.started.adding(.milliseconds(e.duration))
            if end > w.now { w.advanceClock(by: end.since(w.now)) }
            let r = render(w.now >= heldAt.adding(timeout) ? .timedOut : .signalled, &w)
            (o.status, o.body) = (r.status, r.body)
        }
        return o
    }

    static func fault(_ name: String) -> TransportFault {
        switch name {
        case "close": .close
        case "garbage": .garbage(Array("HTTP/1.1 ???\r\n".utf8))
        default: .reset
        }
    }

    static func name(_ fault: TransportFault) -> String {
        switch fault {
        case .reset: "reset"
        case .close: "close"
        case .garbage: "garbage"
        case .truncate: "truncate"
        case .dribble: "dribble"
        }
    }

    static func verbatim(_ e: RecordedExchange) -> VerbatimAnswer {
        VerbatimAnswer(
            status: e.status ?? 502,
            headers: e.responseHeaders.filter { !ScenarioYAML.serverHeaders.contains($0.0.lowercased()) }.map { VerbatimHeader($0.0, $0.1) },
            body: e.responseBody)
    }

    /// Whether the model's answer is the recorded one (times compared to the second, as the
    /// real clock of a replay moves on).
    func matches(_ e: RecordedExchange, _ o: Outcome) -> Bool {
        if let t = e.transport { return o.transport == t }
        guard o.transport == nil, let status = o.status, status == e.status else { return false }
        if let retry = e.responseHeader("Retry-After"), retry != o.retryAfter { return false }
        return Self.normalized(e.responseBody) == Self.normalized(o.body)
    }

    /// A body with its timestamps blanked out, as `scenario from` compares answers.
    public static func normalizedBody(_ body: [UInt8]) -> [UInt8] { normalized(body) }

    /// Bodies with their timestamps blanked out.
    static func normalized(_ body: [UInt8]) -> [UInt8] {
        var out = body
        var i = 0
        func digit(_ k: Int) -> Bool { k < out.count && (48...57).contains(out[k]) }
        while i + 19 <= out.count {
            if digit(i), digit(i + 1), digit(i + 2), digit(i + 3), out[i + 4] == 45, digit(i + 5), digit(i + 6), out[i + 7] == 45, digit(i + 8), digit(i + 9),
                out[i + 10] == 32 || out[i + 10] == 84, digit(i + 11), digit(i + 12), out[i + 13] == 58, digit(i + 14), digit(i + 15), out[i + 16] == 58,
                digit(i + 17), digit(i + 18)
            {
                var j = i + 19
                if j < out.count, out[j] == 46 { j += 1; while digit(j) { j += 1 } }
                out.replaceSubrange(i..<j, with: Array("<time>".utf8))
                i += 6
            } else {
                i += 1
            }
        }
        return out
    }

    /// What may reproduce exchange `i`, best first.
    func candidates(_ i: Int, dialect: (any Dialect)?, setup: WorldSetup) -> [Treatment] {
        guard let dialect else { return [.plain] }
        let e = exchanges[i]
        if let t = e.transport { return [.transport(t, .before), .transport(t, .after)] }
        var list: [Treatment] = [.plain]
        if let status = e.status, status >= 400 {
            // The dialect's codes whose rendering is this answer.
            let scratch = World(setup)
            for code in dialect.faultCodes {
                let rendered = scratch.transact { dialect.renderFault(code: code, request: request(i), in: &$0) }
                guard let r = rendered, r.status == status, Self.normalized(r.body) == Self.normalized(e.responseBody) else { continue }
                list += [.respond(code, .before), .respond(code, .after)]
            }
        }
        return list + [.verbatim(.after), .verbatim(.before)]
    }

    // MARK: nth

    /// Pins each rule to its exchange: `nth` counts the requests its selector matches that
    /// reach its kind of fault and are not taken by an earlier rule of that kind, exactly as
    /// `decideFaults` counts them.
    func assignNth(_ rules: inout [RuleDraft], chosen: [Treatment], dialectOf: [String?], credentials: [String?], servedSet: DialectSet, keys: [String]) {
        rules.sort { ($0.group.rawValue, $0.target) < ($1.group.rawValue, $1.target) }
        var targets: [RuleDraft.Group: Set<Int>] = [:]
        for r in rules { targets[r.group, default: []].insert(r.target) }
        func fired(_ g: RuleDraft.Group, _ j: Int) -> Bool { targets[g]?.contains(j) ?? false }
        func open(_ g: RuleDraft.Group, _ j: Int) -> Bool {
            switch g {
            case .transportBefore, .delay: true
            case .errorBefore, .transportAfter: !fired(.transportBefore, j)
            case .errorAfter: !fired(.transportBefore, j) && !fired(.errorBefore, j)
            }
        }
        for k in rules.indices {
            let r = rules[k]
            let e = exchanges[r.target]
            let dialect = servedSet.dialect(named: r.dialect)!
            rules[k].method = e.method.uppercased()
            var pattern = e.path
            // A credential in the path: the rule selects the path with a wildcard for it, and
            // the credential by `key:`. Otherwise a `*` in a recorded path is not a wildcard.
            let credentialPathPattern = RecordedDialects.traits(r.dialect)?.credentialPathPattern
            if let credentialPathPattern, let generalised = credentialPathPattern(pattern) {
                pattern = generalised
                if let key = credentials[r.target], keys.contains(key) { rules[k].key = key }
            }
            if RouteCheck.problem(pattern: pattern, dialect: dialect) == nil, RouteCheck.syntaxProblem(pattern, dialects: [dialect]) == nil,
                credentialPathPattern != nil || !pattern.contains("*")
            {
                rules[k].path = pattern
            }
            var count = 1
            for j in 0..<r.target where dialectOf[j] == r.dialect {
                let other = exchanges[j]
                guard other.method.uppercased() == rules[k].method else { continue }
                if let p = rules[k].path, !PathPattern.matches(pattern: p, path: other.path) { continue }
                if let key = rules[k].key, credentials[j] != key { continue }
                guard open(r.group, j), !fired(r.group, j) else { continue }
                count += 1
            }
            rules[k].nth = count
        }
        rules.sort { $0.target == $1.target ? $0.group.rawValue < $1.group.rawValue : $0.target < $1.target }
    }
}

/// A rule before it is written.
struct RuleDraft {
    enum Group: Int { case transportBefore, errorBefore, errorAfter, transportAfter, delay }
    enum Action { case respond(String), transport(String), verbatim(RecordedExchange), delay(Int64) }
    var target: Int
    var dialect: String
    var group: Group
    var action: Action
    var phase: FaultRule.Phase
    var comment: String
    var method = ""
    var path: String?
    var key: String?
    var nth = 1
}
