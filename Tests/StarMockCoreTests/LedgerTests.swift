import Synchronization
import Testing

@testable import StarMockCore

private func cents(_ c: Int64) -> Money { Money(cents: c) }

@Suite("Ledger")
struct LedgerTests {
    /// A ledger with owner "o" holding 10.00 available.
    func makeLedger(available: Int64 = 1000, spent: Int64 = 0) -> Ledger {
        var ledger = Ledger()
        ledger.open(owner: "o", account: Account(available: cents(available), spent: cents(spent)))
        return ledger
    }

    func expectAccount(
        _ ledger: Ledger, _ owner: String = "o", available: Int64, locked: Int64, spent: Int64, deposits: Int64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let a = ledger.account(owner) else {
            Issue.record("no account \(owner)", sourceLocation: sourceLocation)
            return
        }
        #expect(a.available == cents(available), sourceLocation: sourceLocation)
        #expect(a.locked == cents(locked), sourceLocation: sourceLocation)
        #expect(a.spent == cents(spent), sourceLocation: sourceLocation)
        #expect(a.deposits == cents(deposits), sourceLocation: sourceLocation)
    }

    @Test("a new account: deposits = available + prior spending")
    func newAccount() {
        let a = Account(available: cents(1000), spent: cents(250))
        #expect(a.deposits == cents(1250))
        #expect(a.locked == .zero)
        #expect(a.total == cents(1000))
        #expect(a.isConsistent)
        let ledger = makeLedger()
        #expect(ledger.isConsistent)
        #expect(ledger.account("nobody") == nil)
        #expect(Ledger().isConsistent)
    }

    @Test("Account.isConsistent catches a broken sum or a negative part")
    func accountInvariantDetector() {
        var a = Account(available: cents(100))
        a.available = cents(90)
        #expect(!a.isConsistent)
        var b = Account(available: cents(100))
        b.available = cents(-10)
        b.spent = cents(110)
        #expect(!b.isConsistent)
    }

    @Test("deposit")
    func deposit() throws {
        var ledger = makeLedger()
        try ledger.deposit(cents(250), to: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1250, locked: 0, spent: 0, deposits: 1250)
        #expect(throws: LedgerError.invalidAmount(.zero)) { try ledger.deposit(.zero, to: "o") }
        #expect(ledger.isConsistent)
        #expect(throws: LedgerError.invalidAmount(cents(-5))) { try ledger.deposit(cents(-5), to: "o") }
        #expect(ledger.isConsistent)
        #expect(throws: LedgerError.unknownAccount("x")) { try ledger.deposit(cents(5), to: "x") }
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1250, locked: 0, spent: 0, deposits: 1250)
    }

    @Test("debit moves available to spent; insufficient funds carry available and needed")
    func debit() throws {
        var ledger = makeLedger()
        for _ in 0..<7 {
            try ledger.debit(cents(130), from: "o")
            #expect(ledger.isConsistent)
        }
        expectAccount(ledger, available: 90, locked: 0, spent: 910, deposits: 1000)
        let before = ledger
        #expect(throws: LedgerError.insufficientFunds(available: cents(90), needed: cents(130))) {
            try ledger.debit(cents(130), from: "o")
        }
        #expect(ledger.isConsistent)
        #expect(ledger == before)
        try ledger.debit(cents(90), from: "o")  // exactly everything
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 0, locked: 0, spent: 1000, deposits: 1000)
        #expect(throws: LedgerError.insufficientFunds(available: .zero, needed: cents(1))) {
            try ledger.debit(cents(1), from: "o")
        }
        #expect(throws: LedgerError.invalidAmount(.zero)) { try ledger.debit(.zero, from: "o") }
        #expect(throws: LedgerError.unknownAccount("x")) { try ledger.debit(cents(1), from: "x") }
        #expect(ledger.isConsistent)
    }

    @Test("debit then refund restores the balance")
    func debitRefund() throws {
        var ledger = makeLedger(spent: 500)
        try ledger.debit(cents(130), from: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 870, locked: 0, spent: 630, deposits: 1500)
        try ledger.refund(cents(130), to: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1000, locked: 0, spent: 500, deposits: 1500)
        // A refund can never exceed what was spent.
        #expect(throws: LedgerError.invalidAmount(cents(501))) { try ledger.refund(cents(501), to: "o") }
        #expect(ledger.isConsistent)
        #expect(throws: LedgerError.invalidAmount(.zero)) { try ledger.refund(.zero, to: "o") }
        #expect(throws: LedgerError.unknownAccount("x")) { try ledger.refund(cents(1), to: "x") }
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1000, locked: 0, spent: 500, deposits: 1500)
    }

    @Test("reserve then settle: available → locked → spent")
    func reserveSettle() throws {
        var ledger = makeLedger()
        let r1 = try ledger.reserve(cents(130), from: "o")
        #expect(ledger.isConsistent)
        #expect(r1 == Reservation(id: 1, owner: "o", amount: cents(130)))
        expectAccount(ledger, available: 870, locked: 130, spent: 0, deposits: 1000)
        #expect(ledger.account("o")?.total == cents(1000))
        let r2 = try ledger.reserve(cents(200), from: "o")
        #expect(ledger.isConsistent)
        #expect(r2.id == 2)
        #expect(Set(ledger.reservations.keys) == [1, 2])
        expectAccount(ledger, available: 670, locked: 330, spent: 0, deposits: 1000)
        try ledger.settle(r1.id)
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 670, locked: 200, spent: 130, deposits: 1000)
        #expect(ledger.account("o")?.total == cents(870))
        #expect(Set(ledger.reservations.keys) == [2])
        #expect(throws: LedgerError.unknownReservation(1)) { try ledger.settle(r1.id) }
        #expect(throws: LedgerError.unknownReservation(1)) { try ledger.release(r1.id) }
        #expect(ledger.isConsistent)
        try ledger.settle(r2.id)
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 670, locked: 0, spent: 330, deposits: 1000)
        #expect(ledger.reservations.isEmpty)
    }

    @Test("reserve then release: available → locked → available")
    func reserveRelease() throws {
        var ledger = makeLedger()
        let r = try ledger.reserve(cents(999), from: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1, locked: 999, spent: 0, deposits: 1000)
        #expect(throws: LedgerError.insufficientFunds(available: cents(1), needed: cents(2))) {
            _ = try ledger.reserve(cents(2), from: "o")
        }
        #expect(ledger.isConsistent)
        try ledger.release(r.id)
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 1000, locked: 0, spent: 0, deposits: 1000)
        #expect(throws: LedgerError.unknownReservation(r.id)) { try ledger.release(r.id) }
        #expect(throws: LedgerError.unknownReservation(r.id)) { try ledger.settle(r.id) }
        #expect(throws: LedgerError.invalidAmount(.zero)) { _ = try ledger.reserve(.zero, from: "o") }
        #expect(throws: LedgerError.unknownAccount("x")) { _ = try ledger.reserve(cents(1), from: "x") }
        #expect(ledger.isConsistent)
        // Ids are never reused.
        #expect(try ledger.reserve(cents(1), from: "o").id == 2)
        #expect(ledger.isConsistent)
    }

    @Test("setAvailable deposits or withdraws so the invariant holds")
    func setAvailable() throws {
        var ledger = makeLedger()
        _ = try ledger.reserve(cents(100), from: "o")
        try ledger.debit(cents(200), from: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 700, locked: 100, spent: 200, deposits: 1000)
        try ledger.setAvailable(cents(5000), for: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 5000, locked: 100, spent: 200, deposits: 5300)
        try ledger.setAvailable(.zero, for: "o")
        #expect(ledger.isConsistent)
        expectAccount(ledger, available: 0, locked: 100, spent: 200, deposits: 300)
        #expect(throws: LedgerError.invalidAmount(cents(-1))) { try ledger.setAvailable(cents(-1), for: "o") }
        #expect(throws: LedgerError.unknownAccount("x")) { try ledger.setAvailable(cents(1), for: "x") }
        #expect(ledger.isConsistent)
    }

    @Test("accounts are independent")
    func independentAccounts() throws {
        var ledger = makeLedger()
        ledger.open(owner: "p", account: Account(available: cents(50)))
        let r = try ledger.reserve(cents(40), from: "p")
        #expect(ledger.isConsistent)
        #expect(throws: LedgerError.insufficientFunds(available: cents(10), needed: cents(20))) {
            try ledger.debit(cents(20), from: "p")
        }
        try ledger.debit(cents(20), from: "o")
        #expect(ledger.isConsistent)
        try ledger.settle(r.id)
        #expect(ledger.isConsistent)
        expectAccount(ledger, "o", available: 980, locked: 0, spent: 20, deposits: 1000)
        expectAccount(ledger, "p", available: 10, locked: 0, spent: 40, deposits: 50)
    }

    @Test("Ledger.isConsistent checks open reservations against locked funds")
    func ledgerInvariantDetector() throws {
        var ledger = makeLedger()
        _ = try ledger.reserve(cents(100), from: "o")
        #expect(ledger.isConsistent)
        // Replacing the account while a reservation is open leaves locked ≠ Σ reservations.
        ledger.open(owner: "o", account: Account(available: cents(1000)))
        #expect(!ledger.isConsistent)
    }

    // MARK: Property test

    /// A plain model of what the ledger should hold.
    struct Model {
        struct Acc: Equatable { var available: Int64, locked: Int64, spent: Int64, deposits: Int64 }
        var accounts: [String: Acc]
        var reservations: [Int: (owner: String, amount: Int64)] = [:]
        var nextID = 1
    }

    @Test("random operations keep the invariant and match a model", arguments: [UInt64(1), 2, 3, 42])
    func randomOperations(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var ledger = Ledger()
        var model = Model(accounts: [:])
        for (owner, start) in [("a", Int64(1000)), ("b", 0), ("c", 50_000)] {
            ledger.open(owner: owner, account: Account(available: cents(start), spent: cents(start / 2)))
            model.accounts[owner] = .init(available: start, locked: 0, spent: start / 2, deposits: start + start / 2)
        }
        let owners = ["a", "b", "c", "a", "b", "c", "ghost"]
        var outcomes: [String: Int] = [:]

        for step in 0..<3000 {
            let owner = owners[Int.random(in: 0..<owners.count, using: &rng)]
            let amount = Int64.random(in: -20...1500, using: &rng)
            let op = Int.random(in: 0..<7, using: &rng)
            var expected: LedgerError? = nil
            var actual: LedgerError? = nil
            let known = model.accounts[owner] != nil
            switch op {
            case 0:  // deposit
                if amount <= 0 { expected = .invalidAmount(cents(amount)) }
                else if !known { expected = .unknownAccount(owner) }
                else { model.accounts[owner]!.available += amount; model.accounts[owner]!.deposits += amount }
                do { try ledger.deposit(cents(amount), to: owner) } catch { actual = error }
            case 1:  // debit
                if amount <= 0 { expected = .invalidAmount(cents(amount)) }
                else if !known { expected = .unknownAccount(owner) }
                else if model.accounts[owner]!.available < amount {
                    expected = .insufficientFunds(available: cents(model.accounts[owner]!.available), needed: cents(amount))
                } else { model.accounts[owner]!.available -= amount; model.accounts[owner]!.spent += amount }
                do { try ledger.debit(cents(amount), from: owner) } catch { actual = error }
            case 2:  // refund
                if amount <= 0 { expected = .invalidAmount(cents(amount)) }
                else if !known { expected = .unknownAccount(owner) }
                else if model.accounts[owner]!.spent < amount { expected = .invalidAmount(cents(amount)) }
                else { model.accounts[owner]!.spent -= amount; model.accounts[owner]!.available += amount }
                do { try ledger.refund(cents(amount), to: owner) } catch { actual = error }
            case 3:  // reserve
                if amount <= 0 { expected = .invalidAmount(cents(amount)) }
                else if !known { expected = .unknownAccount(owner) }
                else if model.accounts[owner]!.available < amount {
                    expected = .insufficientFunds(available: cents(model.accounts[owner]!.available), needed: cents(amount))
                } else {
                    model.accounts[owner]!.available -= amount
                    model.accounts[owner]!.locked += amount
                    model.reservations[model.nextID] = (owner, amount)
                    model.nextID += 1
                }
                do {
                    let r = try ledger.reserve(cents(amount), from: owner)
                    #expect(r.id == model.nextID - 1 && r.amount == cents(amount) && r.owner == owner)
                } catch { actual = error }
            case 4, 5:  // settle or release an open reservation, or a bogus id
                let open = model.reservations.keys.sorted()
                let id =
                    open.isEmpty || Int.random(in: 0..<5, using: &rng) == 0
                    ? Int.random(in: -3..<(model.nextID + 3), using: &rng) : open[Int.random(in: 0..<open.count, using: &rng)]
                if let r = model.reservations.removeValue(forKey: id) {
                    model.accounts[r.owner]!.locked -= r.amount
                    if op == 4 { model.accounts[r.owner]!.spent += r.amount } else { model.accounts[r.owner]!.available += r.amount }
                } else {
                    expected = .unknownReservation(id)
                }
                do { if op == 4 { try ledger.settle(id) } else { try ledger.release(id) } } catch { actual = error }
            default:  // setAvailable
                let target = amount - 10  // sometimes negative
                if target < 0 { expected = .invalidAmount(cents(target)) }
                else if !known { expected = .unknownAccount(owner) }
                else {
                    model.accounts[owner]!.deposits += target - model.accounts[owner]!.available
                    model.accounts[owner]!.available = target
                }
                do { try ledger.setAvailable(cents(target), for: owner) } catch { actual = error }
            }
            outcomes[actual == nil ? "ok" : "refused", default: 0] += 1

            #expect(ledger.isConsistent, "step \(step)")
            #expect(actual == expected, "step \(step): op \(op) owner \(owner) amount \(amount)")
            for (name, acc) in model.accounts {
                let a = try #require(ledger.account(name))
                let got = Model.Acc(
                    available: a.available.cents, locked: a.locked.cents, spent: a.spent.cents, deposits: a.deposits.cents)
                #expect(got == acc, "step \(step): \(name)")
            }
            #expect(Set(ledger.reservations.keys) == Set(model.reservations.keys), "step \(step)")
        }
        // The walk exercised both paths.
        #expect(outcomes["ok", default: 0] > 1000)
        #expect(outcomes["refused", default: 0] > 300)
    }
}

@Suite("World under concurrency")
struct WorldConcurrencyTests {
    static let key = APIKey(key: "k1", dialect: "sh4de", label: "main", owner: "o")

    func makeWorld() -> World {
        var setup = WorldSetup()
        setup.keys = [Self.key]
        setup.accounts = ["o": Account(available: Money(cents: 1000))]
        setup.clock = .virtual
        return World(setup)
    }

    @Test("200 concurrent orders never overdraw", arguments: [false, true])
    func concurrentOrders(reserve: Bool) async throws {
        let world = makeWorld()
        let successes = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    world.transact {
                        try? $0.placeOrder(
                            dialect: "sh4de", key: Self.key, kind: .stars(quantity: 100), username: "u",
                            cost: Money(cents: 130), reserve: reserve)
                    }?.ref.id
                }
            }
            var ids: [Int] = []
            for await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(successes.count == 7)
        #expect(successes.sorted() == Array(1...7))
        let account = try #require(world.read { $0.account("o") })
        #expect(account.available == Money(cents: 90))
        if reserve {
            #expect(account.locked == Money(cents: 910))
            #expect(account.spent == .zero)
            #expect(world.read { $0.ledger.reservations.count } == 7)
        } else {
            #expect(account.locked == .zero)
            #expect(account.spent == Money(cents: 910))
        }
        #expect(account.deposits == Money(cents: 1000))
        #expect(world.read { $0.isConsistent })
        #expect(world.read { $0.orders.count } == 7)
        #expect(world.read { $0.totalOrders(owner: "o") } == 7)

        // When the orders complete, reserved money is spent and nothing is left locked.
        world.advance(by: .seconds(65))
        let after = try #require(world.read { $0.account("o") })
        #expect(after.available == Money(cents: 90))
        #expect(after.locked == .zero)
        #expect(after.spent == Money(cents: 910))
        #expect(world.read { $0.isConsistent })
        #expect(world.read { $0.orders.values.allSatisfy { $0.state == .completed } })
    }

    @Test("concurrent placements and balance changes stay consistent")
    func mixedConcurrency() async {
        let world = makeWorld()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<300 {
                group.addTask {
                    world.transact { state in
                        switch i % 3 {
                        case 0:
                            _ = try? state.placeOrder(
                                dialect: "sh4de", key: Self.key, kind: .stars(quantity: 100), username: "u",
                                cost: Money(cents: 130), reserve: i % 2 == 0)
                        case 1:
                            try? state.setBalance(Money(cents: Int64(i)), owner: "o")
                        default:
                            state.advanceClock(by: .seconds(7))
                        }
                        #expect(state.isConsistent)
                    }
                }
            }
        }
        #expect(world.read { $0.isConsistent })
    }
}
