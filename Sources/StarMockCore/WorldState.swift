/// What a held request learns about its order.
public enum OrderWaitResult: Sendable {
    /// The order reached a final state.
    case final(Order)
    /// The wait timed out on the world's clock; the order is still pending.
    case timedOut(Order)
    /// The server is shutting down or the client went away.
    case cancelled
}

/// Why an order could not be placed.
public enum OrderError: Error, Sendable, Equatable {
    /// Not enough available funds.
    case insufficientFunds(available: Money, needed: Money)
    /// The key's owner has no account.
    case noAccount
}

/// The result of looking a key up.
public enum KeyLookup: Sendable, Equatable {
    /// The key exists and is enabled.
    case valid(APIKey)
    /// The key exists but is disabled.
    case disabled(APIKey)
    /// No such key for this dialect.
    case unknown
}

/// The world's mutable state. Only reached through `World.transact`, under its lock.
public struct WorldState: Sendable {
    /// The setup it started from.
    public let setup: WorldSetup
    /// The ledger.
    public internal(set) var ledger = Ledger()
    /// Keys by secret.
    public internal(set) var keys: [String: APIKey] = [:]
    /// Users by lowercased username.
    public internal(set) var users: [String: TelegramUser] = [:]
    /// Lowercased usernames by Telegram id (ids are unique: scenarios refuse a repeated one).
    var usernamesByID: [Int64: String] = [:]
    /// Orders.
    public internal(set) var orders: [OrderRef: Order] = [:]
    /// Scripted HTTP faults, with their counters.
    public internal(set) var faults: [FaultRule]
    /// The journal of exchanges.
    public internal(set) var journal: Journal
    /// The seeded generator: every random choice comes from here.
    public var random: SeededRandom
    /// Lifecycles by order kind.
    public var lifecycles: [LifecycleKind: Lifecycle]
    /// Rate limits by dialect (a dialect without one uses its own default).
    public var rateLimits: [DialectID: RateLimitPolicy]
    /// Rate-limit overrides by key.
    public var keyRateLimits: [String: RateLimit]
    /// The `?wait=true` timeout.
    public var waitTimeout: Duration

    var clock: ClockState
    var timers = TimerQueue()
    var rateLimiter = RateLimiter()
    var nextOrderID: [DialectID: Int] = [:]
    var ordersByOwner: [String: Int] = [:]
    var scriptsUsed: [LifecycleKind: Int] = [:]
    var waiters: [Int: Waiter] = [:]
    var waitersByOrder: [OrderRef: [Int]] = [:]
    var nextWaiterID = 1
    var refusesWaits = false
    var firingAt: WorldTime?
    var effects: [@Sendable () -> Void] = []
    var dialectStates = DialectStorage()
    var holds: [Int: Hold] = [:]
    var signalledTopics: [String] = []

    struct Waiter {
        let order: OrderRef
        let timerID: Int
        let callback: @Sendable (OrderWaitResult) -> Void
    }

    init(setup: WorldSetup, clock: ClockState) {
        self.setup = setup
        self.clock = clock
        self.faults = setup.faults
        self.journal = Journal(
            capacity: setup.journalCapacity, byteBudget: setup.journalByteBudget, bodyCap: setup.journalBodyCap)
        self.random = SeededRandom(seed: setup.seed)
        self.lifecycles = setup.lifecycles
        self.rateLimits = setup.rateLimits
        self.keyRateLimits = setup.keyRateLimits
        self.waitTimeout = setup.waitTimeout
        for (owner, account) in setup.accounts { ledger.open(owner: owner, account: account) }
        for key in setup.keys {
            keys[key.key] = key
            if ledger.account(key.owner) == nil { ledger.open(owner: key.owner, account: Account(available: .zero)) }
        }
        for user in setup.users { putUser(user) }
        nextOrderID = setup.firstOrderID
    }

    // MARK: Time

    /// Now, on the world's clock.
    public var now: WorldTime { firingAt ?? clock.now() }

    /// The clock's mode.
    public var clockMode: ClockMode { clock.mode }

    /// Moves the clock forward, firing every timer that comes due, each at its own instant.
    public mutating func advanceClock(by duration: Duration) {
        let target = now.adding(duration)
        fireTimers(upTo: target)
        clock.skip(by: duration)
    }

    /// Fires the timers due by now (real and scaled clocks catch up lazily).
    mutating func fireDueTimers() {
        fireTimers(upTo: clock.now())
    }

    private mutating func fireTimers(upTo limit: WorldTime) {
        while let timer = timers.popDue(by: limit) {
            firingAt = timer.due
            switch timer.action {
            case .finishOrder(let ref): finishPlanned(ref)
            case .waitTimeout(let waiterID): timeOutWaiter(waiterID)
            case .custom(let action): action(&self)
            case .holdTimeout(let holdID): timeOutHold(holdID)
            }
            drainSignals()
            firingAt = nil
        }
    }

    /// Runs `action` on the world when the clock reaches `at`. Returns a timer id.
    @discardableResult
    public mutating func schedule(at due: WorldTime, _ action: @escaping @Sendable (inout WorldState) -> Void) -> Int {
        timers.add(due: due, action: .custom(action))
    }

    /// Runs `effect` once the world's lock is released (for callbacks into I/O code).
    public mutating func afterCommit(_ effect: @escaping @Sendable () -> Void) {
        effects.append(effect)
    }

    /// The next timer's due time.
    var nextDue: WorldTime? { timers.nextDue }

    /// Whether anything is scheduled on the world's clock.
    public var hasTimers: Bool { timers.count > 0 }

    // MARK: Keys, users, limits, faults

    /// Looks up a key presented to `dialect`.
    public func lookUpKey(_ key: String, dialect: DialectID) -> KeyLookup {
        guard let k = keys[key], k.dialect == dialect else { return .unknown }
        return k.enabled ? .valid(k) : .disabled(k)
    }

    /// The keys of one dialect, sorted by key.
    public func keys(of dialect: DialectID) -> [APIKey] {
        keys.values.filter { $0.dialect == dialect }.sorted { $0.key < $1.key }
    }

    /// Enables or disables a key; false when there is no such key.
    public mutating func setKey(_ key: String, enabled: Bool) -> Bool {
        guard keys[key] != nil else { return false }
        keys[key]!.enabled = enabled
        return true
    }

    /// Finds a user by username, with or without `@`, case-insensitively.
    public func user(named name: String) -> TelegramUser? {
        users[Self.normalizedUsername(name).lowercased()]
    }

    /// The user with this Telegram id.
    public func user(id: Int64) -> TelegramUser? { usernamesByID[id].flatMap { users[$0] } }

    /// Adds or replaces a user (by username; a user already holding its id loses it).
    public mutating func putUser(_ user: TelegramUser) {
        let name = user.username.lowercased()
        if let old = users[name] { usernamesByID[old.id] = nil }
        users[name] = user
        usernamesByID[user.id] = name
    }

    /// `@some_user` → `some_user`.
    public static func normalizedUsername(_ name: String) -> String {
        name.hasPrefix("@") ? String(name.dropFirst()) : name
    }

    /// The limit a key's requests count against: its own, else its dialect's as set by the
    /// scenario or the control API, else the dialect's default.
    public func rateLimit(key: String, dialect: DialectID, default fallback: RateLimit?) -> RateLimit? {
        if let own = keyRateLimits[key] { return own }
        switch rateLimits[dialect] {
        case .limited(let limit)?: return limit
        case .unlimited?: return nil
        case nil: return fallback
        }
    }

    /// Counts one request by `key` against its limit (see `rateLimit(key:dialect:default:)`).
    public mutating func admit(key: String, dialect: DialectID, default fallback: RateLimit?) -> RateLimiter.Decision {
        guard let limit = rateLimit(key: key, dialect: dialect, default: fallback) else { return .allowed }
        return rateLimiter.admit(key: key, at: now, limit: limit)
    }

    /// Adds a scripted fault at run time.
    public mutating func addFault(_ rule: FaultRule) { faults.append(rule) }

    /// Removes every scripted fault.
    public mutating func clearFaults() { faults.removeAll() }

    // MARK: Money

    /// The account of `owner`.
    public func account(_ owner: String) -> Account? { ledger.account(owner) }

    /// Orders placed by `owner`, including those before the world started.
    public func totalOrders(owner: String) -> Int {
        setup.priorOrders[owner, default: 0] + ordersByOwner[owner, default: 0]
    }

    /// Sets an owner's available funds (control API).
    public mutating func setBalance(_ amount: Money, owner: String) throws(LedgerError) {
        if ledger.account(owner) == nil { ledger.open(owner: owner, account: Account(available: .zero)) }
        try ledger.setAvailable(amount, for: owner)
    }

    // MARK: Orders

    /// Places an order: takes the money (`charge` now or `reserve`), gives it the next id of
    /// its dialect and plans its life from the lifecycle of its kind.
    public mutating func placeOrder(
        dialect: DialectID, key: APIKey, kind: OrderKind, username: String, cost: Money, reserve: Bool
    ) throws(OrderError) -> Order {
        let funding: Funding
        do {
            if cost == .zero {
                funding = .none
            } else if reserve {
                funding = .reserved(reservationID: try ledger.reserve(cost, from: key.owner).id)
            } else {
                try ledger.debit(cost, from: key.owner)
                funding = .charged
            }
        } catch {
            switch error {
            case .insufficientFunds(let available, let needed):
                throw .insufficientFunds(available: available, needed: needed)
            default: throw .noAccount
            }
        }
        let id = nextOrderID[dialect, default: 1]
        nextOrderID[dialect] = id + 1
        // A script is consumed by the lifecycle it belongs to: the shared `default` one is shared.
        let lifecycleName = lifecycles[kind.lifecycleKind] != nil ? kind.lifecycleKind : .every
        let lifecycle = lifecycles[lifecycleName] ?? .standard
        let used = scriptsUsed[lifecycleName, default: 0]
        let outcome: OrderOutcome
        if used < lifecycle.script.count {
            outcome = lifecycle.script[used]
            scriptsUsed[lifecycleName] = used + 1
        } else {
            outcome = lifecycle.sampleOutcome(using: &random)
        }
        let created = now
        let order = Order(
            ref: OrderRef(dialect: dialect, id: id), key: key.key, owner: key.owner, kind: kind,
            username: Self.normalizedUsername(username), cost: cost, funding: funding, createdAt: created,
            state: .pending, updatedAt: created, providerOrderID: nil, errorMessage: nil, polls: 0,
            plannedOutcome: outcome, finishOnPoll: lifecycle.completeAfterPolls)
        orders[order.ref] = order
        ordersByOwner[key.owner, default: 0] += 1
        if outcome != .stuck, let pending = lifecycle.pending {
            timers.add(due: created.adding(pending.sample(using: &random)), action: .finishOrder(order.ref))
        }
        return order
    }

    /// The order, if it exists.
    public func order(_ ref: OrderRef) -> Order? { orders[ref] }

    /// Reads an order's status as a client does: counts the poll and, if the lifecycle ends
    /// orders on the N-th read, ends it now.
    public mutating func pollOrder(_ ref: OrderRef) -> Order? {
        guard var order = orders[ref] else { return nil }
        order.polls += 1
        orders[ref] = order
        if order.state == .pending, let n = order.finishOnPoll, order.polls >= n {
            finish(ref, outcome: order.plannedOutcome == .stuck ? .completed : order.plannedOutcome)
        }
        return orders[ref]
    }

    /// Ends a pending order now (control API, scenarios): completes it or fails it, moving
    /// the money accordingly. Returns false if it is not pending.
    @discardableResult
    public mutating func finish(_ ref: OrderRef, outcome: OrderOutcome) -> Bool {
        guard var order = orders[ref], order.state == .pending, outcome != .stuck else { return false }
        do {
            switch (outcome, order.funding) {
            case (.completed, .reserved(let id)): try ledger.settle(id)
            case (.failed, .reserved(let id)): try ledger.release(id)
            case (.failed, .charged): try ledger.refund(order.cost, to: order.owner)
            default: break
            }
        } catch {
            preconditionFailure("ledger refused to end \(ref): \(error)")
        }
        order.updatedAt = now
        switch outcome {
        case .completed:
            order.state = .completed
            order.providerOrderID = randomHex(6)
        case .failed(let message):
            order.state = .failed
            order.errorMessage = message
        case .stuck: break
        }
        orders[ref] = order
        let final = order
        for waiterID in waitersByOrder.removeValue(forKey: ref) ?? [] {
            guard let waiter = waiters.removeValue(forKey: waiterID) else { continue }
            timers.cancel(waiter.timerID)
            effects.append { waiter.callback(.final(final)) }
        }
        return true
    }

    private mutating func finishPlanned(_ ref: OrderRef) {
        guard let order = orders[ref] else { return }
        finish(ref, outcome: order.plannedOutcome)
    }

    /// Lowercase hex digits from the seeded generator.
    public mutating func randomHex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(random.next() % 16)] })
    }

    // MARK: Waiting

    /// Calls `callback` once, when the order ends or `timeout` passes on the world's clock.
    /// Returns a waiter id for `cancelWait`, or nil if the callback was already scheduled.
    @discardableResult
    public mutating func waitForFinal(
        _ ref: OrderRef, timeout: Duration, callback: @escaping @Sendable (OrderWaitResult) -> Void
    ) -> Int? {
        guard let order = orders[ref] else {
            effects.append { callback(.cancelled) }
            return nil
        }
        if order.state.isFinal {
            effects.append { callback(.final(order)) }
            return nil
        }
        if refusesWaits {
            effects.append { callback(.cancelled) }
            return nil
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timer = timers.add(due: now.adding(timeout), action: .waitTimeout(id))
        waiters[id] = Waiter(order: ref, timerID: timer, callback: callback)
        waitersByOrder[ref, default: []].append(id)
        return id
    }

    /// Ends a wait early (client gone): its callback gets `.cancelled`.
    public mutating func cancelWait(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        timers.cancel(waiter.timerID)
        waitersByOrder[waiter.order]?.removeAll { $0 == id }
        effects.append { waiter.callback(.cancelled) }
    }

    /// Ends every wait (shutdown, reset).
    public mutating func cancelAllWaits() {
        for id in Array(waiters.keys).sorted() { cancelWait(id) }
        cancelAllHolds()
    }

    /// Ends every wait and answers any later one at once as cancelled (shutdown).
    public mutating func stopWaiting() {
        refusesWaits = true
        cancelAllWaits()
    }

    /// How many requests are held waiting.
    public var waitingCount: Int { waiters.count }

    private mutating func timeOutWaiter(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waitersByOrder[waiter.order]?.removeAll { $0 == id }
        guard let order = orders[waiter.order] else { return }
        effects.append { waiter.callback(.timedOut(order)) }
    }

    // MARK: Journal

    /// Records one exchange.
    public mutating func record(_ make: (Int) -> JournalEntry) { journal.record(make) }

    // MARK: Invariants

    /// Whether the ledger holds its invariants and every order's money is where it should be.
    public var isConsistent: Bool {
        guard ledger.isConsistent else { return false }
        let openReservations = Set(ledger.reservations.keys)
        for order in orders.values {
            if case .reserved(let id) = order.funding, openReservations.contains(id) != (order.state == .pending) {
                return false
            }
        }
        return true
    }
}
