import StarMockCore
import StarMockDialects
import Testing

/// "Funds are reserved (locked) when an order is placed and settled or released when it
/// ends": the balance endpoint's arithmetic through each path of an order's life.
@Suite("TG Market: reservations — place, then complete or fail")
struct TGMarketReservationTests {
    static func balance(_ total: String, _ locked: String, _ available: String) -> String {
        #"{"ok":true,"balance_usd":\#(total),"locked_usd":\#(locked),"available_usd":\#(available)}"#
    }

    @Test("place → complete: the price moves from available to locked, then leaves the balance")
    func placeThenComplete() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        #expect(try client.balance() == Self.balance("25.5", "0.0", "25.5"))
        _ = try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        #expect(try client.balance() == Self.balance("25.5", "1.2", "24.3"))
        world.advance(by: .seconds(64))
        #expect(try client.balance() == Self.balance("25.5", "1.2", "24.3"))
        world.advance(by: .seconds(1))  // completed at 65 s: settled
        #expect(try client.balance() == Self.balance("24.3", "0.0", "24.3"))
        let account = try #require(TGWorld.account(world))
        #expect(account.spent == Money(cents: 120))
        #expect(world.read { $0.isConsistent })
    }

    @Test("place → fail: the reservation is released, the balance is whole again")
    func placeThenFail() throws {
        let world = TGWorld.demo(lifecycles: [
            .stars: Lifecycle(pending: .fixed(.seconds(30)), outcomes: [(.failed(message: "Recipient unavailable"), 1)])
        ])
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        #expect(try client.balance() == Self.balance("25.5", "1.2", "24.3"))
        world.advance(by: .seconds(30))
        #expect(try client.balance() == Self.balance("25.5", "0.0", "25.5"))
        #expect(TGWorld.account(world)?.spent == .zero)
        #expect(world.read { $0.isConsistent })
    }

    @Test("orders ended by the control API settle or release the same way")
    func endedByControl() throws {
        let world = TGWorld.demo(lifecycles: [.every: Lifecycle(pending: nil)])  // nothing ends by itself
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody)  // 42: 1.20
        _ = try client.send("POST", "/api/v2/premium", body: #"{"username":"target","duration":12}"#)  // 43: 15.99
        #expect(try client.balance() == Self.balance("25.5", "17.19", "8.31"))
        world.transact { _ = $0.finish(OrderRef(dialect: "tgmarket", id: 43), outcome: .failed(message: "refused")) }
        #expect(try client.balance() == Self.balance("25.5", "1.2", "24.3"))
        world.transact { _ = $0.finish(OrderRef(dialect: "tgmarket", id: 42), outcome: .completed) }
        #expect(try client.balance() == Self.balance("24.3", "0.0", "24.3"))
        #expect(world.read { $0.isConsistent })
    }

    @Test("several orders in flight: each ends on its own, the arithmetic stays exact")
    func severalInFlight() throws {
        let world = TGWorld.demo(lifecycles: [
            .stars: Lifecycle(
                pending: .fixed(.seconds(10)),
                script: [.completed, .failed(message: "no"), .completed, .failed(message: "no")])
        ])
        let client = TGClient(world: world)
        for amount in [100, 250, 1000, 50] {  // 1.20, 3.00, 12.00, 0.60
            #expect(try client.send("POST", "/api/v2/stars", body: #"{"username":"target","amount":\#(amount)}"#).status == 200)
        }
        #expect(try client.balance() == Self.balance("25.5", "16.8", "8.7"))
        world.advance(by: .seconds(10))
        // Completed 1.20 + 12.00 spent; 3.00 + 0.60 back.
        #expect(try client.balance() == Self.balance("12.3", "0.0", "12.3"))
        #expect(world.read { $0.isConsistent })
    }

    @Test("the balance of a key's owner is shared by its keys")
    func sharedByKeys() throws {
        let world = TGWorld.demo {
            $0.keys.append(APIKey(key: "sk-second", dialect: "tgmarket", label: "Second", owner: TGWorld.owner))
        }
        _ = try TGClient(world: world, key: "sk-second").send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        #expect(try TGClient(world: world).balance() == Self.balance("25.5", "1.2", "24.3"))
    }
}
