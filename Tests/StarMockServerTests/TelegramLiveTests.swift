import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: the telegram dialect over HTTP", .timeLimit(.minutes(1)))
struct TelegramLiveTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    /// Sends a request with an explicit content type and body, byte for byte.
    static func post(port: Int, path: String, contentType: String, body: String) async throws -> RawResponse {
        let text =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            + "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        return RawResponse(bytes: try await RawHTTP.exchange(port: port, bytes: Array(text.utf8)))
    }

    @Test("GET getMyStarBalance with the demo token, next to the other dialects")
    func balance() async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMyStarBalance")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.bodyText == #"{"ok":true,"result":{"amount":1500}}"#)
        }
    }

    @Test("A multipart/form-data refund (aiogram's encoding) moves the stars")
    func multipartRefund() async throws {
        try await withServer { server in
            let boundary = "a1b2c3d4e5f6"
            let body =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\n100000001\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"telegram_payment_charge_id\"\r\n\r\nstxDemoCharge0001\r\n"
                + "--\(boundary)--\r\n"
            let refund = try await Self.post(
                port: server.port, path: Self.base + "/refundStarPayment",
                contentType: "multipart/form-data; boundary=\(boundary)", body: body)
            #expect(refund.status == 200)
            #expect(refund.bodyText == #"{"ok":true,"result":true}"#)
            let balance = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMyStarBalance")
            #expect(balance.bodyText == #"{"ok":true,"result":{"amount":500}}"#)
        }
    }

    @Test("A url-encoded createInvoiceLink (python-telegram-bot's encoding)")
    func urlencodedInvoice() async throws {
        try await withServer { server in
            let form =
                "title=Stars&description=100+stars&payload=order-1&currency=XTR"
                + "&prices=%5B%7B%22label%22%3A+%22100+stars%22%2C+%22amount%22%3A+100%7D%5D"
            let response = try await Self.post(
                port: server.port, path: Self.base + "/createInvoiceLink",
                contentType: "application/x-www-form-urlencoded", body: form)
            #expect(response.status == 200)
            #expect(response.bodyText.hasPrefix(#"{"ok":true,"result":"https://t.me/$"#))
        }
    }

    @Test("A scripted flood fault over the control API: 429 with the Retry-After header")
    func floodHeader() async throws {
        try await withServer { server in
            let added = try await RawHTTP.send(
                port: server.port, method: "POST", path: "/__admin/faults",
                body: #"{"dialect":"telegram","code":"TOO_MANY_REQUESTS","times":1}"#)
            #expect(added.status == 200)
            let limited = try await RawHTTP.send(port: server.port, method: "POST", path: Self.base + "/getMyStarBalance")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "5")
            #expect(
                limited.bodyText
                    == #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#)
            let after = try await RawHTTP.send(port: server.port, method: "POST", path: Self.base + "/getMyStarBalance")
            #expect(after.status == 200)
        }
    }

    @Test("The real per-token limit over the socket: past the limit, 429 and Retry-After")
    func realLimit() async throws {
        var setup = WorldSetup.demo
        setup.telegram.rateLimit = RateLimit(limit: 3, window: .seconds(60))
        try await withServer(setup) { server in
            for _ in 0..<3 {
                let ok = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMe")
                #expect(ok.status == 200)
            }
            let limited = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMe")
            #expect(limited.status == 429)
            let seconds = try #require(limited.header("Retry-After").flatMap(Int.init))
            #expect((1...60).contains(seconds))
            #expect(limited.bodyText.contains(#""parameters":{"retry_after":\#(seconds)}"#))
        }
    }

    @Test("\"limit\": null from the control API removes the limit, the dialect's own default included")
    func limitRemoved() async throws {
        var setup = WorldSetup.demo
        setup.telegram.rateLimit = RateLimit(limit: 3, window: .seconds(60))
        try await withServer(setup) { server in
            let removed = server.control(
                method: "POST", path: "/__admin/rate-limits", body: Array(#"{"dialect":"telegram","limit":null}"#.utf8))
            #expect(removed.status == 200)
            for _ in 0..<10 {
                let ok = try await RawHTTP.send(port: server.port, method: "GET", path: Self.base + "/getMe")
                #expect(ok.status == 200)
            }
        }
    }

    @Test("Paths outside the dialects stay the server's 404; /bot paths without a method are the Bot API's")
    func notFound() async throws {
        try await withServer { server in
            let bare = try await RawHTTP.send(port: server.port, method: "GET", path: "/bot")
            #expect(bare.status == 404)
            #expect(bare.bodyText == #"{"ok":false,"error_code":404,"description":"Not Found"}"#)
        }
    }
}
