public import StarMockCore

/// The papaya dialect's run-time state: invoices and subscriptions, kept in the world's
/// dialect state bag so it resets with the world.
public struct PapayaState: Sendable {
    /// Invoices by id.
    public internal(set) var invoices: [Int64: PapayaInvoice] = [:]
    /// Subscriptions by id.
    public internal(set) var subscriptions: [Int64: PapayaSubscription] = [:]
    var nextInvoiceID: Int64
    var nextSubscriptionID: Int64

    /// The state a world starts with.
    public init(setup: PapayaSetup) {
        for invoice in setup.invoices { invoices[invoice.id] = invoice }
        for subscription in setup.subscriptions { subscriptions[subscription.id] = subscription }
        nextInvoiceID = max(setup.firstInvoiceID, (setup.invoices.map(\.id).max() ?? 0) + 1)
        nextSubscriptionID = max(setup.firstSubscriptionID, (setup.subscriptions.map(\.id).max() ?? 0) + 1)
    }
}

/// Why a papaya change was refused (control API, scenarios).
public enum PapayaError: Error, Sendable, Equatable {
    /// No invoice with this id.
    case noSuchInvoice(Int64)
    /// The invoice was paid already.
    case alreadyPaid(Int64)
    /// No subscription with this id.
    case noSuchSubscription(Int64)
    /// The subscription is not active.
    case notActive(Int64)
}

extension PapayaState: DialectStateKey {
    public static func initial(_ setup: WorldSetup) -> PapayaState { PapayaState(setup: setup[PapayaSetup.self]) }
}

extension WorldState {
    /// The papaya state (as the world starts if nothing happened yet).
    package var papaya: PapayaState { state(PapayaState.self) }

    /// Keeps Papaya's state from here on, so that reads stop rebuilding it from the setup (a
    /// read-only `papaya` creates it afresh each time until something changed it).
    package mutating func keepPapayaState() { _ = self[PapayaState.self] }

    private mutating func updatePapaya<R>(_ change: (inout PapayaState) -> R) -> R {
        change(&self[PapayaState.self])
    }

    /// Creates an invoice for `owner`, now, with the next id and its bot link.
    public mutating func createPapayaInvoice(
        owner: String, title: String?, message: String?, rate: PapayaRate, period: PapayaPeriod, metadata: JSON?
    ) -> PapayaInvoice {
        let created = now
        let bot = setup[PapayaSetup.self].botUsername
        return updatePapaya { state in
            let id = state.nextInvoiceID
            state.nextInvoiceID += 1
            let invoice = PapayaInvoice(
                id: id, owner: owner, title: title, message: message, rate: rate, period: period, metadata: metadata,
                createdAt: created, botUrl: "https://t.me/\(bot)?start=invoice_\(id)")
            state.invoices[id] = invoice
            return invoice
        }
    }

    /// A simulated Telegram user pays an invoice: it becomes paid with its `recipient`, and an
    /// active subscription is created with a seeded transaction hash and (unless given) wallet
    /// address. It lapses one period later if the setup says so.
    @discardableResult
    public mutating func payPapayaInvoice(
        _ id: Int64, tgUserID: Int64, username: String?, userAddress: String? = nil
    ) throws(PapayaError) -> (invoice: PapayaInvoice, subscription: PapayaSubscription) {
        guard let invoice = papaya.invoices[id] else { throw .noSuchInvoice(id) }
        guard !invoice.isPaid else { throw .alreadyPaid(id) }
        let given = username.map(WorldState.normalizedUsername).flatMap { $0.isEmpty ? nil : $0 }
        let known = users.values.filter { $0.id == tgUserID }.map(\.username).sorted().first
        let recipient = given ?? known ?? String(tgUserID)
        let tx = "0x" + randomHex(64)
        let address = userAddress ?? "0x" + randomHex(40)
        let paid = now
        let papayaSetup = setup.papaya
        let expires = papayaSetup.lapseAfterPeriod ? invoice.period.end(from: paid) : nil
        return updatePapaya { state in
            let subscriptionID = state.nextSubscriptionID
            state.nextSubscriptionID += 1
            let subscription = PapayaSubscription(
                id: subscriptionID, owner: invoice.owner, invoiceID: invoice.id, period: invoice.period,
                chainID: papayaSetup.chainID, tokenName: papayaSetup.tokenName, tx: tx, tgUserID: tgUserID,
                userAddress: address, createdAt: paid, expiresAt: expires)
            state.subscriptions[subscriptionID] = subscription
            var updated = invoice
            updated.recipient = recipient
            updated.paidAt = paid
            updated.subscriptionID = subscriptionID
            state.invoices[id] = updated
            return (updated, subscription)
        }
    }

    /// Ends an active subscription now (`isActive` becomes false).
    @discardableResult
    public mutating func lapsePapayaSubscription(_ id: Int64) throws(PapayaError) -> PapayaSubscription {
        guard var subscription = papaya.subscriptions[id] else { throw .noSuchSubscription(id) }
        guard subscription.isActive(at: now) else { throw .notActive(id) }
        subscription.lapsedAt = now
        let updated = subscription
        updatePapaya { $0.subscriptions[id] = updated }
        return updated
    }

    /// The invoice if it exists and belongs to `owner`.
    public func papayaInvoice(_ id: Int64, owner: String) -> PapayaInvoice? {
        papaya.invoices[id].flatMap { $0.owner == owner ? $0 : nil }
    }

    /// The subscription if it exists and belongs to `owner`.
    public func papayaSubscription(_ id: Int64, owner: String) -> PapayaSubscription? {
        papaya.subscriptions[id].flatMap { $0.owner == owner ? $0 : nil }
    }

    /// The subscriptions of `owner`, by id.
    public func papayaSubscriptions(owner: String) -> [PapayaSubscription] {
        papaya.subscriptions.values.filter { $0.owner == owner }.sorted { $0.id < $1.id }
    }
}
