import StarMockCore
import StarMockDialects
import Testing

/// `?wait=true` (seed 000: "Optionally wait for completion with ?wait=true"; "408 timeout:
/// Order did not finish within 90s"), on a virtual clock: no test waits in real time.
@Suite("TG Market: ?wait=true on the world's clock")
struct TGMarketWaitTests {
    static let starsWait = "/api/v2/stars?wait=true"

    @Test("completed: the request is held until the order completes, then gets the short shape")
    func completed() throws {
        let world = TGWorld.demo()
        let held = try TGClient(world: world).hold("POST", Self.starsWait, body: TGWorld.starsBody)
        #expect(held.timeout == .seconds(90))
        #expect(world.read { $0.waitingCount } == 1)
        world.advance(by: .seconds(64))
        #expect(held.answer == nil)
        world.advance(by: .seconds(1))
        let answer = try #require(held.answer)
        let provider = try #require(world.read { $0.order(held.order)?.providerOrderID })
        #expect(answer.status == 200)
        #expect(
            answer.bodyText
                == #"{"ok":true,"order_id":42,"status":"completed","provider_order_id":"\#(provider)","error_message":null}"#)
        #expect(world.read { $0.waitingCount } == 0)
        world.advance(by: .seconds(600))
        #expect(held.all.count == 1)
    }

    @Test("failed: the short shape with status failed and the error message; the funds are released")
    func failed() throws {
        let world = TGWorld.demo(lifecycles: [
            .premium: Lifecycle(pending: .fixed(.seconds(20)), outcomes: [(.failed(message: "User already has Premium"), 1)])
        ])
        let client = TGClient(world: world)
        let held = try client.hold("POST", "/api/v2/premium?wait=true", body: #"{"username":"target","duration":3}"#)
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":4.99,"available_usd":20.51}"#)
        world.advance(by: .seconds(20))
        let answer = try #require(held.answer)
        #expect(answer.status == 200)
        #expect(
            answer.bodyText
                == #"{"ok":true,"order_id":42,"status":"failed","provider_order_id":null,"error_message":"User already has Premium"}"#)
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
    }

    @Test("90 s on the world's clock first: 408 timeout with the order_id; the order stays pending and ends later")
    func timeout() throws {
        let world = TGWorld.demo(lifecycles: [.stars: Lifecycle(pending: .fixed(.seconds(120)))])
        let client = TGClient(world: world)
        let held = try client.hold("POST", Self.starsWait, body: TGWorld.starsBody)
        world.advance(by: .milliseconds(89_999))
        #expect(held.answer == nil)
        world.advance(by: .milliseconds(1))
        let answer = try #require(held.answer)
        #expect(answer.status == 408)
        #expect(answer.bodyText == #"{"ok":false,"error":"timeout","order_id":42}"#)
        #expect(try client.send("GET", "/api/v2/stars/42").bodyText.contains(#""status":"pending""#))
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":1.2,"available_usd":24.3}"#)
        world.advance(by: .seconds(30))
        #expect(try client.send("GET", "/api/v2/stars/42").bodyText.contains(#""status":"completed""#))
        #expect(held.all.count == 1)
    }

    @Test("an order that never ends by itself times out too")
    func stuck() throws {
        let world = TGWorld.demo(lifecycles: [.stars: Lifecycle(outcomes: [(.stuck, 1)])])
        let held = try TGClient(world: world).hold("POST", Self.starsWait, body: TGWorld.starsBody)
        world.advance(by: .seconds(90))
        #expect(held.answer?.status == 408)
    }

    @Test("the 90 s is configurable (WorldSetup.waitTimeout, and at run time)")
    func configurable() throws {
        let world = TGWorld.demo(lifecycles: [.stars: Lifecycle(pending: .fixed(.seconds(120)))]) {
            $0.waitTimeout = .seconds(5)
        }
        let client = TGClient(world: world)
        let held = try client.hold("POST", Self.starsWait, body: TGWorld.starsBody)
        #expect(held.timeout == .seconds(5))
        world.advance(by: .seconds(5))
        #expect(held.answer?.bodyText == #"{"ok":false,"error":"timeout","order_id":42}"#)

        world.transact { $0.waitTimeout = .seconds(200) }
        let longer = try client.hold("POST", Self.starsWait, body: TGWorld.starsBody)  // 43, ends at 125 s
        world.advance(by: .seconds(119))
        #expect(longer.answer == nil)
        world.advance(by: .seconds(1))
        #expect(longer.answer?.bodyText.contains(#""order_id":43,"status":"completed""#) == true)
    }

    @Test("the server letting go first (shutdown, reset): the short shape with status pending")
    func cancelled() throws {
        let world = TGWorld.demo()
        let held = try TGClient(world: world).hold("POST", Self.starsWait, body: TGWorld.starsBody)
        world.transact { $0.cancelAllWaits() }
        let answer = try #require(held.answer)
        #expect(answer.status == 200)
        #expect(answer.bodyText == #"{"ok":true,"order_id":42,"status":"pending","provider_order_id":null,"error_message":null}"#)
        world.advance(by: .seconds(65))
        #expect(held.all.count == 1)
    }

    @Test("an order already ended when the wait starts is answered at once")
    func alreadyEnded() throws {
        let world = TGWorld.demo(lifecycles: [.stars: Lifecycle(pending: .fixed(.zero))])
        let client = TGClient(world: world)
        switch client.reply("POST", Self.starsWait, body: TGWorld.starsBody) {
        case .now(let response): Issue.record("expected a held request, got \(response.bodyText)")
        case .held(let order, let timeout, let render):
            // Due at once: the next transaction fires the timer before the wait is registered.
            let held = HeldRequest(order: order, timeout: timeout, render: render)
            world.transact { _ = $0.waitForFinal(order, timeout: timeout, callback: held.deliver) }
            #expect(held.answer?.bodyText.contains(#""status":"completed""#) == true)
        case .waiting(let topic, _, _): Issue.record("expected a request held on an order, it waits on \(topic)")
        }
    }

    @Test(
        "wait is read as Python frameworks read a boolean: true, 1, yes, on (any case) hold; anything else does not",
        arguments: [("true", true), ("True", true), ("1", true), ("yes", true), ("on", true), ("false", false),
            ("0", false), ("", false), ("maybe", false)])
    func waitValues(value: String, holds: Bool) throws {
        let client = TGClient(world: TGWorld.demo())
        let reply = client.reply("POST", "/api/v2/stars?wait=\(value)", body: TGWorld.starsBody)
        if case .held = reply { #expect(holds) } else { #expect(!holds) }
    }

    @Test("without wait the purchase answers at once with the pending body")
    func noWait() throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send("POST", "/api/v2/stars", body: TGWorld.starsBody)
        #expect(response.bodyText.contains(#""status":"pending","message":"Order queued...""#))
        #expect(world.read { $0.waitingCount } == 0)
    }

    @Test("errors are answered at once even with wait=true", arguments: [
        (#"{"username":"target","amount":2200}"#, 400), (#"{"username":"nobody_here","amount":100}"#, 404),
        (#"{"amount":100}"#, 400),
    ])
    func errorsNotHeld(body: String, status: Int) throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send("POST", Self.starsWait, body: body)
        #expect(response.status == status)
        #expect(world.read { $0.waitingCount } == 0)
    }

    @Test("many held requests on one world all end with one move of the clock, each with its own order")
    func many() throws {
        let world = TGWorld.demo { $0.accounts[TGWorld.owner] = Account(available: Money(cents: 100_000)) }
        world.transact { $0.rateLimits["tgmarket"] = .unlimited }
        let client = TGClient(world: world)
        let held = try (0..<300).map { _ in try client.hold("POST", Self.starsWait, body: TGWorld.starsBody) }
        #expect(world.read { $0.waitingCount } == 300)
        world.advance(by: .seconds(65))
        #expect(held.allSatisfy { $0.all.count == 1 && $0.answer?.status == 200 })
        let ids = held.compactMap { h in h.answer?.bodyText.contains(#""order_id":\#(h.order.id),"status":"completed""#) }
        #expect(ids.count == 300 && ids.allSatisfy { $0 })
        #expect(world.read { $0.isConsistent })
    }
}
