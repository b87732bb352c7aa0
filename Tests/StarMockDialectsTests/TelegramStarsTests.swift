import StarMockCore
import StarMockDialects
import Testing

@Suite("telegram: transactions, refunds and Stars invoices")
struct TelegramStarsTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    @Test("getStarTransactions lists the demo payments oldest first, byte for byte")
    func transactions() {
        let response = telegramSend(telegramWorld(), "GET", Self.base + "/getStarTransactions")
        #expect(
            response.bodyText
                == #"{"ok":true,"result":{"transactions":[{"id":"stxDemoCharge0001","amount":1000,"date":1774612800,"source":{"type":"user","transaction_type":"invoice_payment","user":{"id":100000001,"is_bot":false,"first_name":"some_user","username":"some_user"},"invoice_payload":"demo-order-1"}},{"id":"stxDemoCharge0002","amount":500,"date":1774636200,"source":{"type":"user","transaction_type":"invoice_payment","user":{"id":1006503122,"is_bot":false,"first_name":"durov","username":"durov"},"invoice_payload":"demo-order-2"}}]}}"#
        )
        let second = telegramSend(telegramWorld(), "GET", Self.base + "/getStarTransactions?offset=1&limit=5")
        #expect(second.bodyText.contains("stxDemoCharge0002") && !second.bodyText.contains("stxDemoCharge0001"))
    }

    @Test("Refunding moves the stars back, adds an outgoing transaction, and cannot happen twice")
    func refund() throws {
        let world = telegramWorld()
        let target = Self.base + "/refundStarPayment?user_id=1006503122&telegram_payment_charge_id=stxDemoCharge0002"
        #expect(telegramSend(world, "POST", target).bodyText == #"{"ok":true,"result":true}"#)
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1000}}"#)
        let list = try JSON.parse(telegramSend(world, "GET", Self.base + "/getStarTransactions?offset=2").body)
        let refund = try #require(list["result"]?["transactions"]?.arrayValue?.first)
        #expect(refund["id"] == .string("stxDemoCharge0002"))
        #expect(refund["amount"]?.intValue == 500)
        #expect(refund["receiver"]?["user"]?["id"]?.intValue == 1_006_503_122)
        #expect(refund["source"] == nil)

        let again = telegramSend(world, "POST", target)
        #expect(again.status == 400)
        #expect(again.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: CHARGE_ALREADY_REFUNDED"}"#)
        #expect(world.read { $0.isConsistent })
    }

    @Test(
        "Refund errors",
        arguments: [
            ("", "Bad Request: invalid user_id specified"),
            ("user_id=abc&telegram_payment_charge_id=x", "Bad Request: invalid user_id specified"),
            ("user_id=100000001", "Bad Request: parameter \\\"telegram_payment_charge_id\\\" is required"),
            ("user_id=100000001&telegram_payment_charge_id=nope", "Bad Request: CHARGE_NOT_FOUND"),
            ("user_id=100000002&telegram_payment_charge_id=stxDemoCharge0001", "Bad Request: USER_ID_INVALID"),
        ])
    func refundErrors(query: String, description: String) {
        let response = telegramSend(telegramWorld(), "POST", Self.base + "/refundStarPayment?" + query)
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"ok":false,"error_code":400,"description":""# + description + #""}"#)
    }

    static let invoiceForm =
        "title=Stars&description=100%20stars&payload=order-1&currency=XTR&prices=%5B%7B%22label%22%3A%22100%20stars%22%2C%22amount%22%3A100%7D%5D"

    @Test("createInvoiceLink returns a t.me/$ link from the seeded generator")
    func invoiceLink() throws {
        let response = telegramSend(
            telegramWorld(), "POST", Self.base + "/createInvoiceLink",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Self.invoiceForm)
        #expect(response.status == 200)
        let link = try #require(try JSON.parse(response.body)["result"]?.stringValue)
        #expect(link.hasPrefix("https://t.me/$") && link.count == "https://t.me/$".count + 27)
        let again = telegramSend(
            telegramWorld(), "POST", Self.base + "/createInvoiceLink",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Self.invoiceForm)
        #expect(again.body == response.body, "same seed, same link")
    }

    @Test("sendInvoice returns the Message with the invoice")
    func sendInvoice() throws {
        let world = telegramWorld()
        let body =
            #"{"chat_id":100000001,"title":"Stars","description":"100 stars","payload":"order-1","currency":"XTR","prices":[{"label":"100 stars","amount":100}]}"#
        let response = telegramSend(
            world, "POST", Self.base + "/sendInvoice", headers: [("Content-Type", "application/json")], body: body)
        #expect(
            response.bodyText
                == #"{"ok":true,"result":{"message_id":1,"from":{"id":123456789,"is_bot":true,"first_name":"StarMock Demo","username":"starmock_demo_bot"},"chat":{"id":100000001,"first_name":"some_user","username":"some_user","type":"private"},"date":1774666800,"invoice":{"title":"Stars","description":"100 stars","start_parameter":"","currency":"XTR","total_amount":100}}}"#
        )
        let second = try JSON.parse(
            telegramSend(world, "POST", Self.base + "/sendInvoice", headers: [("Content-Type", "application/json")], body: body)
                .body)
        #expect(second["result"]?["message_id"]?.intValue == 2)
    }

    @Test(
        "Invoice errors",
        arguments: [
            ("currency=XTR", "Bad Request: parameter \\\"title\\\" is required"),
            ("title=t&description=d&payload=p&currency=XTR&prices=nope", "Bad Request: can't parse prices JSON object"),
            ("title=t&description=d&payload=p&currency=XTR&prices=%7B%7D", "Bad Request: expected an Array of labeled prices"),
            ("title=t&description=d&payload=p&currency=XTR&prices=%5B%5D", "Bad Request: there must be at least one price"),
            (
                "title=t&description=d&payload=p&currency=XTR&prices=%5B%7B%22label%22%3A%22x%22%7D%5D",
                "Bad Request: can't parse labeled price: Can't find field \\\"amount\\\""
            ),
            (
                "title=t&description=d&payload=p&currency=XTR&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A0%7D%5D",
                "Bad Request: total price must be positive"
            ),
            (
                "title=t&description=d&payload=p&currency=USD&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A5%7D%5D",
                "Bad Request: PAYMENT_PROVIDER_INVALID"
            ),
            (
                "title=t&description=d&payload=p&currency=XTR&provider_token=tok&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A5%7D%5D",
                "Bad Request: STARS_INVOICE_INVALID"
            ),
            (
                "title=t&description=d&payload=p&currency=XTR&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A5%7D%2C%7B%22label%22%3A%22y%22%2C%22amount%22%3A5%7D%5D",
                "Bad Request: STARS_INVOICE_INVALID"
            ),
            (
                "title=t&description=d&payload=p&currency=XTR&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A10001%7D%5D",
                "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"
            ),
        ])
    func invoiceErrors(form: String, description: String) {
        let response = telegramSend(
            telegramWorld(), "POST", Self.base + "/createInvoiceLink",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"ok":false,"error_code":400,"description":""# + description + #""}"#)
    }

    @Test("sendInvoice to a chat that is not a known user: chat not found; no chat_id: chat_id is empty")
    func sendInvoiceChats() {
        for (chat, description) in [
            ("&chat_id=42", "Bad Request: chat not found"), ("&chat_id=%40some_user", "Bad Request: chat not found"),
            ("", "Bad Request: chat_id is empty"),
        ] {
            let response = telegramSend(
                telegramWorld(), "POST", Self.base + "/sendInvoice",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Self.invoiceForm + chat)
            #expect(response.status == 400)
            #expect(response.bodyText == #"{"ok":false,"error_code":400,"description":""# + description + #""}"#)
        }
    }

    @Test("StarAmount normalizes like Telegram and never uses floating point")
    func starAmount() {
        #expect(StarAmount(amount: 1, nanostarAmount: -500_000_000) == StarAmount(amount: 0, nanostarAmount: 500_000_000))
        #expect(StarAmount(amount: 0, nanostarAmount: -1_500_000_000).amount == -1)
        #expect(StarAmount(amount: 0, nanostarAmount: -1_500_000_000).nanostarAmount == -500_000_000)
        #expect((StarAmount(amount: 2) - StarAmount(amount: 0, nanostarAmount: 1)).description == "1.999999999")
        #expect(StarAmount(amount: 0, nanostarAmount: -250_000_000).description == "-0.25")
    }
}
