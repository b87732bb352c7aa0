import StarMockDialects
import Testing

@testable import StarMockCore

/// The bodies TG Market's documentation shows, byte for byte (DIALECTS.md §2, the service's
/// own page), each also kept as a fixture under `fixtures/tgmarket/`.
@Suite("TG Market: the documented bodies, byte for byte")
struct TGMarketDocumentedTests {
    @Test("the fixtures hold exactly the documented bytes")
    func fixtures() throws {
        #expect(try TGFixture.text("balance.json") == #"{"ok":true,"balance_usd":25.5,"locked_usd":2.0,"available_usd":23.5}"#)
        #expect(try TGFixture.text("request-stars.json") == #"{"username":"target","amount":100}"#)
        #expect(
            try TGFixture.text("order-stars.json")
                == #"{"ok":true,"order_id":42,"username":"target","amount":100,"price_usd":1.20,"status":"pending","message":"Order queued..."}"#
        )
        #expect(
            try TGFixture.text("order-stars-wait-completed.json")
                == #"{"ok":true,"order_id":42,"status":"completed","provider_order_id":"abc123","error_message":null}"#
        )
    }

    // Seed 000: "Returns available, locked, and total balance."
    @Test("GET /api/v2/balance: balance_usd = available + locked, in Python's float style (25.5, 2.0)")
    func balance() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        // 167 stars × 0.012 = 2.004 → 2.00 locked; 25.50 − 2.00 = 23.50 available.
        let order = try client.send("POST", "/api/v2/stars", body: #"{"username":"target","amount":167}"#)
        #expect(order.status == 200)
        let response = try client.send("GET", "/api/v2/balance")
        #expect(response.status == 200)
        #expect(response.headers.map(\.0) == ["Content-Type"])
        #expect(response.headers.first?.1 == "application/json")
        #expect(response.bodyText == (try TGFixture.text("balance.json")))
    }

    @Test("the demo world's balance before any order: 25.5 available, nothing locked")
    func demoBalance() throws {
        let client = TGClient(world: TGWorld.demo())
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
    }

    // Seed 000: "Purchase Telegram Stars for a target username."
    @Test("POST /api/v2/stars with the documented request: the documented pending body")
    func stars() throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("POST", "/api/v2/stars", body: try TGFixture.text("request-stars.json"))
        #expect(response.status == 200)
        #expect(response.headers.map(\.0) == ["Content-Type"])
        #expect(response.bodyText == (try TGFixture.text("order-stars.json")))
    }

    // Seed 000: "Optionally wait for completion with ?wait=true."
    @Test("POST /api/v2/stars?wait=true: once completed, the documented short shape")
    func starsWaitCompleted() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        let held = try client.hold("POST", "/api/v2/stars?wait=true", body: try TGFixture.text("request-stars.json"))
        #expect(held.order == OrderRef(dialect: "tgmarket", id: 42))
        #expect(held.answer == nil)
        world.advance(by: .seconds(65))  // the standard lifecycle: completed 65 s after creation
        let answer = try #require(held.answer)
        #expect(held.all.count == 1)
        #expect(answer.status == 200)

        // The upstream's own id comes from the seeded generator; with the documented one the
        // bytes are the documented ones.
        var order = try #require(world.read { $0.order(held.order) })
        let provider = try #require(order.providerOrderID)
        #expect(provider.count == 6 && provider.allSatisfy { "0123456789abcdef".contains($0) })
        let documented = try TGFixture.text("order-stars-wait-completed.json")
        #expect(answer.bodyText == documented.replacing("abc123", with: provider))
        order.providerOrderID = "abc123"
        #expect(held.render(.final(order)).bodyText == documented)
    }

    @Test("the same seed gives the same provider_order_id")
    func providerIDIsSeeded() throws {
        func providerID() throws -> String? {
            let world = TGWorld.demo()
            let held = try TGClient(world: world).hold("POST", "/api/v2/stars?wait=true", body: TGWorld.starsBody)
            world.advance(by: .seconds(65))
            return world.read { $0.order(held.order)?.providerOrderID }
        }
        let first = try providerID()
        #expect(first != nil)
        #expect(try providerID() == first)
    }
}
