import StarMockCore
import StarMockDialects
import Testing

@Suite("telegram: paths, tokens and the envelope")
struct TelegramEnvelopeTests {
    @Test("getMyStarBalance answers the demo bot's StarAmount, without nanostar_amount when 0")
    func balance() {
        let response = telegramSend(telegramWorld(), "GET", "/bot\(demoToken)/getMyStarBalance")
        #expect(response.status == 200)
        #expect(response.headers.first { $0.0 == "Content-Type" }?.1 == "application/json")
        #expect(response.bodyText == #"{"ok":true,"result":{"amount":1500}}"#)
    }

    @Test("A fractional and a negative balance keep exact integers")
    func nanostars() {
        let world = telegramWorld { $0.telegram.bots[0].balance = StarAmount(amount: -3, nanostarAmount: -250_000_000) }
        #expect(
            telegramSend(world, "POST", "/bot\(demoToken)/getMyStarBalance").bodyText
                == #"{"ok":true,"result":{"amount":-3,"nanostar_amount":-250000000}}"#)
    }

    @Test("Method names are case-insensitive", arguments: ["getMyStarBalance", "getmystarbalance", "GETMYSTARBALANCE"])
    func caseInsensitive(method: String) {
        #expect(telegramSend(telegramWorld(), "GET", "/bot\(demoToken)/\(method)").status == 200)
    }

    @Test("getMe describes the bot, its id the token's numeric prefix")
    func getMe() {
        #expect(
            telegramSend(telegramWorld(), "POST", "/bot\(demoToken)/getMe").bodyText
                == #"{"ok":true,"result":{"id":123456789,"is_bot":true,"first_name":"StarMock Demo","username":"starmock_demo_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,"can_connect_to_business":false,"has_main_web_app":false}}"#
        )
    }

    @Test(
        "Malformed tokens: 401 Unauthorized: invalid token specified",
        arguments: [
            "123456789AAnocolon", "0123456789:AAleadingzero", "abc:AAnotnumeric", "-5:AAnegative", ":AAnoid",
            "123456789:" + String(repeating: "A", count: 71), "18014398509481984:AAtoobig",
        ])
    func malformedToken(token: String) {
        let response = telegramSend(telegramWorld(), "GET", "/bot\(token)/getMe")
        #expect(response.status == 401)
        #expect(response.bodyText == #"{"ok":false,"error_code":401,"description":"Unauthorized: invalid token specified"}"#)
    }

    @Test("An unknown well-formed token: 401 Unauthorized")
    func unknownToken() {
        let response = telegramSend(telegramWorld(), "GET", "/bot987654321:AAunknown_token_0000000000000000000/getMe")
        #expect(response.status == 401)
        #expect(response.bodyText == #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#)
    }

    @Test("A disabled token (revoked) is Unauthorized")
    func disabledToken() {
        let world = telegramWorld()
        _ = world.transact { $0.setKey(demoToken, enabled: false) }
        #expect(telegramSend(world, "GET", "/bot\(demoToken)/getMe").status == 401)
    }

    @Test("Unknown method: 404 Not Found: method not found")
    func unknownMethod() {
        let response = telegramSend(telegramWorld(), "GET", "/bot\(demoToken)/sendStars")
        #expect(response.status == 404)
        #expect(response.bodyText == #"{"ok":false,"error_code":404,"description":"Not Found: method not found"}"#)
    }

    @Test("Paths without a method, and paths the dialect alone is asked about: 404 Not Found",
        arguments: ["/bot\(TelegramSetup.demoToken)", "/bot", "/api/v1/balance", "/"])
    func notFound(path: String) {
        let response = telegramSend(telegramWorld(), "GET", path)
        #expect(response.status == 404)
        #expect(response.bodyText == #"{"ok":false,"error_code":404,"description":"Not Found"}"#)
    }

    @Test("The dialect claims /bot paths only")
    func claims() {
        let dialect = TelegramBotAPI()
        #expect(dialect.claims(path: "/bot123:abc/getMe"))
        #expect(!dialect.claims(path: "/api/v1/balance"))
        #expect(dialect.credential(of: DialectRequest(method: "GET", target: "/bot\(demoToken)/getMe")).secret == demoToken)
    }

    @Test("Flood control: past 30 requests in a second, 429 with retry_after and Retry-After")
    func rateLimit() {
        let world = telegramWorld()
        for _ in 0..<30 { #expect(telegramSend(world, "GET", "/bot\(demoToken)/getMe").status == 200) }
        let limited = telegramSend(world, "GET", "/bot\(demoToken)/getMe")
        #expect(limited.status == 429)
        #expect(
            limited.bodyText
                == #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#)
        #expect(limited.headers.first { $0.0 == "Retry-After" }?.1 == "1")
        world.advance(by: .seconds(1))
        #expect(telegramSend(world, "GET", "/bot\(demoToken)/getMe").status == 200)
    }

    @Test("An explicit dialect limit wins over the setup's default; a nil default means no limit")
    func rateLimitConfiguration() {
        let strict = telegramWorld { $0.rateLimits["telegram"] = .limited(RateLimit(limit: 1, window: .seconds(10))) }
        #expect(telegramSend(strict, "GET", "/bot\(demoToken)/getMe").status == 200)
        let limited = telegramSend(strict, "GET", "/bot\(demoToken)/getMe")
        #expect(limited.status == 429)
        #expect(limited.headers.first { $0.0 == "Retry-After" }?.1 == "10")

        let unlimited = telegramWorld { $0.telegram.rateLimit = nil }
        for _ in 0..<100 { #expect(telegramSend(unlimited, "GET", "/bot\(demoToken)/getMe").status == 200) }
    }

    @Test("The scripted TOO_MANY_REQUESTS fault answers with TelegramSetup.floodRetryAfter")
    func scriptedFlood() {
        let world = telegramWorld {
            $0.telegram.floodRetryAfter = 7
            $0.faults = [FaultRule(dialect: "telegram", code: "TOO_MANY_REQUESTS", times: 1)]
        }
        let limited = telegramSend(world, "GET", "/bot\(demoToken)/getMyStarBalance")
        #expect(limited.status == 429)
        #expect(
            limited.bodyText
                == #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#)
        #expect(limited.headers.first { $0.0 == "Retry-After" }?.1 == "7")
        #expect(telegramSend(world, "GET", "/bot\(demoToken)/getMyStarBalance").status == 200)
    }

    @Test("Every listed fault code renders as a Bot API error", arguments: TelegramBotAPI().faultCodes)
    func faultCodes(code: String) throws {
        let w = telegramWorld()
        let response = try #require(
            w.transact { TelegramBotAPI().renderFault(code: code, request: DialectRequest(method: "GET", target: "/"), in: &$0) })
        let json = try JSON.parse(response.body)
        #expect(json["ok"] == .bool(false))
        #expect(json["error_code"]?.intValue == response.status)
        #expect(response.status >= 400)
    }
}
