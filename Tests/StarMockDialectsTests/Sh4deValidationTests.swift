import StarMockCore
import StarMockDialects
import Testing

/// What the seed leaves open and we chose (docs/dialects/sh4de.md, "Our choices"): a 400 with
/// a code in the documented style for every malformed request, checked before any money moves.
@Suite("sh4de: our validation choices")
struct Sh4deValidationTests {
    /// A request that must be refused with `status`/`code`/`message` and change nothing.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let why: String
        let target: String
        let body: String
        let status: Int
        let code: String
        let message: String
        var testDescription: String { why }
    }

    static let stars = "/api/v1/order/stars"
    static let premium = "/api/v1/order/premium"

    static let refusals: [Refusal] = [
        // Body
        Refusal(why: "invalid JSON", target: stars, body: #"{"username": "some_user", "quantity": 100"#,
                status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object"),
        Refusal(why: "empty body", target: stars, body: "",
                status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object"),
        Refusal(why: "body is an array", target: stars, body: #"[{"username":"some_user","quantity":100}]"#,
                status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object"),
        Refusal(why: "body is a string", target: premium, body: #""some_user""#,
                status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object"),
        Refusal(why: "body is a form, not JSON", target: stars, body: "username=some_user&quantity=100",
                status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object"),
        // Missing fields
        Refusal(why: "stars without username", target: stars, body: #"{"quantity":100}"#,
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        Refusal(why: "stars with username null", target: stars, body: #"{"username":null,"quantity":100}"#,
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        Refusal(why: "stars with an empty username", target: stars, body: #"{"username":"","quantity":100}"#,
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        Refusal(why: "stars with username \"@\"", target: stars, body: #"{"username":"@","quantity":100}"#,
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        Refusal(why: "stars without quantity", target: stars, body: #"{"username":"some_user"}"#,
                status: 400, code: "MISSING_FIELD", message: "quantity is required"),
        Refusal(why: "premium without username", target: premium, body: #"{"months":3}"#,
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        Refusal(why: "premium without months", target: premium, body: #"{"username":"some_user"}"#,
                status: 400, code: "MISSING_FIELD", message: "months is required"),
        Refusal(why: "empty object", target: stars, body: "{}",
                status: 400, code: "MISSING_FIELD", message: "username is required"),
        // Wrong types
        Refusal(why: "quantity as a string \"100\"", target: stars, body: #"{"username":"some_user","quantity":"100"}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity 100.5", target: stars, body: #"{"username":"some_user","quantity":100.5}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity 100.0 (not an integer literal)", target: stars, body: #"{"username":"some_user","quantity":100.0}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity 1e2", target: stars, body: #"{"username":"some_user","quantity":1e2}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity true", target: stars, body: #"{"username":"some_user","quantity":true}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "username a number", target: stars, body: #"{"username":42,"quantity":100}"#,
                status: 400, code: "INVALID_FIELD", message: "username must be a string"),
        Refusal(why: "months as a string \"3\"", target: premium, body: #"{"username":"some_user","months":"3"}"#,
                status: 400, code: "INVALID_MONTHS", message: "months must be 3, 6, or 12"),
        Refusal(why: "months 3.0", target: premium, body: #"{"username":"some_user","months":3.0}"#,
                status: 400, code: "INVALID_MONTHS", message: "months must be 3, 6, or 12"),
        // Ranges
        Refusal(why: "quantity 49 (documented minimum 50)", target: stars, body: #"{"username":"some_user","quantity":49}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity 0", target: stars, body: #"{"username":"some_user","quantity":0}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity -100", target: stars, body: #"{"username":"some_user","quantity":-100}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "quantity beyond 64 bits", target: stars, body: #"{"username":"some_user","quantity":99999999999999999999}"#,
                status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from 50 to 1000000"),
        Refusal(why: "months 1", target: premium, body: #"{"username":"some_user","months":1}"#,
                status: 400, code: "INVALID_MONTHS", message: "months must be 3, 6, or 12"),
        Refusal(why: "months 24", target: premium, body: #"{"username":"some_user","months":24}"#,
                status: 400, code: "INVALID_MONTHS", message: "months must be 3, 6, or 12"),
        // Recipients
        Refusal(why: "stars to an unknown user", target: stars, body: #"{"username":"nobody_by_that_name","quantity":100}"#,
                status: 404, code: "USER_NOT_FOUND", message: "Telegram username not found"),
        Refusal(why: "premium to an unknown user", target: premium, body: #"{"username":"nobody_by_that_name","months":3}"#,
                status: 404, code: "USER_NOT_FOUND", message: "Telegram username not found"),
        Refusal(why: "stars to a user who cannot receive stars", target: stars, body: #"{"username":"no_stars","quantity":100}"#,
                status: 400, code: "USER_CANNOT_RECEIVE", message: "This user cannot receive Stars"),
        Refusal(why: "premium to a user who cannot receive premium", target: premium, body: #"{"username":"no_premium","months":3}"#,
                status: 400, code: "USER_CANNOT_RECEIVE", message: "This user cannot receive Premium"),
    ]

    @Test("malformed orders are refused and nothing is charged", arguments: refusals)
    func refused(_ r: Refusal) {
        let h = Sh4deHarness()
        let response = h.send("POST", r.target, body: r.body)
        #expect(response.status == r.status)
        #expect(response.bodyText == sh4deErrorBody(r.code, r.message))
        #expect(h.balance == "25.50")
        #expect(h.order(47) == nil)
        #expect(h.isConsistent)
    }

    @Test("validation happens after authentication: no key still says MISSING_API_KEY")
    func authFirst() {
        let h = Sh4deHarness()
        #expect(h.send("POST", Self.stars, key: nil, body: "not json").code == "MISSING_API_KEY")
    }

    @Test("with a bad body, the field problem comes before the balance: INVALID_QUANTITY, not INSUFFICIENT_BALANCE")
    func fieldsBeforeBalance() throws {
        let h = Sh4deHarness()
        try h.setBalance("0.00")
        #expect(h.orderStars(quantity: 10).code == "INVALID_QUANTITY")
        #expect(h.orderStars("nobody_by_that_name").code == "USER_NOT_FOUND")
        #expect(h.orderStars().code == "INSUFFICIENT_BALANCE")
    }

    // MARK: Accepted variants

    /// Seed: "username — Telegram username (with or without @)".
    @Test("username with @ is accepted and answered without it", arguments: ["@some_user", "some_user", "@Some_User"])
    func usernameWithAt(_ username: String) throws {
        let h = Sh4deHarness()
        let response = h.orderStars(username)
        #expect(response.status == 200)
        #expect(response.bodyText == (try Sh4deFixture.text("order-stars.json")))
        #expect(h.order(47)?.username == "some_user")
    }

    @Test("unknown fields are ignored; the last duplicate field wins, as in Python")
    func extraFields() {
        let h = Sh4deHarness()
        let response = h.send(
            "POST", Self.stars, body: #"{"username":"some_user","quantity":60,"comment":"hi","quantity":100}"#)
        #expect(response.status == 200)
        #expect(response.json?["quantity"] == .int(100))
    }

    @Test("users who can receive one kind but not the other")
    func partialUsers() {
        let h = Sh4deHarness()
        #expect(h.orderPremium("no_stars").status == 200)
        #expect(h.orderStars("no_premium").status == 200)
        #expect(h.isConsistent)
    }

    /// Documented choice: cost = 0.013 × quantity rounded half up to whole cents.
    @Test(
        "star cost is rounded half up to the cent",
        arguments: [
            (50, "0.65"), (51, "0.66"), (54, "0.70"), (55, "0.72"), (57, "0.74"), (58, "0.75"), (100, "1.30"),
            (1000, "13.00"), (1_000_000, "13000.00"),
        ])
    func costRounding(quantity: Int, cost: String) throws {
        let h = Sh4deHarness()
        try h.setBalance("20000.00")
        let response = h.orderStars(quantity: quantity)
        #expect(response.status == 200)
        #expect(response.json?["cost_usd"] == .number(cost))
        #expect(h.account.map { (Money(cents: 2_000_000) - $0.available).twoDecimals } == cost)
        #expect(h.isConsistent)
    }

    @Test("more than 1 000 000 stars in one order is refused (our cap)")
    func quantityCap() throws {
        let h = Sh4deHarness()
        try h.setBalance("20000.00")
        #expect(h.orderStars(quantity: 1_000_001).code == "INVALID_QUANTITY")
        #expect(h.balance == "20000.00")
    }

    @Test("premium prices: 4.99, 8.99, 15.99", arguments: [(3, "4.99", "20.51"), (6, "8.99", "16.51"), (12, "15.99", "9.51")])
    func premiumPrices(months: Int, cost: String, newBalance: String) {
        let h = Sh4deHarness()
        let response = h.orderPremium(months: months)
        #expect(response.status == 200)
        #expect(response.json?["cost_usd"] == .number(cost))
        #expect(response.json?["new_balance_usd"] == .number(newBalance))
    }

    // MARK: Routing

    @Test(
        "an unknown path is 404 NOT_FOUND, before authentication",
        arguments: ["/api/v1/orders", "/api/v1/order", "/api/v1/order/47/cancel", "/api/v1", "/api/v2/prices", "/", "/prices"])
    func unknownPath(_ target: String) {
        let h = Sh4deHarness()
        for key: String? in [Sh4deHarness.docsKey, nil] {
            let response = h.send("GET", target, key: key)
            #expect(response.status == 404)
            #expect(response.bodyText == sh4deErrorBody("NOT_FOUND", "Unknown endpoint"))
        }
    }

    @Test(
        "a known path with the wrong method is 405 METHOD_NOT_ALLOWED with Allow",
        arguments: [
            ("POST", "/api/v1/prices", "GET"), ("DELETE", "/api/v1/balance", "GET"), ("PUT", "/api/v1/user/durov", "GET"),
            ("GET", "/api/v1/order/stars", "POST"), ("GET", "/api/v1/order/premium", "POST"),
            ("POST", "/api/v1/order/47", "GET"),
        ])
    func wrongMethod(method: String, target: String, allowed: String) {
        let h = Sh4deHarness()
        let response = h.send(method, target)
        #expect(response.status == 405)
        #expect(response.bodyText == sh4deErrorBody("METHOD_NOT_ALLOWED", "Method not allowed; use \(allowed)"))
        // HEAD is served wherever GET is, so Allow names it too.
        #expect(response.header("Allow") == (allowed == "GET" ? "GET, HEAD" : allowed))
    }

    @Test("HEAD is answered like GET (the server sends no body)")
    func head() throws {
        let h = Sh4deHarness()
        let response = h.send("HEAD", "/api/v1/prices")
        #expect(response.status == 200)
        #expect(response.body == (try Sh4deFixture.bytes("prices.json")))
        #expect(h.send("HEAD", "/api/v1/order/stars").status == 405)
    }

    @Test("methods are matched case-insensitively; a trailing slash is the same path")
    func lenientRouting() throws {
        let h = Sh4deHarness()
        #expect(h.send("get", "/api/v1/prices").status == 200)
        #expect(h.send("GET", "/api/v1/prices/").body == (try Sh4deFixture.bytes("prices.json")))
        #expect(h.send("GET", "/api/v1/prices?currency=EUR").body == (try Sh4deFixture.bytes("prices.json")))
    }

    @Test("a non-numeric or non-positive order id is ORDER_NOT_FOUND", arguments: ["abc", "47.0", "0", "-1", "47abc", "%34%37x"])
    func badOrderID(_ id: String) {
        let h = Sh4deHarness()
        h.orderStars()
        let response = h.send("GET", "/api/v1/order/\(id)")
        #expect(response.status == 404)
        #expect(response.bodyText == sh4deErrorBody("ORDER_NOT_FOUND", "Order ID doesn't exist"))
    }

    @Test("a body over the server's limit is 413 PAYLOAD_TOO_LARGE in sh4de's shape")
    func payloadTooLarge() {
        let response = Sh4de().render(.bodyTooLarge(limit: 1 << 20))
        #expect(response.status == 413)
        #expect(response.bodyText == sh4deErrorBody("PAYLOAD_TOO_LARGE", "Request body is larger than 1048576 bytes"))
    }

    @Test("percent-encoded usernames in the lookup path are decoded")
    func percentEncodedUser() {
        let h = Sh4deHarness()
        #expect(h.send("GET", "/api/v1/user/%40durov").json?["username"] == .string("durov"))
    }
}

@Suite("sh4de: order ids are plain digits")
struct Sh4deOrderIDTests {
    @Test("A signed or padded id is not an order id", arguments: ["+47", "-47", " 47", "4_7"])
    func signedIDs(_ id: String) {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        let world = World(setup)
        let dialects = DialectSet([Sh4de()])
        let key = [("X-API-Key", "sh4de_xxxx")]
        _ = world.transact {
            dialects.respond(
                to: DialectRequest(
                    method: "POST", target: "/api/v1/order/stars", headers: key,
                    body: Array(#"{"username":"some_user","quantity":100}"#.utf8)), in: &$0)
        }
        let routed = world.transact {
            dialects.respond(to: DialectRequest(method: "GET", path: "/api/v1/order/\(id)", headers: key), in: &$0)
        }
        guard case .now(let response) = routed.reply else {
            Issue.record("expected an answer now")
            return
        }
        #expect(response.status == 404)
        #expect((try? JSON.parse(response.body))?["code"] == .string("ORDER_NOT_FOUND"))
    }
}
