/// What the scripted faults do to one request, decided once.
public struct FaultDecision: Sendable, Equatable {
    /// A transport fault that hits before the world sees the request.
    public var transportBefore: TransportFault?
    /// The dialect error code that replaces the answer before the world acts.
    public var errorBefore: String?
    /// The dialect error code that replaces the answer after the world committed.
    public var errorAfter: String?
    /// A transport fault applied to the answer after the world acted.
    public var transportAfter: TransportFault?
    /// The latency added to the answer.
    public var delay: Duration?
    /// A verbatim answer that replaces the answer before the world acts (`respond_verbatim`).
    public var verbatimBefore: VerbatimAnswer?
    /// A verbatim answer that replaces the answer after the world committed.
    public var verbatimAfter: VerbatimAnswer?

    /// No fault.
    public init() {}
}

/// The request a fault decision is about: only what rules match on.
public struct FaultQuery: Sendable {
    /// The dialect serving the path, if any (rules for every dialect match regardless).
    public var dialect: DialectID?
    /// The HTTP method as sent.
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The credential presented.
    public var key: String?

    /// A query.
    public init(dialect: DialectID?, method: String, path: String, key: String?) {
        self.dialect = dialect
        self.method = method
        self.path = path
        self.key = key
    }
}

extension WorldState {
    /// Every fault decision for one request, in one pass over the scripted rules.
    ///
    /// The pass collects the rules that match the request; then each kind is settled in the
    /// order the request meets it, the first rule of a kind that fires winning: a transport
    /// fault before the world (the request never reaches it), a dialect error before the world,
    /// a dialect error after the world committed (not when one before already answered), a
    /// transport fault on the answer, and latency (whatever the phase; it delays the answer).
    /// A rule counts as matched only where its kind was still open, and its `nth`, `times` and
    /// `probability` (rolled on the seeded generator) are checked then.
    public mutating func decideFaults(for query: FaultQuery) -> FaultDecision {
        var transportBefore: [Int] = []
        var errorBefore: [Int] = []
        var errorAfter: [Int] = []
        var transportAfter: [Int] = []
        var delays: [Int] = []
        let at = now
        for i in faults.indices where faults[i].matches(query, at: at) {
            switch (faults[i].action, faults[i].phase) {
            case (.transport, .before): transportBefore.append(i)
            case (.transport, .after): transportAfter.append(i)
            case (.respond, .before), (.verbatim, .before): errorBefore.append(i)
            case (.respond, .after), (.verbatim, .after): errorAfter.append(i)
            case (.delay, _): delays.append(i)
            }
        }
        var decision = FaultDecision()
        if let i = fire(transportBefore), case .transport(let fault) = faults[i].action {
            decision.transportBefore = fault
        } else {
            if let i = fire(errorBefore) {
                if case .verbatim(let answer) = faults[i].action { decision.verbatimBefore = answer } else { decision.errorBefore = faults[i].code }
            } else if let i = fire(errorAfter) {
                if case .verbatim(let answer) = faults[i].action { decision.verbatimAfter = answer } else { decision.errorAfter = faults[i].code }
            }
            if let i = fire(transportAfter), case .transport(let fault) = faults[i].action {
                decision.transportAfter = fault
            }
        }
        if let i = fire(delays), case .delay(let distribution) = faults[i].action {
            decision.delay = distribution.sample(using: &random)
        }
        return decision
    }

    /// The first of `candidates` that fires, counting each one met.
    private mutating func fire(_ candidates: [Int]) -> Int? {
        for i in candidates {
            if let times = faults[i].times, faults[i].fired >= times { continue }
            faults[i].matched += 1
            if let nth = faults[i].nth, faults[i].matched != nth { continue }
            if let p = faults[i].probability, random.unit() >= p { continue }
            faults[i].fired += 1
            return i
        }
        return nil
    }
}
