import StarMockCore
import StarMockDialects
import Testing

/// One row of the seed's "Error Reference" table and a way to make the dialect answer with it.
struct DocumentedError: Sendable, CustomTestStringConvertible {
    /// The row exactly as the seed prints it (HTTP, Code and Meaning run together).
    let seedRow: String
    let status: Int
    let code: String
    /// The message we send: the table's "Meaning".
    let message: String
    /// Makes a fresh demo world answer with this error.
    let provoke: @Sendable (Sh4deHarness) throws -> DialectResponse

    var testDescription: String { code }
}

@Suite("sh4de: every documented error code")
struct Sh4deErrorTableTests {
    /// The seed's table, row by row:
    /// ```
    /// HTTPCodeMeaning
    /// 401MISSING_API_KEYX-API-Key header not sent
    /// …
    /// 503SERVICE_UNAVAILABLEService temporarily disabled
    /// ```
    static let table: [DocumentedError] = [
        DocumentedError(
            seedRow: "401MISSING_API_KEYX-API-Key header not sent", status: 401, code: "MISSING_API_KEY",
            message: "X-API-Key header not sent"
        ) { h in h.send("GET", "/api/v1/balance", key: nil) },
        DocumentedError(
            seedRow: "401INVALID_API_KEYKey not found in system", status: 401, code: "INVALID_API_KEY",
            message: "Key not found in system"
        ) { h in h.send("GET", "/api/v1/balance", key: "sh4de_not_a_key") },
        DocumentedError(
            seedRow: "403KEY_DISABLEDKey has been disabled", status: 403, code: "KEY_DISABLED",
            message: "Key has been disabled"
        ) { h in
            _ = h.world.transact { $0.setKey(Sh4deHarness.docsKey, enabled: false) }
            return h.send("GET", "/api/v1/balance")
        },
        DocumentedError(
            seedRow: "400INSUFFICIENT_BALANCENot enough balance", status: 400, code: "INSUFFICIENT_BALANCE",
            // The table says "Not enough balance"; the documented body's message is the specific one.
            message: "Your balance ($1.20) is less than the order cost ($1.30)."
        ) { h in
            try h.setBalance("1.20")
            return h.orderStars(quantity: 100)
        },
        DocumentedError(
            seedRow: "400INVALID_MONTHSmonths must be 3, 6, or 12", status: 400, code: "INVALID_MONTHS",
            message: "months must be 3, 6, or 12"
        ) { h in h.orderPremium(months: 4) },
        DocumentedError(
            seedRow: "404USER_NOT_FOUNDTelegram username not found", status: 404, code: "USER_NOT_FOUND",
            message: "Telegram username not found"
        ) { h in h.send("GET", "/api/v1/user/nobody_by_that_name") },
        DocumentedError(
            seedRow: "404ORDER_NOT_FOUNDOrder ID doesn't exist", status: 404, code: "ORDER_NOT_FOUND",
            message: "Order ID doesn't exist"
        ) { h in h.send("GET", "/api/v1/order/999") },
        DocumentedError(
            seedRow: "403FORBIDDENOrder belongs to another key", status: 403, code: "FORBIDDEN",
            message: "Order belongs to another key"
        ) { h in
            // Same owner, same balance, but another key: the order is not this key's.
            h.orderStars(key: Sh4deHarness.docsKey)
            return h.send("GET", "/api/v1/order/47", key: Sh4deHarness.codeExamplesKey)
        },
        DocumentedError(
            seedRow: "429RATE_LIMIT_EXCEEDED30 req/min exceeded", status: 429, code: "RATE_LIMIT_EXCEEDED",
            message: "30 req/min exceeded"
        ) { h in
            for _ in 0..<30 { h.send("GET", "/api/v1/prices") }
            return h.send("GET", "/api/v1/prices")
        },
        DocumentedError(
            seedRow: "502CHARGING_ERRORUpstream charging error", status: 502, code: "CHARGING_ERROR",
            message: "Upstream charging error"
        ) { h in
            h.addFault(FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", method: "POST", path: "/api/v1/order/*"))
            return h.orderStars()
        },
        DocumentedError(
            seedRow: "503SERVICE_UNAVAILABLEService temporarily disabled", status: 503, code: "SERVICE_UNAVAILABLE",
            message: "Service temporarily disabled"
        ) { h in
            h.addFault(FaultRule(dialect: "sh4de", code: "SERVICE_UNAVAILABLE"))
            return h.send("GET", "/api/v1/prices")
        },
    ]

    @Test("the table has all eleven documented codes")
    func tableIsComplete() {
        #expect(Self.table.count == 11)
        #expect(Set(Self.table.map(\.code)).count == 11)
    }

    @Test("status, code and message as documented", arguments: table)
    func documentedError(_ error: DocumentedError) throws {
        // Our status, code and message are the seed's row (the one documented exception: the
        // INSUFFICIENT_BALANCE message is the example body's, not the table's summary).
        if error.code != "INSUFFICIENT_BALANCE" {
            #expect("\(error.status)\(error.code)\(error.message)" == error.seedRow)
        } else {
            #expect(error.seedRow.hasPrefix("\(error.status)\(error.code)"))
        }
        let h = Sh4deHarness()
        let response = try error.provoke(h)
        #expect(response.status == error.status)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.bodyText == sh4deErrorBody(error.code, error.message))
        #expect(h.isConsistent)
    }

    @Test("every documented code can be scripted as a fault, rendered the same way", arguments: table)
    func scriptable(_ error: DocumentedError) {
        #expect(Sh4de().faultCodes.contains(error.code))
        let h = Sh4deHarness()
        h.addFault(FaultRule(dialect: "sh4de", code: error.code, path: "/api/v1/balance", times: 1))
        let response = h.send("GET", "/api/v1/balance")
        #expect(response.status == error.status)
        #expect(response.code == error.code)
        if error.code != "INSUFFICIENT_BALANCE" {
            #expect(response.bodyText == sh4deErrorBody(error.code, error.message))
        }
        // times: 1 — the next request is served normally.
        #expect(h.send("GET", "/api/v1/balance").status == 200)
    }

    // MARK: Authentication

    @Test("an empty X-API-Key counts as not sent; the header name is case-insensitive")
    func headerVariants() {
        let h = Sh4deHarness()
        #expect(h.send("GET", "/api/v1/balance", key: "").code == "MISSING_API_KEY")
        let lower = h.send("GET", "/api/v1/balance", key: nil, headers: [("x-api-key", Sh4deHarness.docsKey)])
        #expect(lower.status == 200)
    }

    @Test("a key of another dialect is unknown to sh4de")
    func otherDialectsKey() {
        let h = Sh4deHarness()
        #expect(h.send("GET", "/api/v1/balance", key: "sk-demo-tgmarket").code == "INVALID_API_KEY")
    }

    @Test("keys of any documented length work (4, 28 and 47 x's)")
    func keyLengths() {
        let h = Sh4deHarness()
        for key in [Sh4deHarness.docsKey, Sh4deHarness.codeExamplesKey, "sh4de_" + String(repeating: "x", count: 47)] {
            #expect(h.send("GET", "/api/v1/prices", key: key).status == 200, "\(key)")
        }
    }

    @Test("a disabled key is refused before anything else; enabling it again restores it")
    func disabledKey() {
        let h = Sh4deHarness()
        _ = h.world.transact { $0.setKey(Sh4deHarness.docsKey, enabled: false) }
        #expect(h.orderStars().code == "KEY_DISABLED")
        #expect(h.balance == "25.50")
        // Other keys of the same owner still work.
        #expect(h.send("GET", "/api/v1/balance", key: Sh4deHarness.codeExamplesKey).status == 200)
        _ = h.world.transact { $0.setKey(Sh4deHarness.docsKey, enabled: true) }
        #expect(h.orderStars().status == 200)
    }

    // MARK: FORBIDDEN

    @Test("FORBIDDEN is per key: the key that placed the order reads it, the owner's other keys do not")
    func forbiddenPerKey() {
        let h = Sh4deHarness()
        h.orderStars(key: Sh4deHarness.codeExamplesKey)
        #expect(h.send("GET", "/api/v1/order/47", key: Sh4deHarness.codeExamplesKey).status == 200)
        #expect(h.send("GET", "/api/v1/order/47", key: Sh4deHarness.docsKey).code == "FORBIDDEN")
        // A FORBIDDEN read does not count as a poll of the order.
        #expect(h.order(47)?.polls == 1)
    }

    // MARK: Rate limit

    @Test("30 requests a minute per key: the 31st is refused with Retry-After, and allowed once 60 s pass")
    func rateLimit() {
        let h = Sh4deHarness()
        for i in 1...30 {
            #expect(h.send("GET", "/api/v1/prices").status == 200, "request \(i)")
        }
        let refused = h.send("GET", "/api/v1/prices")
        #expect(refused.status == 429)
        #expect(refused.bodyText == sh4deErrorBody("RATE_LIMIT_EXCEEDED", "30 req/min exceeded"))
        #expect(refused.header("Retry-After") == "60")
        // Another key of the same owner has its own 30.
        #expect(h.send("GET", "/api/v1/prices", key: Sh4deHarness.codeExamplesKey).status == 200)
        // 59 s later the window still holds 30 requests; the wait left is 1 s.
        h.advance(seconds: 59)
        let stillRefused = h.send("GET", "/api/v1/prices")
        #expect(stillRefused.status == 429)
        #expect(stillRefused.header("Retry-After") == "1")
        h.advance(seconds: 1)
        #expect(h.send("GET", "/api/v1/prices").status == 200)
    }

    @Test("the limit is a sliding window: requests spread over the minute free their slots one by one")
    func slidingWindow() {
        let h = Sh4deHarness()
        for _ in 0..<15 { h.send("GET", "/api/v1/prices") }
        h.advance(seconds: 30)
        for _ in 0..<15 { h.send("GET", "/api/v1/prices") }
        #expect(h.send("GET", "/api/v1/prices").status == 429)
        h.advance(seconds: 30)  // the first 15 leave the window
        for i in 1...15 { #expect(h.send("GET", "/api/v1/prices").status == 200, "request \(i)") }
        #expect(h.send("GET", "/api/v1/prices").status == 429)
    }

    @Test("a rate-limited order is not placed and not charged")
    func rateLimitedOrder() {
        let h = Sh4deHarness()
        for _ in 0..<30 { h.send("GET", "/api/v1/balance") }
        #expect(h.orderStars().code == "RATE_LIMIT_EXCEEDED")
        #expect(h.balance == "25.50")
        #expect(h.order(47) == nil)
    }

    @Test("requests refused for a missing or unknown key do not use up a key's limit")
    func unauthenticatedNotCounted() {
        let h = Sh4deHarness()
        for _ in 0..<40 {
            h.send("GET", "/api/v1/prices", key: nil)
            h.send("GET", "/api/v1/prices", key: "sh4de_unknown")
        }
        #expect(h.send("GET", "/api/v1/prices").status == 200)
    }

    // MARK: Scripted upstream failures

    @Test("CHARGING_ERROR before the world acts: 502, nothing charged, no order, ids not used")
    func chargingErrorBefore() {
        let h = Sh4deHarness()
        h.addFault(FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", method: "POST", path: "/api/v1/order/stars", times: 1))
        let response = h.orderStars()
        #expect(response.status == 502)
        #expect(response.bodyText == sh4deErrorBody("CHARGING_ERROR", "Upstream charging error"))
        #expect(h.balance == "25.50")
        #expect(h.account?.spent.twoDecimals == "8.42")
        #expect(h.order(47) == nil)
        #expect(h.isConsistent)
        // The retry is the documented order 47.
        let retry = h.orderStars()
        #expect(retry.status == 200)
        #expect(retry.json?["order_id"] == .int(47))
        #expect(h.balance == "24.20")
    }

    @Test("CHARGING_ERROR after the world acts: the client sees 502 but order 47 exists and was charged")
    func chargingErrorAfter() {
        let h = Sh4deHarness()
        h.addFault(
            FaultRule(
                dialect: "sh4de", code: "CHARGING_ERROR", method: "POST", path: "/api/v1/order/stars", times: 1,
                phase: .after))
        let response = h.orderStars()
        #expect(response.status == 502)
        #expect(response.bodyText == sh4deErrorBody("CHARGING_ERROR", "Upstream charging error"))
        #expect(h.order(47)?.state == .pending)
        #expect(h.order(47)?.cost == Money(cents: 130))
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
        // The client that trusts the 502 and checks finds the order; it completes as usual.
        #expect(h.send("GET", "/api/v1/order/47").json?["status"] == .string("pending"))
        #expect(h.send("GET", "/api/v1/balance").json?["total_orders"] == .int(13))
        h.advance(seconds: 65)
        #expect(h.send("GET", "/api/v1/order/47").json?["status"] == .string("completed"))
        #expect(h.balance == "24.20")
        #expect(h.isConsistent)
    }

    @Test("SERVICE_UNAVAILABLE on every path while scripted, then service resumes")
    func serviceUnavailable() {
        let h = Sh4deHarness()
        h.addFault(FaultRule(dialect: "sh4de", code: "SERVICE_UNAVAILABLE", times: 3))
        for target in ["/api/v1/prices", "/api/v1/balance", "/api/v1/user/durov"] {
            let response = h.send("GET", target)
            #expect(response.status == 503, "\(target)")
            #expect(response.bodyText == sh4deErrorBody("SERVICE_UNAVAILABLE", "Service temporarily disabled"))
        }
        #expect(h.send("GET", "/api/v1/prices").status == 200)
    }

    @Test("a scripted fault only fires on its key")
    func faultPerKey() {
        let h = Sh4deHarness()
        h.addFault(FaultRule(dialect: "sh4de", code: "SERVICE_UNAVAILABLE", key: Sh4deHarness.codeExamplesKey))
        #expect(h.send("GET", "/api/v1/prices").status == 200)
        #expect(h.send("GET", "/api/v1/prices", key: Sh4deHarness.codeExamplesKey).status == 503)
    }

    @Test("a scripted RATE_LIMIT_EXCEEDED carries Retry-After too")
    func scriptedRateLimit() {
        let h = Sh4deHarness()
        h.addFault(FaultRule(dialect: "sh4de", code: "RATE_LIMIT_EXCEEDED", times: 1))
        let response = h.send("GET", "/api/v1/prices")
        #expect(response.status == 429)
        #expect(response.header("Retry-After") == "60")
    }
}
