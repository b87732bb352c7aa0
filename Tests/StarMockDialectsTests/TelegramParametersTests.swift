import StarMockCore
import StarMockDialects
import Testing

@Suite("telegram: parameters from the query, forms, JSON and multipart")
struct TelegramParametersTests {
    static let path = "/bot\(TelegramSetup.demoToken)/getStarTransactions"

    static func limitOne(_ response: DialectResponse) -> Bool {
        guard let json = try? JSON.parse(response.body) else { return false }
        return json["result"]?["transactions"]?.arrayValue?.count == 1
    }

    @Test("Query string")
    func query() {
        #expect(Self.limitOne(telegramSend(telegramWorld(), "GET", Self.path + "?limit=1")))
    }

    @Test("application/x-www-form-urlencoded")
    func form() {
        let response = telegramSend(
            telegramWorld(), "POST", Self.path, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "offset=0&limit=1")
        #expect(Self.limitOne(response))
    }

    @Test("application/json, numbers or strings")
    func json() {
        for body in [#"{"limit":1}"#, #"{"limit":"1","offset":null}"#] {
            let response = telegramSend(
                telegramWorld(), "POST", Self.path, headers: [("Content-Type", "application/json; charset=utf-8")],
                body: body)
            #expect(Self.limitOne(response))
        }
    }

    @Test("multipart/form-data, quoted boundary and a file part that is ignored")
    func multipart() {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"limit\"\r\n\r\n1\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"offset\"\r\n\r\n\r\n--XyZ--\r\n"
        let response = telegramSend(
            telegramWorld(), "POST", Self.path, headers: [("Content-Type", "multipart/form-data; boundary=\"XyZ\"")],
            body: body)
        #expect(Self.limitOne(response))
    }

    @Test("The reader keeps values exactly, first occurrence wins, query before body")
    func reader() throws {
        let request = DialectRequest(
            method: "POST", target: "/x?a=query", headers: [("Content-Type", "application/json")],
            body: Array(#"{"a":"body","b":[{"label":"x","amount":5}],"c":true,"d":2.50}"#.utf8))
        let p = try TelegramParameters.read(request).get()
        #expect(p["a"] == "query")
        #expect(p["b"] == #"[{"label":"x","amount":5}]"#)
        #expect(p["c"] == "true")
        #expect(p["d"] == "2.50")
    }

    @Test("Broken bodies are 400 Bad Request")
    func brokenBodies() {
        let json = telegramSend(
            telegramWorld(), "POST", Self.path, headers: [("Content-Type", "application/json")], body: "[1,2")
        #expect(json.status == 400)
        #expect(json.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: can't parse JSON encoded request body"}"#)
        let multipart = telegramSend(
            telegramWorld(), "POST", Self.path, headers: [("Content-Type", "multipart/form-data; boundary=b")],
            body: "--b\r\nno headers end")
        #expect(multipart.status == 400)
        #expect(multipart.bodyText.contains("multipart/form-data"))
    }

    @Test("A non-integer limit is 400; out-of-range limits are clamped like the Bot API server's")
    func integerParameters() throws {
        let bad = telegramSend(telegramWorld(), "GET", Self.path + "?limit=ten")
        #expect(bad.status == 400)
        #expect(bad.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: parameter \"limit\" must be an Integer"}"#)
        let zero = telegramSend(telegramWorld(), "GET", Self.path + "?limit=0")
        #expect(Self.limitOne(zero))
        let big = try JSON.parse(telegramSend(telegramWorld(), "GET", Self.path + "?limit=1000&offset=-4").body)
        #expect(big["result"]?["transactions"]?.arrayValue?.count == 2)
    }
}
