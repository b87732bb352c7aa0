import StarMockCore
import StarMockDialects
import Testing

/// Orders through the dialect over time. Seed: states "pending completed failed"; GET
/// /api/v1/order/{id} "Automatically refreshes from upstream if still pending"; "✅ On failure,
/// the deducted balance is automatically refunded."
@Suite("sh4de: order lifecycles through the dialect")
struct Sh4deLifecycleTests {
    static func state(_ response: DialectResponse) -> String? { response.json?["status"]?.stringValue }

    @Test("pending until +65 s, completed at +65 s; the ledger is consistent at every step")
    func pendingThenCompleted() {
        let h = Sh4deHarness()
        let placed = h.orderStars()
        #expect(placed.json?["status_order"] == .string("pending"))
        #expect(h.isConsistent)
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "pending")
        h.advance(seconds: 64)
        let before = h.send("GET", "/api/v1/order/47")
        #expect(Self.state(before) == "pending")
        #expect(before.json?["updated_at"] == .string("2026-03-28 03:00:00"))
        #expect(h.isConsistent)
        h.advance(seconds: 1)
        let after = h.send("GET", "/api/v1/order/47")
        #expect(Self.state(after) == "completed")
        #expect(after.json?["updated_at"] == .string("2026-03-28 03:01:05"))
        #expect(h.isConsistent)
        // Completion keeps the charge; reading again changes nothing.
        h.advance(seconds: 3600)
        #expect(h.send("GET", "/api/v1/order/47").body == after.body)
        #expect(h.balance == "24.20")
        #expect(h.account?.spent.twoDecimals == "9.72")
        #expect(h.isConsistent)
    }

    @Test("the order completes at +65 s even if nobody reads it in between")
    func completesUnread() {
        let h = Sh4deHarness()
        h.orderStars()
        h.advance(seconds: 600)
        #expect(h.order(47)?.state == .completed)
        #expect(h.order(47)?.updatedAt.sh4deText == "2026-03-28 03:01:05")
    }

    @Test("a failed order refunds the charge exactly and reads as failed, in the same body shape")
    func failedRefunds() {
        let h = Sh4deHarness { $0.lifecycles[.stars] = Lifecycle(outcomes: [(.failed(message: "Recipient unavailable"), 1)]) }
        let placed = h.orderStars()
        #expect(placed.status == 200)
        #expect(placed.json?["status_order"] == .string("pending"))
        #expect(h.balance == "24.20")
        #expect(h.account?.spent.twoDecimals == "9.72")
        #expect(h.isConsistent)
        h.advance(seconds: 65)
        #expect(h.balance == "25.50")
        #expect(h.account?.spent.twoDecimals == "8.42")
        #expect(h.isConsistent)
        #expect(
            h.send("GET", "/api/v1/order/47").bodyText == """
                {
                  "status": "ok",
                  "order_id": 47,
                  "type": "stars",
                  "username": "some_user",
                  "quantity": 100,
                  "cost_usd": 1.30,
                  "status": "failed",
                  "created_at": "2026-03-28 03:00:00",
                  "updated_at": "2026-03-28 03:01:05"
                }
                """)
        // The balance shows the refund; the failed order still counts as an order.
        #expect(
            h.send("GET", "/api/v1/balance").bodyText == """
                {
                  "status": "ok",
                  "balance_usd": 25.50,
                  "total_orders": 13,
                  "total_spent_usd": 8.42,
                  "key_label": "My Stars Bot"
                }
                """)
    }

    @Test("a failed premium order refunds its 4.99")
    func failedPremium() {
        let h = Sh4deHarness { $0.lifecycles[.premium] = Lifecycle(outcomes: [(.failed(message: "no"), 1)]) }
        #expect(h.orderPremium(months: 3).json?["new_balance_usd"] == .number("20.51"))
        h.orderStars()  // stars keep the standard lifecycle
        h.advance(seconds: 65)
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "failed")
        #expect(Self.state(h.send("GET", "/api/v1/order/48")) == "completed")
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
    }

    @Test("a refund makes the money spendable again: the balance buys exactly what it bought before")
    func refundIsSpendable() throws {
        let h = Sh4deHarness { $0.lifecycles[.stars] = Lifecycle(outcomes: [(.failed(message: "no"), 1)]) }
        try h.setBalance("1.30")
        h.orderStars()
        #expect(h.orderStars().code == "INSUFFICIENT_BALANCE")
        h.advance(seconds: 65)
        #expect(h.orderStars().status == 200)
        #expect(h.balance == "0.00")
        #expect(h.isConsistent)
    }

    @Test("scripted outcomes: the first order fails, the next completes")
    func scriptedOutcomes() {
        let h = Sh4deHarness { $0.lifecycles[.stars] = Lifecycle(script: [.failed(message: "first"), .completed]) }
        h.orderStars()
        h.orderStars()
        h.advance(seconds: 65)
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "failed")
        #expect(Self.state(h.send("GET", "/api/v1/order/48")) == "completed")
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
    }

    /// "Automatically refreshes from upstream if still pending": with `completeAfterPolls`, the
    /// N-th status read is the one that finds the order done.
    @Test("completeAfterPolls: the second read completes the order, at the time of that read")
    func completeAfterPolls() {
        let h = Sh4deHarness { $0.lifecycles[.stars] = Lifecycle(pending: nil, completeAfterPolls: 2) }
        h.orderStars()
        h.advance(seconds: 10)
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "pending")
        #expect(h.isConsistent)
        h.advance(seconds: 5)
        let second = h.send("GET", "/api/v1/order/47")
        #expect(Self.state(second) == "completed")
        #expect(second.json?["updated_at"] == .string("2026-03-28 03:00:15"))
        #expect(h.isConsistent)
        #expect(h.order(47)?.polls == 2)
    }

    @Test("completeAfterPolls with a failing outcome refunds on the read that ends it")
    func failAfterPolls() {
        let h = Sh4deHarness {
            $0.lifecycles[.stars] = Lifecycle(
                pending: nil, outcomes: [(.failed(message: "no"), 1)], completeAfterPolls: 1)
        }
        h.orderStars()
        #expect(h.balance == "24.20")
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "failed")
        #expect(h.balance == "25.50")
        #expect(h.isConsistent)
    }

    @Test("a stuck order stays pending and keeps its charge")
    func stuck() {
        let h = Sh4deHarness { $0.lifecycles[.stars] = Lifecycle(outcomes: [(.stuck, 1)]) }
        h.orderStars()
        h.advance(seconds: 86_400)
        #expect(Self.state(h.send("GET", "/api/v1/order/47")) == "pending")
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
    }

    @Test("order ids count up from 47 across stars and premium; total_orders counts per owner, every key")
    func numbering() {
        let h = Sh4deHarness()
        #expect(h.orderStars(key: Sh4deHarness.docsKey).json?["order_id"] == .int(47))
        #expect(h.orderPremium(key: Sh4deHarness.codeExamplesKey).json?["order_id"] == .int(48))
        let third = h.orderStars(quantity: 50)
        #expect(third.json?["order_id"] == .int(49))
        #expect(third.json?["note"] == .string("Track: GET /api/v1/order/49"))
        // 25.50 − 1.30 − 4.99 − 0.65
        #expect(third.json?["new_balance_usd"] == .number("18.56"))
        let balance = h.send("GET", "/api/v1/balance", key: Sh4deHarness.codeExamplesKey)
        #expect(balance.json?["total_orders"] == .int(15))
        #expect(balance.json?["total_spent_usd"] == .number("15.36"))
        #expect(balance.json?["key_label"] == .string("Code examples key"))
        #expect(h.isConsistent)
    }

    @Test("orders cannot overdraw: 19 orders of 1.30 fit in 25.50, the 20th does not")
    func noOverdraw() {
        let h = Sh4deHarness()
        for i in 1...19 {
            let r = h.orderStars(key: i.isMultiple(of: 2) ? Sh4deHarness.docsKey : Sh4deHarness.codeExamplesKey)
            #expect(r.status == 200, "order \(i)")
        }
        #expect(h.balance == "0.80")
        let refused = h.orderStars()
        #expect(refused.bodyText == sh4deErrorBody(
            "INSUFFICIENT_BALANCE", "Your balance ($0.80) is less than the order cost ($1.30)."))
        #expect(h.isConsistent)
    }
}
