public import StarMockCore

/// An order as the rules see it: where it was at a moment of the run.
public struct ObservedOrder: Sendable, Equatable {
    /// The order.
    public var ref: OrderRef
    /// Its state at that moment.
    public var state: OrderState
    /// Whether it was planned never to end by itself (an order stuck pending).
    public var stuck: Bool
    /// When it was placed (world clock).
    public var createdAt: WorldTime
    /// When its state last changed (world clock): for a final order, when it ended.
    public var updatedAt: WorldTime

    /// An observed order.
    public init(ref: OrderRef, state: OrderState, stuck: Bool = false, createdAt: WorldTime, updatedAt: WorldTime) {
        self.ref = ref
        self.state = state
        self.stuck = stuck
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The world's order as observed now.
    public init(_ order: Order) {
        self.init(
            ref: order.ref, state: order.state, stuck: order.plannedOutcome == .stuck, createdAt: order.createdAt,
            updatedAt: order.updatedAt)
    }
}

/// What one step left behind.
public struct StepEvidence: Sendable {
    /// The step.
    public var step: ContractStep
    /// The client's JSON object, when it printed one.
    public var result: JSON?
    /// The exchanges recorded while it ran.
    public var entries: [JournalEntry]
    /// The orders it created, as they were when the client exited.
    public var createdOrders: [ObservedOrder]

    /// Evidence.
    public init(step: ContractStep, result: JSON?, entries: [JournalEntry], createdOrders: [ObservedOrder]) {
        self.step = step
        self.result = result
        self.entries = entries
        self.createdOrders = createdOrders
    }
}

/// Everything a run leaves for the rules and expectations to judge.
public struct RunEvidence: Sendable {
    /// Per step.
    public var steps: [StepEvidence]
    /// The whole journal.
    public var journal: [JournalEntry]
    /// Every order at the end.
    public var orders: [ObservedOrder]
    /// Accounts at the end, by owner.
    public var accounts: [String: Account]
    /// World milliseconds per client (real) millisecond: the clock's scale, 1 for a real clock.
    /// Intervals the client controls (poll spacing, waiting after a 429) are judged in the
    /// client's own time: world time divided by this.
    public var timeScale: Double

    /// Evidence.
    public init(
        steps: [StepEvidence], journal: [JournalEntry], orders: [ObservedOrder] = [], accounts: [String: Account] = [:],
        timeScale: Double = 1
    ) {
        self.steps = steps
        self.journal = journal
        self.orders = orders
        self.accounts = accounts
        self.timeScale = timeScale
    }

    /// Client milliseconds from `a` to `b` (world instants).
    func clientMilliseconds(from a: WorldTime, to b: WorldTime) -> Double {
        Double(b.milliseconds - a.milliseconds) / timeScale
    }
}

/// One broken expectation or rule, with the journal lines that broke it.
public struct ContractFailure: Sendable, Equatable {
    /// What kind of check failed.
    public enum Kind: String, Sendable {
        /// The client run itself: timeout, crash, exit code, output, result.
        case step
        /// A named rule.
        case rule
        /// `expect.journal` or `expect.journal_order`.
        case journal
        /// `expect.world`.
        case world
        /// The runner could not run the scenario (server start, spawn).
        case run
    }

    /// The kind.
    public var kind: Kind
    /// The rule or expectation: `no-duplicate-order`, `journal`, `world`, `step 1 (buy-stars)`.
    public var name: String
    /// What went wrong.
    public var message: String
    /// The step it concerns, when one.
    public var step: Int?
    /// The journal lines that broke it.
    public var entries: [JournalEntry]
    /// More text (the client's stderr tail).
    public var detail: String?

    /// A failure.
    public init(
        kind: Kind, name: String, message: String, step: Int? = nil, entries: [JournalEntry] = [], detail: String? = nil
    ) {
        self.kind = kind
        self.name = name
        self.message = message
        self.step = step
        self.entries = entries
        self.detail = detail
    }

    /// `rule no-duplicate-order: step 1 (buy-stars) created 2 orders (47, 48)`.
    public var headline: String {
        switch kind {
        case .rule: "rule \(name): \(message)"
        case .step, .run: "\(name): \(message)"
        case .journal, .world: "expect.\(name): \(message)"
        }
    }
}
