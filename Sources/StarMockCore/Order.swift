/// What an order buys.
public enum OrderKind: Sendable, Equatable, Hashable {
    /// Telegram Stars, `quantity` of them.
    case stars(quantity: Int)
    /// Telegram Premium for `months` (3, 6 or 12).
    case premium(months: Int)

    /// `stars` or `premium`: the name used in bodies, scenarios and lifecycles.
    public var name: String { lifecycleKind.rawValue }

    /// The lifecycle this kind of order follows.
    public var lifecycleKind: LifecycleKind {
        switch self {
        case .stars: .stars
        case .premium: .premium
        }
    }
}

/// Which orders a lifecycle governs: one kind, or every kind without a lifecycle of its own
/// (`default` in scenarios).
public enum LifecycleKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Star orders.
    case stars
    /// Premium orders.
    case premium
    /// Every kind without its own lifecycle.
    case every = "default"

    public var description: String { rawValue }
}

/// Where an order is in its life.
public enum OrderState: String, Sendable, Equatable, Codable {
    /// Placed, not yet delivered or failed.
    case pending
    /// Delivered.
    case completed
    /// Not delivered; the money came back.
    case failed

    /// Whether the order has ended.
    public var isFinal: Bool { self != .pending }
}

/// How an order's money was taken, which decides what completion and failure do with it.
public enum Funding: Sendable, Equatable {
    /// Charged at once (sh4de). Completion keeps it; failure refunds it.
    case charged
    /// Reserved (TG Market). Completion settles it; failure releases it.
    case reserved(reservationID: Int)
    /// No money moved (generic flows that bill elsewhere).
    case none
}

/// How an order is going to end.
public enum OrderOutcome: Sendable, Equatable, Hashable {
    /// It is delivered.
    case completed
    /// It fails with this message; the money comes back.
    case failed(message: String)
    /// It never ends by itself (an order stuck pending).
    case stuck
}

/// Identifies an order: ids are per dialect, as each upstream numbers its own.
public struct OrderRef: Sendable, Hashable, CustomStringConvertible {
    /// The dialect that took the order.
    public var dialect: DialectID
    /// The id that dialect shows.
    public var id: Int
    /// Creates a reference.
    public init(dialect: DialectID, id: Int) {
        self.dialect = dialect
        self.id = id
    }
    public var description: String { "\(dialect)#\(id)" }
}

/// One order in the world.
public struct Order: Sendable, Equatable {
    /// Which dialect and id.
    public let ref: OrderRef
    /// The API key that placed it.
    public let key: String
    /// The owner whose account paid.
    public let owner: String
    /// What it buys.
    public let kind: OrderKind
    /// The recipient, without `@`.
    public let username: String
    /// What it cost.
    public let cost: Money
    /// How the money was taken.
    public let funding: Funding
    /// When it was placed.
    public let createdAt: WorldTime
    /// Where it is now.
    public internal(set) var state: OrderState
    /// When its state last changed.
    public internal(set) var updatedAt: WorldTime
    /// The upstream's own id once delivered (TG Market's `provider_order_id`).
    public internal(set) var providerOrderID: String?
    /// Why it failed.
    public internal(set) var errorMessage: String?
    /// How many times its status was read.
    public internal(set) var polls: Int
    /// How it will end (decided at creation from the lifecycle).
    public internal(set) var plannedOutcome: OrderOutcome
    /// Ends on this status read, if the lifecycle says so.
    public internal(set) var finishOnPoll: Int?
}

/// How orders of one kind live: how long they stay pending and how they end.
public struct Lifecycle: Sendable, Equatable {
    /// Time from placement to the end; `nil`: orders end only by polls or never.
    public var pending: DelayDistribution?
    /// The outcome when no scripted outcome is left: one, or weighted choices.
    public var outcomes: [(outcome: OrderOutcome, weight: Int)]
    /// Outcomes used in order for the first orders ("the first fails, the next completes").
    public var script: [OrderOutcome]
    /// End the order on its N-th status read (sh4de refreshes from upstream on read).
    public var completeAfterPolls: Int?

    /// A lifecycle.
    public init(
        pending: DelayDistribution? = .fixed(.seconds(65)),
        outcomes: [(outcome: OrderOutcome, weight: Int)] = [(.completed, 1)],
        script: [OrderOutcome] = [],
        completeAfterPolls: Int? = nil
    ) {
        self.pending = pending
        self.outcomes = outcomes
        self.script = script
        self.completeAfterPolls = completeAfterPolls
    }

    /// The default: complete 65 s after creation, as the documented 03:00:00 → 03:01:05.
    public static let standard = Lifecycle()

    public static func == (lhs: Lifecycle, rhs: Lifecycle) -> Bool {
        lhs.pending == rhs.pending && lhs.script == rhs.script && lhs.completeAfterPolls == rhs.completeAfterPolls
            && lhs.outcomes.map(\.outcome) == rhs.outcomes.map(\.outcome)
            && lhs.outcomes.map(\.weight) == rhs.outcomes.map(\.weight)
    }

    func sampleOutcome(using random: inout SeededRandom) -> OrderOutcome {
        let total = outcomes.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return outcomes.first?.outcome ?? .completed }
        var pick = Int(random.next() % UInt64(total))
        for (outcome, weight) in outcomes where weight > 0 {
            if pick < weight { return outcome }
            pick -= weight
        }
        return outcomes[outcomes.count - 1].outcome
    }
}
