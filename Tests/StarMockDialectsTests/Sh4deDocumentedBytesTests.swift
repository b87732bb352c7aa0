import StarMockCore
import StarMockDialects
import Testing

/// The seed's example bodies (seed 001, docs.sh4de.space) are fixtures: a world set to the
/// documented state must answer with exactly those bytes. The demo world is that state:
/// balance 25.50, 12 earlier orders, 8.42 spent, key label "My Stars Bot", next order 47,
/// clock at 2026-03-28 03:00:00.
@Suite("sh4de: the documented example bodies, byte for byte")
struct Sh4deDocumentedBytesTests {
    @Test("the fixtures are the seed's bodies: valid JSON, no trailing newline")
    func fixturesAreIntact() throws {
        for name in [
            "prices.json", "balance.json", "order-stars.json", "order-status.json", "error-insufficient-balance.json",
            "request-order-stars.json", "request-order-premium.json",
        ] {
            let bytes = try Sh4deFixture.bytes(name)
            #expect(bytes.first == UInt8(ascii: "{"), "\(name)")
            #expect(bytes.last == UInt8(ascii: "}"), "\(name) must end at the closing brace, as the seed shows it")
            #expect(!bytes.contains(UInt8(ascii: "\r")), "\(name)")
            #expect((try? JSON.parse(bytes)) != nil, "\(name) must be JSON")
        }
        // The documented quirk survives in the fixture: "status" twice, "ok" first.
        let status = try #require(try JSON.parse(Sh4deFixture.bytes("order-status.json")).objectPairs)
        #expect(status.filter { $0.0 == "status" }.map(\.1) == [.string("ok"), .string("completed")])
    }

    /// Seed: "GET /api/v1/prices … Returns current prices for stars and premium. Does not
    /// require balance."
    @Test("GET /api/v1/prices is prices.json")
    func prices() throws {
        let h = Sh4deHarness()
        let response = h.send("GET", "/api/v1/prices")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.bodyText == (try Sh4deFixture.text("prices.json")))
        #expect(response.body == (try Sh4deFixture.bytes("prices.json")))
    }

    @Test("GET /api/v1/prices does not require balance")
    func pricesWithoutBalance() throws {
        let h = Sh4deHarness()
        try h.setBalance("0.00")
        #expect(h.send("GET", "/api/v1/prices").body == (try Sh4deFixture.bytes("prices.json")))
    }

    /// Seed: `"balance_usd": 25.50, "total_orders": 12, "total_spent_usd": 8.42,
    /// "key_label": "My Stars Bot"`.
    @Test("GET /api/v1/balance is balance.json")
    func balance() throws {
        let h = Sh4deHarness()
        let response = h.send("GET", "/api/v1/balance")
        #expect(response.status == 200)
        #expect(response.body == (try Sh4deFixture.bytes("balance.json")))
    }

    /// Seed: POST /api/v1/order/stars `{"username": "some_user", "quantity": 100}` →
    /// `"order_id": 47, …, "cost_usd": 1.30, "new_balance_usd": 24.20, "status_order": "pending"`.
    @Test("POST /api/v1/order/stars is order-stars.json", arguments: [
        #"{"username":"some_user","quantity":100}"#,
        "{\n  \"username\": \"some_user\",\n  \"quantity\": 100\n}",  // request-order-stars.json's layout
    ])
    func orderStars(requestBody: String) throws {
        let h = Sh4deHarness()
        let response = h.send("POST", "/api/v1/order/stars", body: requestBody)
        #expect(response.status == 200)
        #expect(response.body == (try Sh4deFixture.bytes("order-stars.json")))
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
    }

    @Test("the seed's own request body file gives order-stars.json")
    func orderStarsFromRequestFixture() throws {
        let h = Sh4deHarness()
        let response = h.send("POST", "/api/v1/order/stars", body: try Sh4deFixture.text("request-order-stars.json"))
        #expect(response.body == (try Sh4deFixture.bytes("order-stars.json")))
    }

    /// Seed: GET /api/v1/order/47 → `"status": "completed", "created_at": "2026-03-28 03:00:00",
    /// "updated_at": "2026-03-28 03:01:05"`: placed at the documented instant, done 65 s later.
    @Test("GET /api/v1/order/47 65 s after the order is order-status.json, duplicate key included")
    func orderStatus() throws {
        let h = Sh4deHarness()
        try #require(h.orderStars().status == 200)
        h.advance(seconds: 65)
        let response = h.send("GET", "/api/v1/order/47")
        #expect(response.status == 200)
        #expect(response.bodyText == (try Sh4deFixture.text("order-status.json")))
        #expect(response.body == (try Sh4deFixture.bytes("order-status.json")))
        #expect(h.isConsistent)
    }

    /// Seed: `{"status": "error", "code": "INSUFFICIENT_BALANCE", "message": "Your balance
    /// ($1.20) is less than the order cost ($1.30)."}`
    @Test("100 stars on a balance of 1.20 is error-insufficient-balance.json, and nothing is charged")
    func insufficientBalance() throws {
        let h = Sh4deHarness()
        try h.setBalance("1.20")
        let response = h.orderStars(quantity: 100)
        #expect(response.status == 400)
        #expect(response.body == (try Sh4deFixture.bytes("error-insufficient-balance.json")))
        #expect(h.balance == "1.20")
        #expect(h.order(47) == nil)
        #expect(h.isConsistent)
        // Exactly the cost is enough: 1.30 buys the 100 stars and leaves 0.00.
        try h.setBalance("1.30")
        let ok = h.orderStars(quantity: 100)
        #expect(ok.status == 200)
        #expect(ok.json?["new_balance_usd"] == .number("0.00"))
        #expect(h.balance == "0.00")
    }

    @Test("the balance after the documented order: 24.20, 13 orders, 9.72 spent")
    func balanceAfterOrder() {
        let h = Sh4deHarness()
        h.orderStars()
        #expect(
            h.send("GET", "/api/v1/balance").bodyText == """
                {
                  "status": "ok",
                  "balance_usd": 24.20,
                  "total_orders": 13,
                  "total_spent_usd": 9.72,
                  "key_label": "My Stars Bot"
                }
                """)
    }

    /// The seed documents the call (`GET /api/v1/user/durov`) but not its body: ours.
    @Test("GET /api/v1/user/durov (body is our choice)")
    func userLookup() {
        let h = Sh4deHarness()
        #expect(
            h.send("GET", "/api/v1/user/durov").bodyText == """
                {
                  "status": "ok",
                  "username": "durov",
                  "can_receive_stars": true,
                  "can_receive_premium": true
                }
                """)
        #expect(h.send("GET", "/api/v1/user/@no_stars").bodyText.contains(#""can_receive_stars": false"#))
        #expect(h.send("GET", "/api/v1/user/NO_PREMIUM").bodyText.contains(#""can_receive_premium": false"#))
    }
}
