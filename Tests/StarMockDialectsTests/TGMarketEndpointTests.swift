import StarMockCore
import StarMockDialects
import Testing

/// The endpoints the documents leave partly open (premium, the status reads), the per-key
/// limits of both dialects, and the scripted errors (`reservation_failed`,
/// `order_creation_failed`, …) that scenarios and the control API reach through fault rules.
@Suite("TG Market: premium, order status, rate limits, scripted errors")
struct TGMarketEndpointTests {
    static let premiumBody = #"{"username":"target","duration":6}"#

    // MARK: Premium — seed 000: "Purchase Telegram Premium subscription (3, 6, or 12 months)."

    @Test(
        "POST /api/v2/premium mirrors the stars body with duration in place of amount",
        arguments: [(3, "4.99"), (6, "8.99"), (12, "15.99")])
    func premium(months: Int, price: String) throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("POST", "/api/v2/premium", body: #"{"username":"target","duration":\#(months)}"#)
        #expect(response.status == 200)
        #expect(
            response.bodyText
                == #"{"ok":true,"order_id":42,"username":"target","duration":\#(months),"price_usd":\#(price),"status":"pending","message":"Order queued..."}"#
        )
    }

    @Test("stars and premium orders share one id sequence")
    func sharedIDs() throws {
        let client = TGClient(world: TGWorld.demo())
        #expect(try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody).bodyText.contains(#""order_id":42,"#))
        #expect(try client.send("POST", "/api/v2/premium", body: Self.premiumBody).bodyText.contains(#""order_id":43,"#))
        #expect(try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody).bodyText.contains(#""order_id":44,"#))
    }

    @Test("the price is exact: 0.012 per star, rounded half up to the cent", arguments: [(100, "1.20"), (50, "0.60"), (1234, "14.81"), (167, "2.00")])
    func starPrices(amount: Int, price: String) throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("POST", "/api/v2/stars", body: #"{"username":"target","amount":\#(amount)}"#)
        #expect(response.bodyText.contains(#""amount":\#(amount),"price_usd":\#(price),"#))
    }

    // MARK: Order status — GET /api/v2/stars/{id}, GET /api/v2/premium/{id}

    @Test("a stars order's status: pending, then completed with the upstream's id")
    func starsStatus() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        let pending = try client.send("GET", "/api/v2/stars/42")
        #expect(pending.status == 200)
        #expect(
            pending.bodyText
                == #"{"ok":true,"order_id":42,"username":"target","amount":100,"price_usd":1.20,"status":"pending","provider_order_id":null,"error_message":null}"#
        )
        world.advance(by: .seconds(65))
        let provider = try #require(world.read { $0.order(OrderRef(dialect: "tgmarket", id: 42))?.providerOrderID })
        #expect(
            try client.send("GET", "/api/v2/stars/42").bodyText
                == #"{"ok":true,"order_id":42,"username":"target","amount":100,"price_usd":1.20,"status":"completed","provider_order_id":"\#(provider)","error_message":null}"#
        )
    }

    @Test("a premium order's status, failed with its error message")
    func premiumStatusFailed() throws {
        let world = TGWorld.demo(lifecycles: [
            .premium: Lifecycle(pending: .fixed(.seconds(10)), outcomes: [(.failed(message: "User already has Premium"), 1)])
        ])
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/premium", body: Self.premiumBody)
        world.advance(by: .seconds(10))
        #expect(
            try client.send("GET", "/api/v2/premium/42").bodyText
                == #"{"ok":true,"order_id":42,"username":"target","duration":6,"price_usd":8.99,"status":"failed","provider_order_id":null,"error_message":"User already has Premium"}"#
        )
    }

    @Test("a status read counts as a poll: lifecycles that end orders on the N-th read apply")
    func pollLifecycle() throws {
        let world = TGWorld.demo(lifecycles: [.stars: Lifecycle(pending: nil, completeAfterPolls: 2)])
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        #expect(try client.send("GET", "/api/v2/stars/42").bodyText.contains(#""status":"pending""#))
        #expect(try client.send("GET", "/api/v2/stars/42").bodyText.contains(#""status":"completed""#))
        #expect(TGWorld.account(world)?.locked == .zero)
    }

    // MARK: Rate limits — "429 rate_limit_exceeded: Too many requests (max 10/sec)"

    @Test("the 11th request within a second: 429 rate_limit_exceeded with Retry-After; the next second is free")
    func tenPerSecond() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        for _ in 0..<10 { #expect(try client.send("GET", "/api/v2/balance").status == 200) }
        let limited = try client.send("GET", "/api/v2/balance")
        #expect(limited.status == 429)
        #expect(limited.bodyText == #"{"ok":false,"error":"rate_limit_exceeded"}"#)
        #expect(limited.headers.first { $0.0 == "Retry-After" }?.1 == "1")
        world.advance(by: .milliseconds(999))
        #expect(try client.send("GET", "/api/v2/balance").status == 429)
        world.advance(by: .milliseconds(1))
        #expect(try client.send("GET", "/api/v2/balance").status == 200)
    }

    @Test("limits are per key, and refused keys do not use up a window")
    func perKey() throws {
        let world = TGWorld.demo {
            $0.keys.append(APIKey(key: "sk-second", dialect: "tgmarket", label: "Second", owner: TGWorld.owner))
        }
        let first = TGClient(world: world)
        let second = TGClient(world: world, key: "sk-second")
        for _ in 0..<10 { #expect(try first.send("GET", "/api/v2/balance").status == 200) }
        #expect(try first.send("GET", "/api/v2/balance").status == 429)
        for _ in 0..<5 { #expect(try TGClient(world: world, key: "sk-wrong").send("GET", "/api/v2/balance").status == 401) }
        for _ in 0..<10 { #expect(try second.send("GET", "/api/v2/balance").status == 200) }
        #expect(try second.send("GET", "/api/v2/balance").status == 429)
    }

    @Test("served together, sh4de keeps 30 per minute while TG Market keeps 10 per second")
    func bothWindows() throws {
        let world = TGWorld.demo()
        let both = DialectSet.everything
        #expect(Set(both.dialects.map(\.name)).isSuperset(of: ["sh4de", "tgmarket"]))
        let tg = TGClient(world: world, dialects: both)
        let sh4de = DialectRequest(method: "GET", target: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        func sh4deStatus() -> Int {
            world.transact { w in
                guard case .now(let r) = both.respond(to: sh4de, in: &w).reply else { return 0 }
                return r.status
            }
        }
        for second in 0..<3 {
            for _ in 0..<10 {
                #expect(try tg.send("GET", "/api/v2/balance").status == 200)
                #expect(sh4deStatus() == 200)
            }
            #expect(try tg.send("GET", "/api/v2/balance").status == 429)
            if second < 2 { world.advance(by: .seconds(1)) }
        }
        // 30 sh4de requests within the minute: the 31st is refused, TG Market is not.
        #expect(sh4deStatus() == 429)
        world.advance(by: .seconds(1))
        #expect(try tg.send("GET", "/api/v2/balance").status == 200)
        #expect(sh4deStatus() == 429)
    }

    // MARK: Scripted errors (fault rules: scenarios, POST /__admin/faults)

    @Test("every documented code can be scripted", arguments: [
        ("missing_api_key", 401), ("invalid_api_key", 401), ("rate_limit_exceeded", 429), ("user_not_found", 404),
        ("username_required", 400), ("amount must be int...", 400), ("duration must be 3, 6, or 12", 400),
        ("insufficient_balance", 400), ("reservation_failed", 400), ("order_creation_failed", 500),
        ("order_not_found", 404),
    ])
    func scriptable(code: String, status: Int) throws {
        #expect(TGMarket().faultCodes.contains(code))
        let world = TGWorld.demo()
        world.transact { $0.addFault(FaultRule(dialect: "tgmarket", code: code, path: "/api/v2/balance", times: 1)) }
        let client = TGClient(world: world)
        let response = try client.send("GET", "/api/v2/balance")
        #expect(response.status == status)
        #expect(response.bodyText == #"{"ok":false,"error":"\#(code)"}"#)
        #expect(try client.send("GET", "/api/v2/balance").status == 200)  // once
    }

    @Test("the scriptable codes are exactly the documented ones")
    func faultCodes() {
        #expect(
            TGMarket().faultCodes == [
                "amount must be int...", "duration must be 3, 6, or 12", "insufficient_balance", "invalid_api_key",
                "missing_api_key", "order_creation_failed", "order_not_found", "rate_limit_exceeded",
                "reservation_failed", "timeout", "user_not_found", "username_required",
            ])
    }

    @Test(
        "reservation_failed and order_creation_failed before the world acts: nothing reserved, no order",
        arguments: [("reservation_failed", 400), ("order_creation_failed", 500)])
    func scriptedBefore(code: String, status: Int) throws {
        let world = TGWorld.demo()
        world.transact {
            $0.addFault(FaultRule(dialect: "tgmarket", code: code, method: "POST", path: "/api/v2/stars", times: 1))
        }
        let client = TGClient(world: world)
        let response = try client.send("POST", "/api/v2/stars?wait=true", body: TGWorld.starsBody)
        #expect(response.status == status)
        #expect(response.bodyText == #"{"ok":false,"error":"\#(code)"}"#)
        #expect(world.read { $0.orders.isEmpty && $0.waitingCount == 0 })
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
        // The next purchase goes through and gets the first id.
        #expect(try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody).bodyText.contains(#""order_id":42,"#))
    }

    @Test("A free plan (a scenario's price of zero) reserves nothing: the order is placed, nothing is locked")
    func freePlan() throws {
        let world = TGWorld.demo {
            var prices = PriceList.tgmarket
            prices.premium[3] = .zero
            $0.prices["tgmarket"] = prices
        }
        let response = try TGClient(world: world).send("POST", "/api/v2/premium", body: #"{"username":"target","duration":3}"#)
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""price_usd":0.00,"#))
        #expect(world.read { $0.orders.count == 1 && $0.ledger.reservations.isEmpty && $0.isConsistent })
    }

    @Test("order_creation_failed after the world acted: the client sees 500, the order exists and its funds stay locked")
    func scriptedAfter() throws {
        let world = TGWorld.demo()
        world.transact {
            $0.addFault(
                FaultRule(dialect: "tgmarket", code: "order_creation_failed", path: "/api/v2/stars", times: 1, phase: .after))
        }
        let client = TGClient(world: world)
        let response = try client.send("POST", "/api/v2/stars?wait=true", body: TGWorld.starsBody)
        #expect(response.status == 500)
        #expect(world.read { $0.waitingCount } == 0)
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":1.2,"available_usd":24.3}"#)
        #expect(try client.send("GET", "/api/v2/stars/42").bodyText.contains(#""status":"pending""#))
    }

    @Test("a scripted timeout after the purchase carries the id of the order it placed, which stays pending")
    func scriptedTimeout() throws {
        let world = TGWorld.demo()
        world.transact {
            $0.addFault(FaultRule(dialect: "tgmarket", code: "timeout", path: "/api/v2/stars", times: 1, phase: .after))
        }
        let client = TGClient(world: world)
        _ = try client.send("POST", "/api/v2/premium", body: Self.premiumBody)  // 42, not matched
        let response = try client.send("POST", "/api/v2/stars?wait=true", body: TGWorld.starsBody)  // 43
        #expect(response.status == 408)
        #expect(response.bodyText == #"{"ok":false,"error":"timeout","order_id":43}"#)
        #expect(try client.send("GET", "/api/v2/stars/43").bodyText.contains(#""status":"pending""#))
    }

    @Test("a scripted timeout with no order of the key to name: order_id null")
    func scriptedTimeoutWithoutOrder() throws {
        let world = TGWorld.demo()
        world.transact { $0.addFault(FaultRule(dialect: "tgmarket", code: "timeout", times: 1)) }
        let response = try TGClient(world: world).send("POST", "/api/v2/stars?wait=true", body: TGWorld.starsBody)
        #expect(response.status == 408)
        #expect(response.bodyText == #"{"ok":false,"error":"timeout","order_id":null}"#)
    }

    @Test("a scripted rate limit carries Retry-After; unknown codes are not rendered")
    func scriptedRateLimit() {
        var state = World(WorldSetup.demo).read { $0 }
        let request = DialectRequest(method: "GET", target: "/api/v2/balance")
        let limited = TGMarket().renderFault(code: "rate_limit_exceeded", request: request, in: &state)
        #expect(limited?.headers.first { $0.0 == "Retry-After" }?.1 == "1")
        #expect(TGMarket().renderFault(code: "INSUFFICIENT_BALANCE", request: request, in: &state) == nil)
    }
}
