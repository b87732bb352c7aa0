import Foundation
import StarMockCore
import StarMockDialects
import Testing

/// A world for the reseller dialect: virtual clock from 2026-03-28 03:00:00, seed 1.
enum ResellerWorld {
    static let key = "rk-test"
    static let otherKey = "rk-other"
    static let disabledKey = "rk-off"

    static func setup(balance: Int64 = 10_000, firstOrder: Int? = 5, lifecycle: Lifecycle? = nil) -> WorldSetup {
        var setup = WorldSetup()
        setup.clock = .virtual
        setup.keys = [
            APIKey(key: key, dialect: "reseller", label: "main", owner: "shop"),
            APIKey(key: otherKey, dialect: "reseller", label: "other", owner: "other-shop"),
            APIKey(key: disabledKey, dialect: "reseller", label: "off", owner: "shop", enabled: false),
            APIKey(key: "papaya-key", dialect: "papaya", label: "app", owner: "app"),
        ]
        setup.accounts = ["shop": Account(available: Money(cents: balance)), "other-shop": Account(available: Money(cents: 10_000))]
        if let firstOrder { setup.firstOrderID = ["reseller": firstOrder] }
        if let lifecycle { setup.lifecycles = [.stars: lifecycle] }
        setup.users = [
            TelegramUser(username: "username", id: 123_456_789),
            TelegramUser(username: "no_stars", id: 100_000_004, canReceiveStars: false),
        ]
        return setup
    }

    static func world(_ setup: WorldSetup = setup()) -> World { World(setup) }

    static func send(
        _ world: World, _ method: String, _ target: String, key: String? = ResellerWorld.key, body: String? = nil,
        headers: [(String, String)] = []
    ) -> DialectResponse {
        var all = headers
        if let key { all.append(("Authorization", "Bearer \(key)")) }
        if body != nil { all.append(("Content-Type", "application/json")) }
        let request = DialectRequest(method: HTTPMethod(method), target: target, headers: all, body: Array((body ?? "").utf8))
        let routed = world.transact { DialectSet([Reseller()]).respond(to: request, in: &$0) }
        guard case .now(let response) = routed.reply else {
            Issue.record("the reseller dialect never holds a request")
            return DialectResponse(status: 0, body: [])
        }
        return response
    }

    /// The bytes of `fixtures/reseller/<name>`.
    static func fixture(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("fixtures/reseller/\(name)"), encoding: .utf8)
    }

    static func error(_ code: String, _ message: String) -> String {
        #"{ "error": { "code": "\#(code)", "message": "\#(message)" } }"#
    }
}

@Suite("reseller: the seed's top-up flow")
struct ResellerFlowTests {
    @Test("POST /validate-user answers the seed's body byte for byte")
    func validateUserSeedBody() throws {
        let world = ResellerWorld.world()
        let response = ResellerWorld.send(
            world, "POST", "/validate-user", body: try ResellerWorld.fixture("validate-user.request.json"))
        #expect(response.status == 200)
        #expect(response.headers.first { $0.0 == "Content-Type" }?.1 == "application/json")
        #expect(response.bodyText == (try ResellerWorld.fixture("validate-user.response.json")))
        #expect(response.bodyText == #"{ "valid": true, "username": "@username" }"#)
    }

    @Test("An unknown id, or one that cannot receive Stars, is { \"valid\": false }", arguments: ["999", "100000004"])
    func validateUserUnknown(id: String) {
        let world = ResellerWorld.world()
        let response = ResellerWorld.send(
            world, "POST", "/validate-user", body: #"{"platform":"telegram","user_id":"\#(id)"}"#)
        #expect(response.status == 200)
        #expect(response.bodyText == #"{ "valid": false }"#)
    }

    @Test("user_id may also be a JSON integer")
    func validateUserNumericID() {
        let response = ResellerWorld.send(
            ResellerWorld.world(), "POST", "/validate-user", body: #"{"platform":"telegram","user_id":123456789}"#)
        #expect(response.bodyText == #"{ "valid": true, "username": "@username" }"#)
    }

    @Test("POST /topup answers the seed's body (ORD-005) and debits the package price at once")
    func topupSeedBody() throws {
        let world = ResellerWorld.world()
        let response = ResellerWorld.send(world, "POST", "/topup", body: try ResellerWorld.fixture("topup.request.json"))
        #expect(response.status == 200)
        #expect(response.bodyText == (try ResellerWorld.fixture("topup.response.json")))
        #expect(world.read { $0.account("shop")?.available } == Money(cents: 10_000 - 825))
        #expect(world.read { $0.order(OrderRef(dialect: "reseller", id: 5))?.state } == .pending)
    }

    @Test("Without a configured first id, orders start at ORD-001 and count up")
    func orderNumbering() {
        let world = ResellerWorld.world(ResellerWorld.setup(firstOrder: nil))
        let body = #"{"platform":"telegram","user_id":"123456789","stars":50}"#
        #expect(ResellerWorld.send(world, "POST", "/topup", body: body).bodyText == #"{ "order_id": "ORD-001", "status": "processing" }"#)
        #expect(ResellerWorld.send(world, "POST", "/topup", body: body).bodyText == #"{ "order_id": "ORD-002", "status": "processing" }"#)
    }

    @Test("GET /orders/{id}: processing, then completed when the lifecycle ends it (65 s by default)")
    func orderLifecycle() throws {
        let world = ResellerWorld.world()
        _ = ResellerWorld.send(world, "POST", "/topup", body: try ResellerWorld.fixture("topup.request.json"))
        let processing = ResellerWorld.send(world, "GET", "/orders/ORD-005")
        #expect(processing.status == 200)
        #expect(processing.bodyText == (try ResellerWorld.fixture("order-processing.response.json")))
        world.advance(by: .seconds(65))
        let completed = ResellerWorld.send(world, "GET", "/orders/ORD-005")
        #expect(completed.bodyText == (try ResellerWorld.fixture("order-completed.response.json")))
        #expect(world.read { $0.account("shop")?.available } == Money(cents: 10_000 - 825))
    }

    @Test("A failed order says why, and its price comes back to the balance")
    func orderFails() throws {
        let lifecycle = Lifecycle(pending: .fixed(.seconds(10)), outcomes: [(.failed(message: "Recipient unreachable"), 1)])
        let world = ResellerWorld.world(ResellerWorld.setup(lifecycle: lifecycle))
        _ = ResellerWorld.send(world, "POST", "/topup", body: try ResellerWorld.fixture("topup.request.json"))
        world.advance(by: .seconds(10))
        let failed = ResellerWorld.send(world, "GET", "/orders/ORD-005")
        #expect(failed.bodyText == (try ResellerWorld.fixture("order-failed.response.json")))
        #expect(world.read { $0.account("shop")?.available } == Money(cents: 10_000))
        let consistent = world.read { $0.isConsistent }
        #expect(consistent)
    }

    @Test("GET /balance and GET /packages (ours)")
    func balanceAndPackages() throws {
        let world = ResellerWorld.world()
        #expect(ResellerWorld.send(world, "GET", "/balance").bodyText == #"{ "balance": "100.00", "currency": "USD" }"#)
        #expect(ResellerWorld.send(world, "GET", "/packages").bodyText == (try ResellerWorld.fixture("packages.response.json")))
    }
}

@Suite("reseller: errors (all ours)")
struct ResellerErrorTests {
    @Test("A missing key, a non-Bearer scheme, an unknown key, a disabled key")
    func auth() {
        let world = ResellerWorld.world()
        let missing = ResellerWorld.send(world, "GET", "/balance", key: nil)
        #expect(missing.status == 401)
        #expect(missing.headers.contains { $0 == ("WWW-Authenticate", "Bearer") })
        #expect(missing.bodyText == ResellerWorld.error("MISSING_API_KEY", "Send your API key as Authorization: Bearer <key>"))
        let basic = ResellerWorld.send(world, "GET", "/balance", key: nil, headers: [("Authorization", "Basic abc")])
        #expect(basic.status == 401)
        #expect(basic.bodyText.contains("MISSING_API_KEY"))
        let unknown = ResellerWorld.send(world, "GET", "/balance", key: "nope")
        #expect(unknown.status == 401)
        #expect(unknown.bodyText == ResellerWorld.error("INVALID_API_KEY", "API key not recognised"))
        let papayaKey = ResellerWorld.send(world, "GET", "/balance", key: "papaya-key")
        #expect(papayaKey.status == 401)
        let disabled = ResellerWorld.send(world, "GET", "/balance", key: ResellerWorld.disabledKey)
        #expect(disabled.status == 403)
        #expect(disabled.bodyText == ResellerWorld.error("KEY_DISABLED", "API key has been disabled"))
    }

    @Test("Only the seed's packages are accepted", arguments: [1, 49, 51, 499, 501, 10_000])
    func invalidPackage(stars: Int) {
        let world = ResellerWorld.world()
        let response = ResellerWorld.send(
            world, "POST", "/topup", body: #"{"platform":"telegram","user_id":"123456789","stars":\#(stars)}"#)
        #expect(response.status == 400)
        #expect(
            response.bodyText
                == ResellerWorld.error("INVALID_PACKAGE", "stars must be one of 50, 100, 250, 500, 1000, 2500, 5000"))
        #expect(world.read { $0.orders.isEmpty })
    }

    @Test("Every seed package is accepted at its wholesale price", arguments: [
        (50, 85), (100, 170), (250, 420), (500, 825), (1000, 1550), (2500, 3600), (5000, 6800),
    ])
    func packagePrices(stars: Int, cents: Int64) {
        let world = ResellerWorld.world()
        let response = ResellerWorld.send(
            world, "POST", "/topup", body: #"{"platform":"telegram","user_id":"123456789","stars":\#(stars)}"#)
        #expect(response.status == 200)
        #expect(world.read { $0.account("shop")?.available } == Money(cents: 10_000 - cents))
    }

    @Test("Not enough balance: 402, nothing ordered")
    func insufficientBalance() {
        let world = ResellerWorld.world(ResellerWorld.setup(balance: 800))
        let response = ResellerWorld.send(
            world, "POST", "/topup", body: #"{"platform":"telegram","user_id":"123456789","stars":500}"#)
        #expect(response.status == 402)
        #expect(
            response.bodyText
                == ResellerWorld.error("INSUFFICIENT_BALANCE", "Balance 8.00 USD is less than the package price 8.25 USD"))
        #expect(world.read { $0.orders.isEmpty && $0.account("shop")?.available == Money(cents: 800) })
    }

    @Test("Bad bodies: not JSON, missing fields, another platform, a non-numeric user id", arguments: [
        ("nope", 400, "INVALID_JSON", "Request body must be a JSON object"),
        ("[1]", 400, "INVALID_JSON", "Request body must be a JSON object"),
        (#"{"user_id":"1","stars":50}"#, 400, "MISSING_FIELD", "platform is required"),
        (#"{"platform":"telegram","stars":50}"#, 400, "MISSING_FIELD", "user_id is required"),
        (#"{"platform":"telegram","user_id":"123456789"}"#, 400, "MISSING_FIELD", "stars is required"),
        (#"{"platform":"whatsapp","user_id":"1","stars":50}"#, 400, "UNSUPPORTED_PLATFORM", #"platform must be \"telegram\""#),
        (#"{"platform":"telegram","user_id":"@username","stars":50}"#, 400, "INVALID_USER_ID", "user_id must be a numeric Telegram user ID"),
        (#"{"platform":"telegram","user_id":"-5","stars":50}"#, 400, "INVALID_USER_ID", "user_id must be a numeric Telegram user ID"),
        (#"{"platform":"telegram","user_id":"42","stars":50}"#, 404, "USER_NOT_FOUND", "No Telegram user with this user_id"),
        (#"{"platform":"telegram","user_id":"100000004","stars":50}"#, 422, "USER_CANNOT_RECEIVE", "This Telegram user cannot receive Stars"),
    ])
    func badTopup(body: String, status: Int, code: String, message: String) {
        let response = ResellerWorld.send(ResellerWorld.world(), "POST", "/topup", body: body)
        #expect(response.status == status)
        #expect(response.bodyText == ResellerWorld.error(code, message))
    }

    @Test("Unknown, non-canonical and other accounts' order ids are all ORDER_NOT_FOUND", arguments: [
        "/orders/ORD-005", "/orders/ORD-5", "/orders/ord-005", "/orders/ORD-0005", "/orders/5", "/orders/ORD-006",
    ])
    func orderNotFound(target: String) throws {
        let world = ResellerWorld.world()
        _ = ResellerWorld.send(world, "POST", "/topup", key: ResellerWorld.otherKey, body: try ResellerWorld.fixture("topup.request.json"))
        let response = ResellerWorld.send(world, "GET", target)
        #expect(response.status == 404)
        #expect(response.bodyText == ResellerWorld.error("ORDER_NOT_FOUND", "No such order"))
    }

    @Test("The 61st request in a minute is refused with Retry-After")
    func rateLimit() {
        let world = ResellerWorld.world()
        for _ in 0..<60 { #expect(ResellerWorld.send(world, "GET", "/balance").status == 200) }
        let limited = ResellerWorld.send(world, "GET", "/balance")
        #expect(limited.status == 429)
        #expect(limited.headers.contains { $0 == ("Retry-After", "60") })
        #expect(limited.bodyText == ResellerWorld.error("RATE_LIMITED", "Too many requests: 60 per minute per key"))
        world.advance(by: .seconds(60))
        #expect(ResellerWorld.send(world, "GET", "/balance").status == 200)
    }

    @Test("Wrong method: 405 with Allow; unknown path: 404")
    func routing() {
        let world = ResellerWorld.world()
        let wrong = ResellerWorld.send(world, "GET", "/topup")
        #expect(wrong.status == 405)
        #expect(wrong.headers.contains { $0 == ("Allow", "POST") })
        #expect(wrong.bodyText == ResellerWorld.error("METHOD_NOT_ALLOWED", "Method not allowed; use POST"))
        let unknown = ResellerWorld.send(world, "GET", "/orders")
        #expect(unknown.status == 404)
        #expect(unknown.bodyText == ResellerWorld.error("NOT_FOUND", "Unknown endpoint"))
    }

    @Test("Scripted faults render in the dialect's shape", arguments: Reseller().faultCodes)
    func faults(code: String) {
        var setup = ResellerWorld.setup()
        setup.faults = [FaultRule(dialect: "reseller", code: code)]
        let world = ResellerWorld.world(setup)
        let response = ResellerWorld.send(world, "GET", "/balance")
        #expect(response.status >= 400)
        #expect(response.bodyText.hasPrefix(#"{ "error": { "code": "\#(code)", "message": "#))
    }

    @Test("Only the reseller's own paths are claimed, and the full set routes them to it")
    func claims() {
        let reseller = Reseller()
        for path in ["/validate-user", "/topup", "/orders/ORD-005", "/balance", "/packages"] {
            #expect(reseller.claims(path: path))
            #expect(DialectSet.everything.dialect(for: path)?.name == "reseller")
        }
        for path in ["/api/v1/balance", "/api/invoice", "/bot123:abc/getMe", "/", "/topupx"] {
            #expect(!reseller.claims(path: path))
        }
    }
}

@Suite("reseller and papaya in the demo world")
struct ResellerDemoWorldTests {
    @Test("The demo world validates 123456789 as @username and numbers its first top-up ORD-005")
    func resellerDemo() throws {
        let world = World(.demo)
        let validated = ResellerWorld.send(
            world, "POST", "/validate-user", key: "reseller-demo-key", body: try ResellerWorld.fixture("validate-user.request.json"))
        #expect(validated.bodyText == (try ResellerWorld.fixture("validate-user.response.json")))
        let topup = ResellerWorld.send(
            world, "POST", "/topup", key: "reseller-demo-key", body: try ResellerWorld.fixture("topup.request.json"))
        #expect(topup.bodyText == (try ResellerWorld.fixture("topup.response.json")))
        #expect(ResellerWorld.send(world, "GET", "/balance", key: "reseller-demo-key").bodyText == #"{ "balance": "91.75", "currency": "USD" }"#)
    }

    @Test("The demo world's papaya application has one paid invoice and an active subscription")
    func papayaDemo() {
        let world = World(.demo)
        let invoice = PapayaWorld.send(world, "GET", "/api/invoice/1", key: "papaya-demo-key")
        #expect(
            invoice.bodyText
                == #"{"id":1,"recipient":"username","rate":4.99,"createdAt":"2026-03-28T03:00:00Z","isPaid":true,"metadata":{"plan":"monthly"},"botUrl":"https://t.me/PapayaPayBot?start=invoice_1"}"#)
        let list = PapayaWorld.send(world, "GET", "/api/subscriptions", key: "papaya-demo-key")
        #expect(
            list.bodyText
                == #"{"items":[{"id":1,"chainId":137,"tokenName":"USDT","tx":"0x19bef4f2230c5a83a7e4176bd6ac4dc799ca7625b850388fef3bcc268404728f","tgUserId":123456789,"userAddress":"0x5fdf77447a5f69157b22ca652559cb146a9bd766","createdAt":"2026-03-28T03:00:00Z","isActive":true}],"totalCount":1,"page":1,"limit":50,"totalPages":1}"#)
        #expect(PapayaWorld.create(world, key: "papaya-demo-key").bodyText.hasPrefix(#"{"id":2,"#))
    }
}
