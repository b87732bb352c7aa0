public import StarMockCore
import StarMockDialects

/// The `contract:` section of a scenario, read: what the client under test is asked to do
/// (the steps) and what must hold afterwards (rules, journal, world). See `docs/contract.md`.
public struct Contract: Sendable {
    /// Overrides the scenario's clock for contract runs (a run needs a moving clock).
    public var clock: ClockMode?
    /// Per client run; nil: the runner's `--timeout`.
    public var timeout: Duration?
    /// The client runs, in order.
    public var steps: [ContractStep]
    /// Client-behaviour rules checked against the journal and the world.
    public var rules: [ContractRule]
    /// Request matchers over the whole journal.
    public var journal: [JournalMatcher]
    /// Requests that must appear in this relative order.
    public var journalOrder: [RequestPattern]
    /// The final world.
    public var world: WorldExpectation?
    /// The one documented mechanism this scenario exercises (`contract.mechanism`); nil: any.
    public var mechanism: Mechanism?

    /// A contract.
    public init(
        clock: ClockMode? = nil, timeout: Duration? = nil, steps: [ContractStep], rules: [ContractRule] = [],
        journal: [JournalMatcher] = [], journalOrder: [RequestPattern] = [], world: WorldExpectation? = nil,
        mechanism: Mechanism? = nil
    ) {
        self.mechanism = mechanism
        self.clock = clock
        self.timeout = timeout
        self.steps = steps
        self.rules = rules
        self.journal = journal
        self.journalOrder = journalOrder
        self.world = world
    }
}

/// A documented way of carrying a purchase to its end, when the upstream documents more than
/// one. A scenario that exercises one of them declares it (`contract.mechanism`); the runner
/// passes it to the client as `STARMOCK_HINT_MECHANISM` and reports the scenario as not
/// applicable when the journal shows the client used the other one.
public enum Mechanism: String, Sendable, CaseIterable {
    /// TG Market's `POST /api/v2/stars?wait=true`: the answer is held until the order ends
    /// (or 408 `timeout`).
    case wait
    /// The order is placed without `?wait=true` and carried to its end by status reads.
    case poll

    /// The dialects that document both mechanisms (`Dialect.documentsWaiting`).
    public static var dialects: [String] { Dialects.all.filter(\.documentsWaiting).map(\.id.name) }

    /// What a purchase POST shows: a request its dialect holds until the order ends (TG
    /// Market's `?wait=true`, read as the dialect reads it) is `wait`, anything else `poll`.
    public static func used(by entry: JournalEntry) -> Mechanism {
        let request = DialectRequest(method: HTTPMethod(entry.method), target: entry.target)
        return entry.dialect.flatMap { Dialects.named($0.name) }?.asksToWait(request) == true ? .wait : .poll
    }

    /// How it reads in a reason.
    public var phrase: String {
        switch self {
        case .wait: "placed its order with ?wait=true"
        case .poll: "placed its order without ?wait=true and read its status"
        }
    }
}

/// What a step is, decided once from how it is written: the purchase rules look at purchases.
public enum StepKind: String, Sendable, Equatable {
    /// An action that buys something (`buy-stars`, `buy-premium`, any `buy-…`): it may create
    /// an order, and the purchase rules (`no-duplicate-order`, `polls-until-final`) judge it.
    case purchase
    /// Any other client action (`balance`, `order-status`, `create-invoice`, …).
    case query
    /// A control-API call made by the runner (`admin:`), no client run.
    case admin

    /// The kind of a client action.
    public init(action: String) {
        self = action.hasPrefix("buy-") ? .purchase : .query
    }
}

/// One client run.
public struct ContractStep: Sendable {
    /// From 1 (`STARMOCK_STEP`).
    public var number: Int
    /// `balance`, `buy-stars`, … (`STARMOCK_ACTION`).
    public var action: String {
        didSet { kind = admin == nil ? StepKind(action: action) : .admin }
    }
    /// A JSON object (`STARMOCK_ARGS`).
    public var args: JSON
    /// The dialect (`STARMOCK_DIALECT`).
    public var dialect: String
    /// The key or bot token; nil when the dialect has none in the scenario.
    public var key: String?
    /// The exit code expected (default 0).
    public var exitCode: Int
    /// A subset of the client's JSON result, when given.
    public var result: ResultMatcher?
    /// Not a client run: a control-API call the runner makes itself (the world acting, e.g. a
    /// Telegram user paying an invoice, or the clock moving).
    public var admin: AdminCall? {
        didSet { kind = admin == nil ? StepKind(action: action) : .admin }
    }
    /// Purchase, query or admin: decided from the action (and `admin`) in `StepKind`.
    public private(set) var kind: StepKind
    /// Faults armed for this step only: added when it starts (their `nth` counts from there),
    /// removed when it ends, tried before the scenario's own.
    public var faults: [FaultRule] = []

    /// A control-API call: `{method: POST, path: /__admin/…, body: {…}}`.
    public struct AdminCall: Sendable {
        /// HTTP method.
        public var method: String
        /// A path under `/__admin/`.
        public var path: String
        /// The JSON body, if any.
        public var body: JSON?
    }

    /// A step.
    public init(
        number: Int, action: String, args: JSON = .object([]), dialect: String, key: String?, exitCode: Int = 0,
        result: ResultMatcher? = nil
    ) {
        self.number = number
        self.action = action
        self.args = args
        self.dialect = dialect
        self.key = key
        self.exitCode = exitCode
        self.result = result
        self.kind = StepKind(action: action)
    }

    /// Whether the step is a purchase (`kind == .purchase`).
    public var isPurchase: Bool { kind == .purchase }

    /// `step 1 (buy-stars)`.
    public var label: String { "step \(number) (\(action))" }
}

/// A named client-behaviour rule.
public enum ContractRule: Sendable, Equatable, CustomStringConvertible {
    /// No request was answered 429.
    case noRateLimitBreach
    /// After a 429 with `Retry-After: N`, the same key waited N seconds.
    case honoursRetryAfter
    /// One purchase step, at most one order.
    case noDuplicateOrder
    /// A purchase step ends with its order final (unless stuck), and says so truthfully.
    case pollsUntilFinal
    /// Status reads of one order at least this far apart.
    case minPollInterval(Duration)
    /// No status read of an order after it was shown final.
    case noRequestsAfterFinal
    /// At most N retries of one request in a step.
    case boundedRetries(Int)
    /// After a 429 without Retry-After, the same key waited at least this long.
    case backsOffAfter429(Duration)

    /// The rule names, as written in a scenario.
    public static let names = [
        "no-rate-limit-breach", "honours-retry-after", "no-duplicate-order", "polls-until-final",
        "min-poll-interval", "no-requests-after-final", "bounded-retries", "backs-off-after-429",
    ]

    /// The name as written in a scenario.
    public var name: String {
        switch self {
        case .noRateLimitBreach: "no-rate-limit-breach"
        case .honoursRetryAfter: "honours-retry-after"
        case .noDuplicateOrder: "no-duplicate-order"
        case .pollsUntilFinal: "polls-until-final"
        case .minPollInterval: "min-poll-interval"
        case .noRequestsAfterFinal: "no-requests-after-final"
        case .boundedRetries: "bounded-retries"
        case .backsOffAfter429: "backs-off-after-429"
        }
    }

    /// `min-poll-interval: 200ms`, `bounded-retries: 3`, or the name.
    public var description: String {
        switch self {
        case .minPollInterval(let d): "\(name): \(d.wholeMilliseconds)ms"
        case .boundedRetries(let n): "\(name): \(n)"
        case .backsOffAfter429(let d): "\(name): \(d.wholeMilliseconds)ms"
        default: name
        }
    }
}

/// A subset match of the client's JSON: every key given must be there with an equal value.
public indirect enum ResultMatcher: Sendable, Equatable {
    /// This exact value (numbers compare by value: `47` equals `47.0`).
    case equals(JSON)
    /// One of these values.
    case oneOf([JSON])
    /// An object holding at least these keys, each matching.
    case object([Field])

    /// One key of an object matcher.
    public struct Field: Sendable, Equatable {
        /// The key.
        public var name: String
        /// What its value must match.
        public var matcher: ResultMatcher

        /// A field.
        public init(_ name: String, _ matcher: ResultMatcher) {
            self.name = name
            self.matcher = matcher
        }
    }
}

/// `POST /api/v1/order/stars`, optionally with a status: selects journal entries.
public struct RequestPattern: Sendable, Equatable, CustomStringConvertible {
    /// The method, uppercased; nil: any.
    public var method: String?
    /// A path pattern (`*` one segment, a final `**` the rest), matched without the query.
    public var path: String?
    /// The status answered; nil: any (including no answer).
    public var status: Int?

    /// A pattern.
    public init(method: String? = nil, path: String? = nil, status: Int? = nil) {
        self.method = method?.uppercased()
        self.path = path
        self.status = status
    }

    /// Whether `entry` is selected.
    public func matches(_ entry: JournalEntry) -> Bool {
        if let method, entry.method.uppercased() != method { return false }
        if let path, !PathPattern.matches(pattern: path, path: entry.path) { return false }
        if let status, entry.status != status { return false }
        return true
    }

    /// `POST /api/v1/order/stars → 200`.
    public var description: String {
        var parts: [String] = [method ?? "*", path ?? "**"]
        if let status { parts.append("→ \(status)") }
        return parts.joined(separator: " ")
    }
}

/// How many journal entries a pattern must select.
public struct JournalMatcher: Sendable, Equatable {
    /// The requests.
    public var pattern: RequestPattern
    /// Exactly this many.
    public var count: Int?
    /// At least.
    public var min: Int?
    /// At most.
    public var max: Int?

    /// A matcher.
    public init(pattern: RequestPattern, count: Int? = nil, min: Int? = nil, max: Int? = nil) {
        self.pattern = pattern
        self.count = count
        self.min = min
        self.max = max
    }
}

/// The world a run must end in.
public struct WorldExpectation: Sendable, Equatable {
    /// Money by owner.
    public var accounts: [AccountExpectation]
    /// Orders by dialect and id.
    public var orders: [OrderExpectation]
    /// How many orders the world holds.
    public var orderCount: Int?

    /// An expectation.
    public init(accounts: [AccountExpectation] = [], orders: [OrderExpectation] = [], orderCount: Int? = nil) {
        self.accounts = accounts
        self.orders = orders
        self.orderCount = orderCount
    }
}

/// One owner's money; fields left nil are not checked.
public struct AccountExpectation: Sendable, Equatable {
    /// The owner.
    public var owner: String
    /// Available funds.
    public var available: Money?
    /// Reserved funds.
    public var locked: Money?
    /// Spent funds.
    public var spent: Money?

    /// An expectation.
    public init(owner: String, available: Money? = nil, locked: Money? = nil, spent: Money? = nil) {
        self.owner = owner
        self.available = available
        self.locked = locked
        self.spent = spent
    }
}

/// One order's final state.
public struct OrderExpectation: Sendable, Equatable {
    /// The order.
    public var ref: OrderRef
    /// The states it may be in (one, or `{one_of: [pending, completed]}`).
    public var states: [OrderState]

    /// An order expected in one state.
    public init(ref: OrderRef, state: OrderState) {
        self.init(ref: ref, states: [state])
    }

    /// An order expected in one of several states.
    public init(ref: OrderRef, states: [OrderState]) {
        self.ref = ref
        self.states = states
    }
}

extension JournalEntry {
    /// The target without its query.
    public var path: String {
        if let q = target.firstIndex(of: "?") { return String(target[..<q]) }
        return target
    }

    /// `#3 GET /api/v1/order/47 → 429 (RATE_LIMIT_EXCEEDED)`, `#1 POST … → no answer (close after commit)`.
    public var line: String {
        let answer = status.map(String.init) ?? "no answer"
        let fault = fault.map { " (\($0))" } ?? ""
        return "#\(sequence) \(method) \(target) → \(answer)\(fault)"
    }
}
