import StarMockCore
import StarMockDialects
import Testing

/// The order-status body has `"status"` twice (seed: `"status": "ok"` … `"status": "completed"`).
/// The seed's Python reads `r2.json()["status"]` and expects `pending | completed | failed`:
/// that works because Python keeps the *last* duplicate. Our `JSON` subscript reads the same way.
@Suite("sh4de: reading the bodies as the seed's clients do")
struct Sh4deResponseShapeTests {
    @Test("Python-style reading: the last \"status\" is the order's state, at every stage")
    func duplicateStatus() throws {
        let h = Sh4deHarness { $0.lifecycles[.premium] = Lifecycle(outcomes: [(.failed(message: "no"), 1)]) }
        h.orderStars()
        h.orderPremium()
        let pending = try JSON.parse(h.send("GET", "/api/v1/order/47").body)
        #expect(pending["status"] == .string("pending"))
        #expect(pending.objectPairs?.first?.0 == "status")
        #expect(pending.objectPairs?.first?.1 == .string("ok"))
        h.advance(seconds: 65)
        #expect(try JSON.parse(h.send("GET", "/api/v1/order/47").body)["status"] == .string("completed"))
        #expect(try JSON.parse(h.send("GET", "/api/v1/order/48").body)["status"] == .string("failed"))
        // The documented fixture reads the same way.
        #expect(try JSON.parse(Sh4deFixture.bytes("order-status.json"))["status"] == .string("completed"))
    }

    @Test("the order response keeps \"status\": \"ok\" and puts the state in status_order")
    func placeBody() throws {
        let h = Sh4deHarness()
        let body = try JSON.parse(h.orderStars().body)
        #expect(body["status"] == .string("ok"))
        #expect(body["status_order"] == .string("pending"))
        // The seed's Python prints data["order_id"], data["status"] → "47 ok".
        #expect(body["order_id"] == .int(47))
    }

    /// The premium response is undocumented: ours mirrors the stars response with "months".
    @Test("POST /api/v1/order/premium mirrors the stars body with months (our choice)")
    func premiumBody() throws {
        let h = Sh4deHarness()
        let response = h.send("POST", "/api/v1/order/premium", body: try Sh4deFixture.text("request-order-premium.json"))
        #expect(response.status == 200)
        #expect(
            response.bodyText == """
                {
                  "status": "ok",
                  "order_id": 47,
                  "username": "some_user",
                  "months": 3,
                  "cost_usd": 4.99,
                  "new_balance_usd": 20.51,
                  "status_order": "pending",
                  "note": "Track: GET /api/v1/order/47"
                }
                """)
        h.advance(seconds: 65)
        #expect(
            h.send("GET", "/api/v1/order/47").bodyText == """
                {
                  "status": "ok",
                  "order_id": 47,
                  "type": "premium",
                  "username": "some_user",
                  "months": 3,
                  "cost_usd": 4.99,
                  "status": "completed",
                  "created_at": "2026-03-28 03:00:00",
                  "updated_at": "2026-03-28 03:01:05"
                }
                """)
        #expect(h.isConsistent)
    }

    @Test("premium and stars bodies have the same keys in the same order, but for the amount field")
    func mirrored() throws {
        let h = Sh4deHarness()
        let stars = try #require(try JSON.parse(h.orderStars().body).objectPairs).map(\.0)
        let premium = try #require(try JSON.parse(h.orderPremium().body).objectPairs).map(\.0)
        #expect(stars.map { $0 == "quantity" ? "months" : $0 } == premium)
    }

    @Test("money always has two decimals in bodies; prices keep the documented short form")
    func moneyFormats() throws {
        let h = Sh4deHarness()
        try h.setBalance("30.00")
        let r = h.orderStars(quantity: 1000)  // 13.00
        #expect(r.bodyText.contains(#""cost_usd": 13.00,"#))
        #expect(r.bodyText.contains(#""new_balance_usd": 17.00,"#))
        let prices = h.send("GET", "/api/v1/prices").bodyText
        #expect(prices.contains(#""example_100": 1.3"#))
        #expect(prices.contains(#""price_per_star": 0.013,"#))
    }
}
