/// The money of one owner: every key of that owner draws from it.
///
/// Invariant after every operation: `available + locked + spent == deposits`, and none of
/// the four is negative.
public struct Account: Sendable, Equatable {
    /// Funds that can be spent or reserved now.
    public internal(set) var available: Money
    /// Funds reserved by orders that have not ended (TG Market's `locked_usd`).
    public internal(set) var locked: Money
    /// Funds charged for orders (sh4de's `total_spent_usd`), net of refunds.
    public internal(set) var spent: Money
    /// Everything ever paid in.
    public internal(set) var deposits: Money

    /// An account holding `available`, having spent `spent` before the world started.
    public init(available: Money, spent: Money = .zero) {
        self.available = available
        self.locked = .zero
        self.spent = spent
        self.deposits = available + spent
    }

    /// `available + locked`: what TG Market calls `balance_usd`.
    public var total: Money { available + locked }

    /// Whether the ledger invariant holds.
    public var isConsistent: Bool {
        available + locked + spent == deposits && available >= .zero && locked >= .zero && spent >= .zero
    }
}

/// Why the ledger refused an operation.
public enum LedgerError: Error, Sendable, Equatable {
    /// The account does not have `needed` available; it has `available`.
    case insufficientFunds(available: Money, needed: Money)
    /// No account with this owner id.
    case unknownAccount(String)
    /// No open reservation with this id.
    case unknownReservation(Int)
    /// The amount is zero or negative where a positive one is required.
    case invalidAmount(Money)
}

/// Funds moved from available to locked for one order.
public struct Reservation: Sendable, Equatable, Hashable {
    /// The reservation's id, unique in its ledger.
    public let id: Int
    /// The owner whose funds are locked.
    public let owner: String
    /// How much is locked.
    public let amount: Money
}

/// The exact-money ledger: owners' accounts with debit, reservation, settle, release and
/// refund. A value type owned by the world; every mutation checks the invariant.
public struct Ledger: Sendable, Equatable {
    /// Accounts by owner id.
    public private(set) var accounts: [String: Account] = [:]
    /// Open reservations by id.
    public private(set) var reservations: [Int: Reservation] = [:]
    private var nextReservationID = 1

    /// An empty ledger.
    public init() {}

    /// Opens (or replaces) an owner's account.
    public mutating func open(owner: String, account: Account) {
        accounts[owner] = account
    }

    /// The account of `owner`.
    public func account(_ owner: String) -> Account? { accounts[owner] }

    /// Pays funds in.
    public mutating func deposit(_ amount: Money, to owner: String) throws(LedgerError) {
        guard amount > .zero else { throw .invalidAmount(amount) }
        try update(owner) { $0.available += amount; $0.deposits += amount }
    }

    /// Charges at once (sh4de): available → spent.
    public mutating func debit(_ amount: Money, from owner: String) throws(LedgerError) {
        guard amount > .zero else { throw .invalidAmount(amount) }
        try update(owner) { (a: inout Account) throws(LedgerError) in
            guard a.available >= amount else { throw .insufficientFunds(available: a.available, needed: amount) }
            a.available -= amount
            a.spent += amount
        }
    }

    /// Gives back a charge (a failed sh4de order): spent → available.
    public mutating func refund(_ amount: Money, to owner: String) throws(LedgerError) {
        guard amount > .zero else { throw .invalidAmount(amount) }
        try update(owner) { (a: inout Account) throws(LedgerError) in
            guard a.spent >= amount else { throw .invalidAmount(amount) }
            a.spent -= amount
            a.available += amount
        }
    }

    /// Locks funds for an order (TG Market): available → locked.
    public mutating func reserve(_ amount: Money, from owner: String) throws(LedgerError) -> Reservation {
        guard amount > .zero else { throw .invalidAmount(amount) }
        try update(owner) { (a: inout Account) throws(LedgerError) in
            guard a.available >= amount else { throw .insufficientFunds(available: a.available, needed: amount) }
            a.available -= amount
            a.locked += amount
        }
        let reservation = Reservation(id: nextReservationID, owner: owner, amount: amount)
        nextReservationID += 1
        reservations[reservation.id] = reservation
        return reservation
    }

    /// Spends a reservation (order completed): locked → spent.
    public mutating func settle(_ reservationID: Int) throws(LedgerError) {
        guard let r = reservations[reservationID] else { throw .unknownReservation(reservationID) }
        try update(r.owner) { $0.locked -= r.amount; $0.spent += r.amount }
        reservations[reservationID] = nil
    }

    /// Gives a reservation back (order failed): locked → available.
    public mutating func release(_ reservationID: Int) throws(LedgerError) {
        guard let r = reservations[reservationID] else { throw .unknownReservation(reservationID) }
        try update(r.owner) { $0.locked -= r.amount; $0.available += r.amount }
        reservations[reservationID] = nil
    }

    /// Sets an owner's available funds directly (control API, scenarios), as a deposit or a
    /// withdrawal so the invariant still holds.
    public mutating func setAvailable(_ amount: Money, for owner: String) throws(LedgerError) {
        guard amount >= .zero else { throw .invalidAmount(amount) }
        try update(owner) { a in
            a.deposits += amount - a.available
            a.available = amount
        }
    }

    /// Whether every account holds the invariant and the open reservations add up to each
    /// account's locked funds.
    public var isConsistent: Bool {
        var lockedByOwner: [String: Money] = [:]
        for r in reservations.values { lockedByOwner[r.owner, default: .zero] += r.amount }
        return accounts.allSatisfy { owner, a in a.isConsistent && a.locked == lockedByOwner[owner, default: .zero] }
    }

    private mutating func update(
        _ owner: String, _ change: (inout Account) throws(LedgerError) -> Void
    ) throws(LedgerError) {
        guard var account = accounts[owner] else { throw .unknownAccount(owner) }
        try change(&account)
        precondition(account.isConsistent, "ledger invariant broken for \(owner): \(account)")
        accounts[owner] = account
    }
}
