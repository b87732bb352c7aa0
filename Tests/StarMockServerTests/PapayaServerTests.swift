import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: papaya's pay flow through the control API", .timeLimit(.minutes(1)))
struct PapayaServerTests {
    static let key = [("X-API-Key", "papaya-demo-key")]

    @Test("Create an invoice, pay it as a Telegram user, see the subscription, lapse it")
    func payFlow() async throws {
        try await withServer { server in
            let port = server.port
            let created = try await RawHTTP.send(
                port: port, method: "POST", path: "/api/invoice", headers: Self.key,
                body: #"{"title":"VIP","rate":9.5,"period":"PerWeek","metadata":{"ref":"x-1"}}"#)
            #expect(created.status == 200)
            #expect(created.header("Content-Type") == "application/json; charset=utf-8")
            let invoice = try JSON.parse(created.bodyText)
            #expect(invoice["id"]?.intValue == 2)  // the demo world already holds invoice 1
            #expect(invoice["rate"]?.numberText == "9.5")
            #expect(invoice["botUrl"]?.stringValue == "https://t.me/PapayaPayBot?start=invoice_2")

            let unpaid = try JSON.parse(
                try await RawHTTP.send(port: port, method: "GET", path: "/api/invoice/2", headers: Self.key).bodyText)
            #expect(unpaid["isPaid"] == .bool(false) && unpaid["recipient"] == .null)

            let paid = try await RawHTTP.send(
                port: port, method: "POST", path: "/__admin/papaya/invoices/2/pay",
                body: #"{"tg_user_id": 123456789, "username": "@username"}"#)
            #expect(paid.status == 200)
            let subscriptionID = try #require(try JSON.parse(paid.bodyText)["subscription"]?["id"]?.intValue)
            #expect(subscriptionID == 2)

            let invoiceAfter = try JSON.parse(
                try await RawHTTP.send(port: port, method: "GET", path: "/api/invoice/2", headers: Self.key).bodyText)
            #expect(invoiceAfter["isPaid"] == .bool(true))
            #expect(invoiceAfter["recipient"] == .string("username"))
            #expect(invoiceAfter["metadata"]?.text() == #"{"ref":"x-1"}"#)

            let list = try JSON.parse(
                try await RawHTTP.send(port: port, method: "GET", path: "/api/subscriptions?page=1&limit=50", headers: Self.key)
                    .bodyText)
            #expect(list["totalCount"]?.intValue == 2)
            let subscription = try #require(list["items"]?.arrayValue?.last)
            #expect(subscription["tgUserId"]?.intValue == 123_456_789)
            #expect(subscription["isActive"] == .bool(true))
            #expect(subscription["tx"]?.stringValue?.count == 66)
            #expect(subscription["userAddress"]?.stringValue?.count == 42)

            let again = try await RawHTTP.send(
                port: port, method: "POST", path: "/__admin/papaya/invoices/2/pay", body: #"{"tg_user_id": 1}"#)
            #expect(again.status == 409)

            let lapsed = try await RawHTTP.send(port: port, method: "POST", path: "/__admin/papaya/subscriptions/2/lapse")
            #expect(lapsed.status == 200)
            let after = try await RawHTTP.send(port: port, method: "GET", path: "/api/subscriptions/2", headers: Self.key)
            #expect(after.bodyText.hasSuffix(#""isActive":false}"#))
        }
    }

    @Test("A missing key is 401 with an empty body on the wire")
    func unauthorizedOverSocket() async throws {
        try await withServer { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/subscriptions")
            #expect(response.status == 401)
            #expect(response.body.isEmpty)
            #expect(response.header("Content-Length") == "0")
            #expect(response.header("Content-Type") == nil)
        }
    }
}
