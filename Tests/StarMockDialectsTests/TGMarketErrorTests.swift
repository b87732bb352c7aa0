import StarMockCore
import StarMockDialects
import Testing

/// Every row of the error tables (seed 000, DIALECTS.md §2), and the errors we added for what
/// the documents leave open. Error bodies are `{"ok":false,"error":"<code>"}`.
@Suite("TG Market: the error catalogue")
struct TGMarketErrorTests {
    static func body(_ code: String) -> String { #"{"ok":false,"error":"\#(code)"}"# }

    // MARK: Authentication — "401 missing_api_key: Authorization header missing"

    @Test(
        "no Authorization header: 401 missing_api_key, on every endpoint",
        arguments: [("GET", "/api/v2/balance"), ("POST", "/api/v2/stars"), ("POST", "/api/v2/premium"),
            ("GET", "/api/v2/stars/42"), ("GET", "/api/v2/premium/42")])
    func missingKey(method: String, path: String) throws {
        let client = TGClient(world: TGWorld.demo(), key: nil)
        let response = try client.send(method, path, body: TGWorld.starsBody)
        #expect(response.status == 401)
        #expect(response.bodyText == Self.body("missing_api_key"))
    }

    @Test("an empty Authorization header counts as missing")
    func emptyHeader() throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("GET", "/api/v2/balance", headers: [("Authorization", "")])
        #expect(response.status == 401)
        #expect(response.bodyText == Self.body("missing_api_key"))
    }

    // "401 invalid_api_key: API key is invalid or inactive"
    @Test(
        "a key that is unknown, of another dialect, or not sent as Bearer: 401 invalid_api_key",
        arguments: ["Bearer sk-nope", "Bearer sh4de_xxxx", "sk-demo-tgmarket", "Basic sk-demo-tgmarket", "Bearer",
            "Token sk-demo-tgmarket"])
    func invalidKey(header: String) throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("GET", "/api/v2/balance", headers: [("Authorization", header)])
        #expect(response.status == 401)
        #expect(response.bodyText == Self.body("invalid_api_key"))
    }

    @Test("the Bearer scheme is case-insensitive and surrounding spaces are ignored")
    func schemeCase() throws {
        let client = TGClient(world: TGWorld.demo())
        for header in ["bearer sk-demo-tgmarket", "BEARER  sk-demo-tgmarket ", "Bearer sk-demo-tgmarket"] {
            #expect(try client.send("GET", "/api/v2/balance", headers: [("Authorization", header)]).status == 200)
        }
    }

    @Test("a disabled (inactive) key: 401 invalid_api_key, and enabled again it works")
    func inactiveKey() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        #expect(world.transact { $0.setKey(TGWorld.key, enabled: false) })
        let response = try client.send("GET", "/api/v2/balance")
        #expect(response.status == 401)
        #expect(response.bodyText == Self.body("invalid_api_key"))
        #expect(world.transact { $0.setKey(TGWorld.key, enabled: true) })
        #expect(try client.send("GET", "/api/v2/balance").status == 200)
    }

    // MARK: Purchases

    // "400 username_required: Missing target username"
    @Test(
        "no usable target username: 400 username_required",
        arguments: [#"{"amount":100}"#, #"{"username":null,"amount":100}"#, #"{"username":"","amount":100}"#,
            #"{"username":"@","amount":100}"#, #"{"username":42,"amount":100}"#])
    func usernameRequired(body: String) throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send("POST", "/api/v2/stars", body: body)
        #expect(response.status == 400)
        #expect(response.bodyText == Self.body("username_required"))
        #expect(world.read { $0.orders.isEmpty })
    }

    @Test("premium checks the username too")
    func premiumUsernameRequired() throws {
        let response = try TGClient(world: TGWorld.demo()).send("POST", "/api/v2/premium", body: #"{"duration":3}"#)
        #expect(response.status == 400)
        #expect(response.bodyText == Self.body("username_required"))
    }

    // "400 amount must be int...: Invalid star amount" — the code is the free text itself.
    @Test(
        "an amount that is not an integer from 50 to 1,000,000: 400 \"amount must be int...\"",
        arguments: [#""# , #","amount":"100""#, #","amount":100.0"#, #","amount":1e2"#, #","amount":true"#,
            #","amount":null"#, #","amount":49"#, #","amount":0"#, #","amount":-100"#, #","amount":1000001"#,
            #","amount":99999999999999999999999"#])
    func invalidAmount(tail: String) throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send("POST", "/api/v2/stars", body: #"{"username":"target"\#(tail)}"#)
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"ok":false,"error":"amount must be int..."}"#)
        #expect(world.read { $0.orders.isEmpty })
    }

    @Test("the amount bounds themselves are accepted", arguments: [50, 1_000_000])
    func amountBounds(amount: Int) throws {
        let world = TGWorld.demo { $0.accounts[TGWorld.owner] = Account(available: Money(cents: 2_000_000)) }
        let response = try TGClient(world: world).send("POST", "/api/v2/stars", body: #"{"username":"target","amount":\#(amount)}"#)
        #expect(response.status == 200)
    }

    // "400 duration must be 3, 6, or 12: Invalid duration value"
    @Test(
        "a duration other than 3, 6 or 12: 400 \"duration must be 3, 6, or 12\"",
        arguments: [#""#, #","duration":1"#, #","duration":"3""#, #","duration":3.0"#, #","duration":24"#,
            #","duration":null"#, #","months":3"#])
    func invalidDuration(tail: String) throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send("POST", "/api/v2/premium", body: #"{"username":"target"\#(tail)}"#)
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"ok":false,"error":"duration must be 3, 6, or 12"}"#)
        #expect(world.read { $0.orders.isEmpty })
    }

    // "400 insufficient_balance: Not enough funds in wallet"
    @Test("a price above the available funds: 400 insufficient_balance, nothing reserved, no id used")
    func insufficientBalance() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        // 2,200 stars × 0.012 = 26.40 > 25.50.
        let response = try client.send("POST", "/api/v2/stars", body: #"{"username":"target","amount":2200}"#)
        #expect(response.status == 400)
        #expect(response.bodyText == Self.body("insufficient_balance"))
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":0.0,"available_usd":25.5}"#)
        #expect(try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody).bodyText.contains(#""order_id":42,"#))
    }

    @Test("locked funds are not available: the second order that would overdraw is refused")
    func lockedFundsNotAvailable() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        // Premium for 3 months is 4.99: five orders lock 24.95 of 25.50; a sixth does not fit.
        for _ in 0..<5 {
            #expect(try client.send("POST", "/api/v2/premium", body: #"{"username":"target","duration":3}"#).status == 200)
        }
        let sixth = try client.send("POST", "/api/v2/premium", body: #"{"username":"target","duration":3}"#)
        #expect(sixth.status == 400)
        #expect(sixth.bodyText == Self.body("insufficient_balance"))
        #expect(try client.balance() == #"{"ok":true,"balance_usd":25.5,"locked_usd":24.95,"available_usd":0.55}"#)
    }

    // "404 user_not_found: User record not found" — ours: an unknown target answers it too.
    @Test("an unknown target username: 404 user_not_found", arguments: ["/api/v2/stars", "/api/v2/premium"])
    func unknownTarget(path: String) throws {
        let world = TGWorld.demo()
        let response = try TGClient(world: world).send(
            "POST", path, body: #"{"username":"nobody_here","amount":100,"duration":3}"#)
        #expect(response.status == 404)
        #expect(response.bodyText == Self.body("user_not_found"))
        #expect(world.read { $0.orders.isEmpty })
    }

    @Test("the target may be written with @ and in any case; the body names the user as Telegram does")
    func usernameForms() throws {
        let client = TGClient(world: TGWorld.demo())
        let response = try client.send("POST", "/api/v2/stars", body: #"{"username":"@Target","amount":100}"#)
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""username":"target","#))
    }

    // Ours: a user who cannot receive the product.
    @Test("a target who cannot receive the product: 400 user_cannot_receive")
    func cannotReceive() throws {
        let world = TGWorld.demo()
        let client = TGClient(world: world)
        let stars = try client.send("POST", "/api/v2/stars", body: #"{"username":"no_stars","amount":100}"#)
        #expect(stars.status == 400)
        #expect(stars.bodyText == Self.body("user_cannot_receive"))
        let premium = try client.send("POST", "/api/v2/premium", body: #"{"username":"no_premium","duration":6}"#)
        #expect(premium.status == 400)
        #expect(premium.bodyText == Self.body("user_cannot_receive"))
        #expect(world.read { $0.orders.isEmpty })
    }

    // Ours: "400 Bad Request — Invalid JSON" in the status code table, with a code of ours.
    @Test(
        "a body that is not a JSON object: 400 invalid_json",
        arguments: ["", "not json", "[]", #""target""#, #"{"username":"target","amount":100"#, "null"])
    func invalidJSON(body: String) throws {
        let response = try TGClient(world: TGWorld.demo()).send("POST", "/api/v2/stars", body: body)
        #expect(response.status == 400)
        #expect(response.bodyText == Self.body("invalid_json"))
    }

    // MARK: Order status — "404 order_not_found: Order does not exist or doesn't belong to you"

    @Test(
        "an order that does not exist, or an id that is not a number: 404 order_not_found",
        arguments: ["/api/v2/stars/42", "/api/v2/stars/0", "/api/v2/stars/-1", "/api/v2/stars/abc",
            "/api/v2/premium/42", "/api/v2/stars/42.0"])
    func orderNotFound(path: String) throws {
        let response = try TGClient(world: TGWorld.demo()).send("GET", path)
        #expect(response.status == 404)
        #expect(response.bodyText == Self.body("order_not_found"))
    }

    @Test("another key's order: 404 order_not_found (not sh4de's 403), even for a key of the same owner")
    func anotherKeysOrder() throws {
        let world = TGWorld.demo {
            $0.keys.append(APIKey(key: "sk-other", dialect: "tgmarket", label: "Other", owner: "other"))
            $0.keys.append(APIKey(key: "sk-sibling", dialect: "tgmarket", label: "Sibling", owner: TGWorld.owner))
        }
        #expect(try TGClient(world: world).send("POST", "/api/v2/stars", body: TGWorld.starsBody).status == 200)
        for key in ["sk-other", "sk-sibling"] {
            let response = try TGClient(world: world, key: key).send("GET", "/api/v2/stars/42")
            #expect(response.status == 404)
            #expect(response.bodyText == Self.body("order_not_found"))
        }
        #expect(try TGClient(world: world).send("GET", "/api/v2/stars/42").status == 200)
    }

    @Test("a stars id asked on the premium path, and the reverse: 404 order_not_found")
    func wrongKindPath() throws {
        let client = TGClient(world: TGWorld.demo())
        #expect(try client.send("POST", "/api/v2/stars", body: TGWorld.starsBody).status == 200)  // 42
        #expect(try client.send("POST", "/api/v2/premium", body: #"{"username":"target","duration":3}"#).status == 200)  // 43
        #expect(try client.send("GET", "/api/v2/premium/42").bodyText == Self.body("order_not_found"))
        #expect(try client.send("GET", "/api/v2/stars/43").bodyText == Self.body("order_not_found"))
        #expect(try client.send("GET", "/api/v2/stars/42").status == 200)
        #expect(try client.send("GET", "/api/v2/premium/43").status == 200)
    }

    // MARK: Routing (ours)

    @Test(
        "an unknown path under /api/v2: 404 not_found",
        arguments: ["/api/v2", "/api/v2/", "/api/v2/prices", "/api/v2/stars/42/cancel", "/api/v2/order/42"])
    func unknownPath(path: String) throws {
        let response = try TGClient(world: TGWorld.demo()).send("GET", path)
        #expect(response.status == 404)
        #expect(response.bodyText == Self.body("not_found"))
    }

    @Test(
        "a known path with another method: 405 method_not_allowed with Allow",
        // HEAD is answered wherever GET is, so `Allow` lists it too (RFC 9110).
        arguments: [("POST", "/api/v2/balance", "GET, HEAD"), ("GET", "/api/v2/stars", "POST"), ("PUT", "/api/v2/premium", "POST"),
            ("DELETE", "/api/v2/stars/42", "GET, HEAD")])
    func wrongMethod(method: String, path: String, allow: String) throws {
        let response = try TGClient(world: TGWorld.demo()).send(method, path)
        #expect(response.status == 405)
        #expect(response.bodyText == Self.body("method_not_allowed"))
        #expect(response.headers.first { $0.0 == "Allow" }?.1 == allow)
    }

    @Test("HEAD is answered like GET")
    func head() throws {
        #expect(try TGClient(world: TGWorld.demo()).send("HEAD", "/api/v2/balance").status == 200)
    }

    @Test("problems found before the dialect reads the request, in TG Market's shape")
    func requestProblems() {
        let dialect = TGMarket()
        let tooLarge = dialect.render(.bodyTooLarge(limit: 1024))
        #expect(tooLarge.status == 413)
        #expect(tooLarge.bodyText == Self.body("payload_too_large"))
        #expect(dialect.render(.notFound).bodyText == Self.body("not_found"))
        #expect(dialect.render(.methodNotAllowed(allowed: ["GET"])).status == 405)
    }
}
