import Foundation
import StarMockCore
import StarMockDialects
import Testing

/// A world for the papaya dialect: virtual clock from 2026-03-28 03:00:00, seed 1.
enum PapayaWorld {
    static let key = "pk-test"
    static let otherKey = "pk-other"
    static let disabledKey = "pk-off"

    static func setup() -> WorldSetup {
        var setup = WorldSetup()
        setup.clock = .virtual
        setup.keys = [
            APIKey(key: key, dialect: "papaya", label: "app", owner: "app"),
            APIKey(key: otherKey, dialect: "papaya", label: "other", owner: "other-app"),
            APIKey(key: disabledKey, dialect: "papaya", label: "off", owner: "app", enabled: false),
            APIKey(key: "rk", dialect: "reseller", label: "shop", owner: "shop"),
        ]
        setup.users = [TelegramUser(username: "username", id: 123_456_789)]
        return setup
    }

    static func world(_ setup: WorldSetup = setup()) -> World { World(setup) }

    static func send(
        _ world: World, _ method: String, _ target: String, key: String? = PapayaWorld.key, body: String? = nil,
        contentType: String? = "application/json"
    ) -> DialectResponse {
        var headers: [(String, String)] = []
        if let key { headers.append(("X-API-Key", key)) }
        if body != nil, let contentType { headers.append(("Content-Type", contentType)) }
        let request = DialectRequest(method: HTTPMethod(method), target: target, headers: headers, body: Array((body ?? "").utf8))
        let routed = world.transact { DialectSet([Papaya()]).respond(to: request, in: &$0) }
        guard case .now(let response) = routed.reply else {
            Issue.record("the papaya dialect never holds a request")
            return DialectResponse(status: 0, body: [])
        }
        return response
    }

    static func create(_ world: World, rate: String = "4.99", period: String = #""PerMonth""#, key: String = PapayaWorld.key)
        -> DialectResponse
    {
        send(world, "POST", "/api/invoice", key: key, body: #"{"rate":\#(rate),"period":\#(period)}"#)
    }

    /// The bytes of `fixtures/papaya/<name>`.
    static func fixture(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("fixtures/papaya/\(name)"), encoding: .utf8)
    }

    static func contentType(_ response: DialectResponse) -> String? {
        response.headers.first { $0.0 == "Content-Type" }?.1
    }

}

@Suite("papaya: endpoints")
struct PapayaEndpointTests {
    @Test("POST /api/invoice → {id, rate, createdAt, botUrl}")
    func createInvoice() throws {
        let world = PapayaWorld.world()
        let response = PapayaWorld.send(
            world, "POST", "/api/invoice", body: try PapayaWorld.fixture("create-invoice.request.json"))
        #expect(response.status == 200)
        #expect(PapayaWorld.contentType(response) == "application/json; charset=utf-8")
        #expect(response.bodyText == (try PapayaWorld.fixture("create-invoice.response.json")))
    }

    @Test("GET /api/invoice/{id} before payment: recipient null, isPaid false, metadata echoed")
    func invoiceUnpaid() throws {
        let world = PapayaWorld.world()
        _ = PapayaWorld.send(world, "POST", "/api/invoice", body: try PapayaWorld.fixture("create-invoice.request.json"))
        let response = PapayaWorld.send(world, "GET", "/api/invoice/1")
        #expect(response.status == 200)
        #expect(response.bodyText == (try PapayaWorld.fixture("invoice.response.json")))
    }

    @Test("Paying sets isPaid and recipient, and creates an active subscription")
    func payFlow() throws {
        let world = PapayaWorld.world()
        _ = PapayaWorld.send(world, "POST", "/api/invoice", body: try PapayaWorld.fixture("create-invoice.request.json"))
        world.advance(by: .seconds(90))
        _ = try world.transact { try $0.payPapayaInvoice(1, tgUserID: 123_456_789, username: "@username") }
        #expect(PapayaWorld.send(world, "GET", "/api/invoice/1").bodyText == (try PapayaWorld.fixture("invoice-paid.response.json")))
        let subscription = PapayaWorld.send(world, "GET", "/api/subscriptions/1")
        #expect(subscription.status == 200)
        #expect(subscription.bodyText == (try PapayaWorld.fixture("subscription.response.json")))
        let list = PapayaWorld.send(world, "GET", "/api/subscriptions?page=1&limit=50")
        #expect(list.bodyText == (try PapayaWorld.fixture("subscriptions.response.json")))
    }

    @Test("The recipient is the username given, else the known user's, else the numeric id")
    func recipient() throws {
        let world = PapayaWorld.world()
        for _ in 0..<3 { _ = PapayaWorld.create(world) }
        let recipients = try world.transact { w in
            [
                try w.payPapayaInvoice(1, tgUserID: 5, username: "given").invoice.recipient,
                try w.payPapayaInvoice(2, tgUserID: 123_456_789, username: nil).invoice.recipient,
                try w.payPapayaInvoice(3, tgUserID: 77, username: nil).invoice.recipient,
            ]
        }
        #expect(recipients == ["given", "username", "77"])
        #expect(throws: PapayaError.alreadyPaid(1)) { try world.transact { try $0.payPapayaInvoice(1, tgUserID: 5, username: nil) } }
        #expect(throws: PapayaError.noSuchInvoice(9)) { try world.transact { try $0.payPapayaInvoice(9, tgUserID: 5, username: nil) } }
    }

    @Test("tx is 0x + 64 hex and userAddress 0x + 40 hex, both from the seeded generator")
    func seededHashes() throws {
        func paid(seed: UInt64) throws -> PapayaSubscription {
            var setup = PapayaWorld.setup()
            setup.seed = seed
            let world = PapayaWorld.world(setup)
            _ = PapayaWorld.create(world)
            return try world.transact { try $0.payPapayaInvoice(1, tgUserID: 1, username: nil).subscription }
        }
        let a = try paid(seed: 7)
        let hex = Set("0123456789abcdef")
        #expect(a.tx.hasPrefix("0x") && a.tx.count == 66 && a.tx.dropFirst(2).allSatisfy(hex.contains))
        #expect(a.userAddress.hasPrefix("0x") && a.userAddress.count == 42 && a.userAddress.dropFirst(2).allSatisfy(hex.contains))
        #expect(try paid(seed: 7) == a)
        #expect(try paid(seed: 8).tx != a.tx)
    }

    @Test("A subscription lapses when told, and by the clock one period after payment")
    func lapse() throws {
        let world = PapayaWorld.world()
        _ = PapayaWorld.create(world, period: #""PerDay""#)
        _ = PapayaWorld.create(world, period: #""PerWeek""#)
        try world.transact { w in
            try w.payPapayaInvoice(1, tgUserID: 1, username: nil)
            try w.payPapayaInvoice(2, tgUserID: 2, username: nil)
        }
        func active(_ id: Int) -> Bool { PapayaWorld.send(world, "GET", "/api/subscriptions/\(id)").bodyText.hasSuffix(#""isActive":true}"#) }
        #expect(active(1) && active(2))
        world.advance(by: .seconds(86_399))
        #expect(active(1))
        world.advance(by: .seconds(1))
        #expect(!active(1) && active(2))
        _ = try world.transact { try $0.lapsePapayaSubscription(2) }
        #expect(!active(2))
        #expect(throws: PapayaError.notActive(2)) { try world.transact { try $0.lapsePapayaSubscription(2) } }
    }

    @Test("Calendar periods end as .NET's AddMonths/AddYears would", arguments: [
        ("2026-01-31T10:00:00Z", PapayaPeriod.perMonth, "2026-02-28T10:00:00Z"),
        ("2028-01-31T10:00:00Z", .perMonth, "2028-02-29T10:00:00Z"),
        ("2026-12-15T00:00:00.5Z", .perMonth, "2027-01-15T00:00:00.5Z"),
        ("2028-02-29T12:00:00Z", .perYear, "2029-02-28T12:00:00Z"),
        ("2026-03-28T03:00:00Z", .perWeek, "2026-04-04T03:00:00Z"),
        ("2026-03-28T03:00:00Z", .perDay, "2026-03-29T03:00:00Z"),
    ])
    func periodEnds(start: String, period: PapayaPeriod, end: String) {
        #expect(period.end(from: WorldTime(start)!).dotNetText == end)
    }

    @Test("createdAt is .NET's trimmed round-trip format", arguments: [
        (0, "2026-03-28T03:00:00Z"), (250, "2026-03-28T03:00:00.25Z"), (123, "2026-03-28T03:00:00.123Z"),
        (100, "2026-03-28T03:00:00.1Z"), (1_000, "2026-03-28T03:00:01Z"),
    ])
    func createdAtFormat(milliseconds: Int64, expected: String) {
        let world = PapayaWorld.world()
        world.advance(by: .milliseconds(milliseconds))
        #expect(PapayaWorld.create(world).bodyText.contains(#""createdAt":"\#(expected)""#))
    }

    @Test("rate is exact and written as .NET writes a double", arguments: [
        ("4.99", "4.99"), ("5", "5"), ("5.0", "5"), ("5.50", "5.5"), ("1e2", "100"), ("0.1", "0.1"),
        ("0.0001", "0.0001"), ("0.00001", "1E-05"), ("0.000001", "1E-06"), ("0.0000123", "1.23E-05"),
        ("1000000000", "1000000000"), ("123456789.123456", "123456789.123456"), ("\"4.99\"", "4.99"),
        ("19.990000000000000000", "19.99"), ("2.5E+1", "25"),
    ])
    func rateRendering(given: String, written: String) {
        let response = PapayaWorld.create(PapayaWorld.world(), rate: given)
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""rate":\#(written),"#))
    }

    @Test("period is read case-insensitively, or as its .NET integer value")
    func periodSpellings() {
        let world = PapayaWorld.world()
        for period in [#""perweek""#, #""PERYEAR""#, "2", "0"] {
            #expect(PapayaWorld.create(world, period: period).status == 200)
        }
        #expect(world.read { $0.papaya.invoices.values.sorted { $0.id < $1.id }.map(\.period) } == [.perWeek, .perYear, .perMonth, .perDay])
    }

    @Test("Property names are case-insensitive and the last duplicate wins")
    func propertyNames() {
        let world = PapayaWorld.world()
        let response = PapayaWorld.send(world, "POST", "/api/invoice", body: #"{"Rate":1,"RATE":2.5,"Period":"PerDay","extra":true}"#)
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""rate":2.5,"#))
    }

    @Test("Strings in metadata are escaped as System.Text.Json's default encoder does")
    func dotNetEscaping() {
        let world = PapayaWorld.world()
        let body = #"{"rate":1,"period":"PerDay","metadata":{"note":"a\"b'c<d>&e+f`g\\h\ni\u0001 é 😀","n":1.50}}"#
        #expect(PapayaWorld.send(world, "POST", "/api/invoice", body: body).status == 200)
        let invoice = PapayaWorld.send(world, "GET", "/api/invoice/1").bodyText
        #expect(
            invoice.contains(
                #""metadata":{"note":"a\u0022b\u0027c\u003Cd\u003E\u0026e\u002Bf\u0060g\\h\ni\u0001 \u00E9 \uD83D\uDE00","n":1.50}"#))
    }

    @Test("GET /api/subscriptions pages by id; past the last page is an empty page")
    func pagination() throws {
        let world = PapayaWorld.world()
        for i in 1...5 {
            _ = PapayaWorld.create(world)
            _ = try world.transact { try $0.payPapayaInvoice(Int64(i), tgUserID: Int64(i), username: nil) }
        }
        func page(_ query: String) throws -> (items: [Int], rest: String) {
            let response = PapayaWorld.send(world, "GET", "/api/subscriptions\(query)")
            #expect(response.status == 200)
            let json = try JSON.parse(response.bodyText)
            let ids = try #require(json["items"]?.arrayValue).compactMap { $0["id"]?.intValue }
            let rest = ["totalCount", "page", "limit", "totalPages"].map { "\($0)=\(json[$0]?.numberText ?? "?")" }
            return (ids, rest.joined(separator: " "))
        }
        #expect(try page("") == ([1, 2, 3, 4, 5], "totalCount=5 page=1 limit=50 totalPages=1"))
        #expect(try page("?page=2&limit=2") == ([3, 4], "totalCount=5 page=2 limit=2 totalPages=3"))
        #expect(try page("?page=3&limit=2") == ([5], "totalCount=5 page=3 limit=2 totalPages=3"))
        #expect(try page("?page=4&limit=2") == ([], "totalCount=5 page=4 limit=2 totalPages=3"))
        #expect(try page("?page=2147483647&limit=100") == ([], "totalCount=5 page=2147483647 limit=100 totalPages=1"))
        #expect(try page("?limit=1000000") == ([1, 2, 3, 4, 5], "totalCount=5 page=1 limit=100 totalPages=1"))
        #expect(try page("?PAGE=2&Limit=4&page=1") == ([5], "totalCount=5 page=2 limit=4 totalPages=2"))
        #expect(try page("?page=+2&limit=3") == ([4, 5], "totalCount=5 page=2 limit=3 totalPages=2"))
    }

    @Test("An application sees only its own invoices and subscriptions")
    func ownership() throws {
        let world = PapayaWorld.world()
        _ = PapayaWorld.create(world, key: PapayaWorld.otherKey)
        _ = try world.transact { try $0.payPapayaInvoice(1, tgUserID: 1, username: nil) }
        #expect(PapayaWorld.send(world, "GET", "/api/invoice/1").status == 404)
        #expect(PapayaWorld.send(world, "GET", "/api/subscriptions/1").status == 404)
        #expect(PapayaWorld.send(world, "GET", "/api/subscriptions").bodyText == #"{"items":[],"totalCount":0,"page":1,"limit":50,"totalPages":0}"#)
        #expect(PapayaWorld.send(world, "GET", "/api/invoice/1", key: PapayaWorld.otherKey).status == 200)
    }
}

@Suite("papaya: errors")
struct PapayaErrorTests {
    @Test("A missing, unknown, disabled or other dialect's key is 401 with an empty body, before any validation",
        arguments: [nil, "", "nope", PapayaWorld.disabledKey, "rk"] as [String?])
    func unauthorized(key: String?) {
        let world = PapayaWorld.world()
        for (method, target, body) in [("POST", "/api/invoice", "{}"), ("GET", "/api/invoice/abc", nil), ("GET", "/api/subscriptions?page=0", nil)] {
            let response = PapayaWorld.send(world, method, target, key: key, body: body)
            #expect(response.status == 401)
            #expect(response.body.isEmpty)
            #expect(response.headers.isEmpty)
        }
        #expect(world.read { $0.papaya.invoices.isEmpty })
    }

    @Test("A missing period is a ValidationProblemDetails with a seeded traceId")
    func periodRequired() throws {
        let response = PapayaWorld.send(PapayaWorld.world(), "POST", "/api/invoice", body: #"{"rate":4.99}"#)
        #expect(response.status == 400)
        #expect(PapayaWorld.contentType(response) == "application/problem+json; charset=utf-8")
        #expect(response.bodyText == (try PapayaWorld.fixture("validation-period.response.json")))
    }

    @Test("The same seed gives the same traceId; the next error gets a new one")
    func traceIDs() {
        let a = PapayaWorld.world()
        let b = PapayaWorld.world()
        let first = PapayaWorld.send(a, "GET", "/api/invoice/9").bodyText
        #expect(PapayaWorld.send(b, "GET", "/api/invoice/9").bodyText == first)
        #expect(PapayaWorld.send(a, "GET", "/api/invoice/9").bodyText != first)
        let trace = try? JSON.parse(first)["traceId"]?.stringValue
        #expect(trace?.count == 55)
        #expect(trace?.hasPrefix("00-") == true && trace?.hasSuffix("-00") == true)
    }

    @Test("Invalid bodies give ASP.NET's model-state errors", arguments: [
        ("", #"{"":["A non-empty request body is required."]}"#),
        ("{", #"{"$":["The JSON is invalid: expected a key. Path: $ | LineNumber: 0 | BytePositionInLine: 1."],"request":["The request field is required."]}"#),
        ("{\n  \"rate\": x}", #"{"$":["The JSON is invalid: unexpected character. Path: $ | LineNumber: 1 | BytePositionInLine: 10."],"request":["The request field is required."]}"#),
        ("[]", #"{"$":["The JSON value could not be converted to InvoiceRequest. Path: $."],"request":["The request field is required."]}"#),
        (#"{"rate":"abc","period":"PerDay"}"#, #"{"$.rate":["The JSON value could not be converted to System.Double. Path: $.rate."],"request":["The request field is required."]}"#),
        (#"{"rate":null,"period":"PerDay"}"#, #"{"$.rate":["The JSON value could not be converted to System.Double. Path: $.rate."],"request":["The request field is required."]}"#),
        (#"{"rate":1e999,"period":"PerDay"}"#, #"{"$.rate":["The JSON value could not be converted to System.Double. Path: $.rate."],"request":["The request field is required."]}"#),
        (#"{"rate":1,"Period":"Monthly"}"#, #"{"$.Period":["The JSON value could not be converted to InvoicePeriod. Path: $.Period."],"request":["The request field is required."]}"#),
        (#"{"rate":1,"period":7}"#, #"{"$.period":["The JSON value could not be converted to InvoicePeriod. Path: $.period."],"request":["The request field is required."]}"#),
        (#"{"rate":1,"period":"PerDay","title":5}"#, #"{"$.title":["The JSON value could not be converted to System.String. Path: $.title."],"request":["The request field is required."]}"#),
        (#"{"rate":1,"period":"PerDay","metadata":[1]}"#, #"{"$.metadata":["The JSON value could not be converted to System.Text.Json.Nodes.JsonObject. Path: $.metadata."],"request":["The request field is required."]}"#),
        (#"{"period":"PerDay"}"#, #"{"Rate":["The field Rate must be between 1E-06 and 1000000000."]}"#),
        (#"{"rate":0,"period":"PerDay"}"#, #"{"Rate":["The field Rate must be between 1E-06 and 1000000000."]}"#),
        (#"{"rate":-4.99,"period":"PerDay"}"#, #"{"Rate":["The field Rate must be between 1E-06 and 1000000000."]}"#),
        (#"{"rate":1000000000.5,"period":"PerDay"}"#, #"{"Rate":["The field Rate must be between 1E-06 and 1000000000."]}"#),
        (#"{"rate":1.2345678901234567,"period":"PerDay"}"#, #"{"Rate":["The field Rate must have at most 15 significant digits."]}"#),
        (#"{"rate":0,"period":null}"#, #"{"Rate":["The field Rate must be between 1E-06 and 1000000000."],"Period":["The Period field is required."]}"#),
    ])
    func invalidBodies(body: String, errors: String) throws {
        let response = PapayaWorld.send(PapayaWorld.world(), "POST", "/api/invoice", body: body)
        #expect(response.status == 400)
        let json = try JSON.parse(response.bodyText)
        #expect(json["errors"]?.dotNetText == errors)
        #expect(json["title"]?.stringValue == "One or more validation errors occurred.")
    }

    @Test("Title and message lengths are limited")
    func lengths() throws {
        let long = String(repeating: "a", count: 257)
        let response = PapayaWorld.send(
            PapayaWorld.world(), "POST", "/api/invoice", body: #"{"title":"\#(long)","rate":1,"period":"PerDay"}"#)
        #expect(try JSON.parse(response.bodyText)["errors"]?.dotNetText == #"{"Title":["The field Title must be a string with a maximum length of 256."]}"#)
        let fits = String(repeating: "é", count: 256)
        #expect(PapayaWorld.send(PapayaWorld.world(), "POST", "/api/invoice", body: #"{"title":"\#(fits)","rate":1,"period":"PerDay"}"#).status == 200)
    }

    @Test("A body that is not JSON by its Content-Type is 415", arguments: [nil, "text/plain", "application/x-www-form-urlencoded"] as [String?])
    func unsupportedMediaType(contentType: String?) throws {
        let response = PapayaWorld.send(
            PapayaWorld.world(), "POST", "/api/invoice", body: #"{"rate":1,"period":"PerDay"}"#, contentType: contentType)
        #expect(response.status == 415)
        #expect(response.bodyText == (try PapayaWorld.fixture("unsupported-media-type.response.json")))
    }

    @Test("JSON media types ASP.NET reads are accepted", arguments: ["application/json; charset=utf-8", "text/json", "application/merge-patch+json", "Application/JSON"])
    func jsonMediaTypes(contentType: String) {
        let response = PapayaWorld.send(
            PapayaWorld.world(), "POST", "/api/invoice", body: #"{"rate":1,"period":"PerDay"}"#, contentType: contentType)
        #expect(response.status == 200)
    }

    @Test("Unknown invoice: 404 ProblemDetails \"Not Found\"")
    func invoiceNotFound() throws {
        let response = PapayaWorld.send(PapayaWorld.world(), "GET", "/api/invoice/42")
        #expect(response.status == 404)
        #expect(PapayaWorld.contentType(response) == "application/problem+json; charset=utf-8")
        #expect(response.bodyText == (try PapayaWorld.fixture("invoice-not-found.response.json")))
    }

    @Test("Unknown subscription: 404 ProblemDetails with detail \"Subscription not found\"")
    func subscriptionNotFound() throws {
        let response = PapayaWorld.send(PapayaWorld.world(), "GET", "/api/subscriptions/42")
        #expect(response.status == 404)
        #expect(response.bodyText == (try PapayaWorld.fixture("subscription-not-found.response.json")))
    }

    @Test("Ids that do not bind to a long are 400 on the id", arguments: [
        ("abc", "The value \\u0027abc\\u0027 is not valid."), ("1.5", "The value \\u00271.5\\u0027 is not valid."),
        ("99999999999999999999", "The value \\u002799999999999999999999\\u0027 is not valid."),
    ])
    func badIDs(id: String, message: String) throws {
        for base in ["/api/invoice/", "/api/subscriptions/"] {
            let response = PapayaWorld.send(PapayaWorld.world(), "GET", base + id)
            #expect(response.status == 400)
            #expect(try JSON.parse(response.bodyText)["errors"]?.dotNetText == #"{"id":["\#(message)"]}"#)
            #expect(response.bodyText.contains(#""id":["\#(message)"]"#))
        }
    }

    @Test("Pagination values that are not positive int32s are 400 on the parameter", arguments: [
        ("?page=0", #"{"page":["The field page must be between 1 and 2147483647."]}"#),
        ("?page=-1", #"{"page":["The field page must be between 1 and 2147483647."]}"#),
        ("?limit=0", #"{"limit":["The field limit must be between 1 and 2147483647."]}"#),
        ("?page=abc", #"{"page":["The value 'abc' is not valid."]}"#),
        ("?limit=2147483648", #"{"limit":["The value '2147483648' is not valid."]}"#),
        ("?page=", #"{"page":["The value '' is invalid."]}"#),
        ("?page=x&limit=-5", #"{"page":["The value 'x' is not valid."],"limit":["The field limit must be between 1 and 2147483647."]}"#),
    ])
    func badPagination(query: String, errors: String) throws {
        let response = PapayaWorld.send(PapayaWorld.world(), "GET", "/api/subscriptions" + query)
        #expect(response.status == 400)
        #expect(try JSON.parse(response.bodyText)["errors"]?.text() == errors)
    }

    @Test("Routing answers like ASP.NET: unknown paths 404 and wrong methods 405, both empty")
    func routing() {
        let world = PapayaWorld.world()
        let unknown = PapayaWorld.send(world, "GET", "/api/invoices")
        #expect(unknown.status == 404 && unknown.body.isEmpty)
        let deep = PapayaWorld.send(world, "GET", "/api/invoice/1/items")
        #expect(deep.status == 404 && deep.body.isEmpty)
        let wrong = PapayaWorld.send(world, "GET", "/api/invoice")
        #expect(wrong.status == 405 && wrong.body.isEmpty)
        #expect(wrong.headers.contains { $0 == ("Allow", "POST") })
        let delete = PapayaWorld.send(world, "DELETE", "/api/subscriptions/1")
        #expect(delete.status == 405 && delete.headers.contains { $0 == ("Allow", "GET") })
        #expect(PapayaWorld.send(world, "GET", "/API/Subscriptions").status == 200)
    }

    @Test("A rate limit set by a scenario answers 429, empty, with Retry-After")
    func rateLimited() {
        var setup = PapayaWorld.setup()
        setup.rateLimits["papaya"] = .limited(RateLimit(limit: 2, window: .seconds(10)))
        let world = PapayaWorld.world(setup)
        #expect(PapayaWorld.send(world, "GET", "/api/subscriptions").status == 200)
        #expect(PapayaWorld.send(world, "GET", "/api/subscriptions").status == 200)
        let limited = PapayaWorld.send(world, "GET", "/api/subscriptions")
        #expect(limited.status == 429 && limited.body.isEmpty)
        #expect(limited.headers.contains { $0 == ("Retry-After", "10") })
    }

    @Test("Scripted faults render as ASP.NET would", arguments: [
        ("BadRequest", 400, #""title":"Bad Request","status":400"#), ("Unauthorized", 401, ""),
        ("NotFound", 404, #""title":"Not Found","status":404"#), ("TooManyRequests", 429, ""),
        ("InternalServerError", 500, #""title":"An error occurred while processing your request.","status":500"#),
        ("ServiceUnavailable", 503, ""),
    ])
    func faults(code: String, status: Int, fragment: String) {
        #expect(Papaya().faultCodes.contains(code))
        var setup = PapayaWorld.setup()
        setup.faults = [FaultRule(dialect: "papaya", code: code)]
        let world = PapayaWorld.world(setup)
        let response = PapayaWorld.send(world, "GET", "/api/subscriptions")
        #expect(response.status == status)
        if fragment.isEmpty {
            #expect(response.body.isEmpty)
        } else {
            #expect(response.bodyText.contains(fragment))
            #expect(response.bodyText.contains(#""traceId":"00-"#))
        }
    }

    @Test("Only /api/invoice… and /api/subscriptions… are claimed; sh4de keeps /api/v1")
    func claims() {
        let papaya = Papaya()
        for path in ["/api/invoice", "/api/invoice/1", "/api/subscriptions", "/api/subscriptions/1", "/API/Invoice"] {
            #expect(papaya.claims(path: path))
            #expect(DialectSet.everything.dialect(for: path)?.name == "papaya")
        }
        for path in ["/api/v1/balance", "/api/v2/stars", "/api", "/topup", "/api/invoicex"] {
            #expect(!papaya.claims(path: path))
        }
        #expect(DialectSet.everything.dialect(for: "/api/v1/balance")?.name == "sh4de")
    }
}

@Suite("papaya: exact rates")
struct PapayaRateTests {
    @Test("Rates compare exactly, without binary floating point")
    func comparison() {
        #expect(PapayaRate("0.1")! < PapayaRate("0.10000000000001")!)
        #expect(PapayaRate("5")! == PapayaRate("5.000")!)
        #expect(PapayaRate("-1")! < PapayaRate("0")!)
        #expect(PapayaRate("-2")! < PapayaRate("-1.5")!)
        #expect(PapayaRate("1E-06")! == PapayaRate("0.000001")!)
        #expect(PapayaRate("1e-400")!.isZero)
        #expect(PapayaRate("1e400") == nil)
        #expect(PapayaRate("01") == nil && PapayaRate("1.") == nil && PapayaRate(".5") == nil && PapayaRate("+1") == nil)
    }

    @Test(".NET's switch to scientific notation", arguments: [
        ("100000000000000", "100000000000000"), ("1000000000000000", "1E+15"), ("123456789012345600", "1.234567890123456E+17"),
        ("-0.5", "-0.5"), ("0", "0"), ("-0", "0"),
    ])
    func scientific(text: String, expected: String) {
        #expect(PapayaRate(text)?.dotNetText == expected)
    }
}
