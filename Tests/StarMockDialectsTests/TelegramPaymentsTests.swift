import StarMockCore
import StarMockDialects
import Synchronization
import Testing

/// A request to the telegram dialect that may be held (`getUpdates` with `timeout`): held
/// requests are registered as the server registers them, and their answer lands in `answer`.
final class TelegramCall: Sendable {
    let answer = Mutex<DialectResponse?>(nil)
    let hold = Mutex<Int?>(nil)
    var response: DialectResponse? { answer.withLock { $0 } }
}

func telegramCall(_ world: World, _ method: String = "GET", _ target: String, body: String = "", json: Bool = false) -> TelegramCall {
    let headers = json ? [("Content-Type", "application/json")] : body.isEmpty ? [] : [("Content-Type", "application/x-www-form-urlencoded")]
    let request = DialectRequest(method: HTTPMethod(method), target: target, headers: headers, body: Array(body.utf8))
    let call = TelegramCall()
    let exchange = world.transact { DialectSet([TelegramBotAPI()]).respond(to: request, in: &$0) }
    switch exchange.reply {
    case .now(let response): call.answer.withLock { $0 = response }
    case .held: Issue.record("telegram holds on topics, never on orders")
    case .waiting(let topic, let timeout, let render):
        let id = world.transact { w in
            w.hold(topic, timeout: timeout) { end, w in
                let response = render(end, &w)
                call.answer.withLock { $0 = response }
            }
        }
        call.hold.withLock { $0 = id }
    }
    return call
}

/// The telegram control endpoints, in process.
func telegramControl(_ world: World, _ method: String, _ path: String, _ body: String = "") -> DialectResponse {
    let api = TelegramBotAPI()
    let request = DialectRequest(method: HTTPMethod(method), target: path, body: Array(body.utf8))
    for endpoint in api.controlEndpoints where endpoint.method.name == method {
        if endpoint.path.description == path {
            return world.transact { endpoint.handler(ControlCall(request: request, captures: [:]), &$0) }
        }
    }
    return DialectResponse(status: 404, body: [])
}

@Suite("telegram: updates, pre-checkout, payments, refunds and subscriptions")
struct TelegramPaymentsTests {
    static let base = "/bot\(TelegramSetup.demoToken)"
    static let user: Int64 = 100_000_001

    static func link(_ world: World, period: Int? = nil, stars: Int = 100) -> String {
        var body = #"{"title":"T","description":"D","payload":"p-1","currency":"XTR","prices":[{"label":"x","amount":\#(stars)}]"#
        if let period { body += #","subscription_period":\#(period)"# }
        body += "}"
        let r = telegramCall(world, "POST", base + "/createInvoiceLink", body: body, json: true).response!
        return (try? JSON.parse(r.body))?["result"]?.stringValue ?? r.bodyText
    }

    static func pay(_ world: World, _ link: String) -> JSON {
        let r = telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001,"link":"\#(link)"}"#)
        return (try? JSON.parse(r.body)) ?? .null
    }

    static func updates(_ world: World, offset: Int = 0) -> [JSON] {
        let r = telegramCall(world, "GET", base + "/getUpdates?offset=\(offset)").response!
        return (try? JSON.parse(r.body))?["result"]?.arrayValue ?? []
    }

    @Test("A paid link: pre_checkout_query, ok, the Stars move, successful_payment with every field, refund sends refunded_payment")
    func paidPurchase() throws {
        let world = telegramWorld()
        let link = Self.link(world)
        let started = Self.pay(world, link)
        #expect(started["pre_checkout_query"]?["status"] == .string("pending"))
        let first = Self.updates(world)
        #expect(first.count == 1)
        let query = try #require(first.first?["pre_checkout_query"])
        let queryID = try #require(query["id"]?.stringValue)
        #expect(query.text() == #"{"id":"\#(queryID)","from":{"id":100000001,"is_bot":false,"first_name":"some_user","username":"some_user"},"currency":"XTR","total_amount":100,"invoice_payload":"p-1"}"#)

        let ok = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=true").response!
        #expect(ok.bodyText == #"{"ok":true,"result":true}"#)
        let twice = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=true").response!
        #expect(twice.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: query is too old and response timeout expired or query ID is invalid"}"#)
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1600}}"#)

        let second = Self.updates(world, offset: 2)
        let payment = try #require(second.first?["message"]?["successful_payment"])
        let charge = try #require(payment["telegram_payment_charge_id"]?.stringValue)
        #expect(payment.text() == #"{"currency":"XTR","total_amount":100,"invoice_payload":"p-1","telegram_payment_charge_id":"\#(charge)","provider_payment_charge_id":"\#(charge)"}"#)
        let transactions = telegramSend(world, "GET", Self.base + "/getStarTransactions?offset=2").bodyText
        #expect(transactions.contains(charge) && transactions.contains(#""first_name":"some_user""#))

        let refund = telegramSend(world, "POST", Self.base + "/refundStarPayment?user_id=100000001&telegram_payment_charge_id=\(charge)")
        #expect(refund.bodyText == #"{"ok":true,"result":true}"#)
        let third = Self.updates(world, offset: 3)
        let refunded = try #require(third.first?["message"]?["refunded_payment"])
        #expect(refunded.text() == #"{"currency":"XTR","total_amount":100,"invoice_payload":"p-1","telegram_payment_charge_id":"\#(charge)","provider_payment_charge_id":"\#(charge)"}"#)
        #expect(world.read { $0.isConsistent })
    }

    @Test("ok: false declines without moving Stars; ok: false needs error_message; unknown ids are refused")
    func declined() throws {
        let world = telegramWorld()
        _ = Self.pay(world, Self.link(world))
        let queryID = try #require(Self.updates(world).first?["pre_checkout_query"]?["id"]?.stringValue)
        let missing = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=false").response!
        #expect(missing.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: parameter \"error_message\" is required"}"#)
        let no = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=false&error_message=Sold+out").response!
        #expect(no.bodyText == #"{"ok":true,"result":true}"#)
        #expect(Self.updates(world, offset: 2).isEmpty)
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1500}}"#)
        let unknown = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=42&ok=true").response!
        #expect(unknown.status == 400 && unknown.bodyText.contains("query ID is invalid"))
        let noID = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "ok=true").response!
        #expect(noID.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: parameter \"pre_checkout_query_id\" is required"}"#)
    }

    @Test("An answer after 10 s of world time is refused and the payment is cancelled")
    func lateAnswer() throws {
        let world = telegramWorld()
        _ = Self.pay(world, Self.link(world))
        let queryID = try #require(Self.updates(world).first?["pre_checkout_query"]?["id"]?.stringValue)
        world.advance(by: .seconds(10))
        let late = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=true").response!
        #expect(late.status == 400 && late.bodyText.contains("query is too old"))
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1500}}"#)
        let state = telegramControl(world, "GET", "/__admin/telegram").bodyText
        #expect(state.contains(#""status":"expired""#))
    }

    @Test("getUpdates long-polls on the world clock: the first update wakes it; a second poller ends the first with 409")
    func longPoll() throws {
        let world = telegramWorld()
        let held = telegramCall(world, "GET", Self.base + "/getUpdates?timeout=30")
        #expect(held.response == nil)
        let second = telegramCall(world, "GET", Self.base + "/getUpdates?timeout=30")
        #expect(held.response?.bodyText == #"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}"#)
        #expect(second.response == nil)
        _ = Self.pay(world, Self.link(world))
        let woken = try #require(second.response)
        #expect(woken.bodyText.contains(#""update_id":1,"pre_checkout_query""#))
        let empty = telegramCall(world, "GET", Self.base + "/getUpdates?offset=2&timeout=5")
        #expect(empty.response == nil)
        world.advance(by: .seconds(5))
        #expect(empty.response?.bodyText == #"{"ok":true,"result":[]}"#)
    }

    @Test("offset confirms, limit 1–100 is clamped, allowed_updates filters, a webhook makes getUpdates 409")
    func offsetsAndFilters() throws {
        let world = telegramWorld()
        for text in ["/a", "/b", "/c"] {
            _ = telegramControl(world, "POST", "/__admin/telegram/message", #"{"user_id":100000001,"text":"\#(text)"}"#)
        }
        #expect(Self.updates(world).count == 3)
        let one = telegramCall(world, "GET", Self.base + "/getUpdates?limit=0").response!
        #expect(((try JSON.parse(one.body))["result"]?.arrayValue?.count) == 1)
        #expect(Self.updates(world, offset: 3).map { $0["update_id"]?.intValue } == [3])
        let filtered = telegramCall(world, "GET", Self.base + "/getUpdates?allowed_updates=%5B%22pre_checkout_query%22%5D").response!
        #expect(filtered.bodyText == #"{"ok":true,"result":[]}"#)
        let set = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=http%3A%2F%2F127.0.0.1%3A9%2Fhook").response!
        #expect(set.bodyText == #"{"ok":true,"result":true,"description":"Webhook was set"}"#)
        let conflict = telegramCall(world, "GET", Self.base + "/getUpdates").response!
        #expect(conflict.bodyText == #"{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}"#)
        let remote = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=http%3A%2F%2F10.1.2.3%2Fhook").response!
        #expect(remote.status == 400 && remote.bodyText.contains("bad webhook"))
        let info = telegramCall(world, "GET", Self.base + "/getWebhookInfo").response!
        #expect(info.bodyText.hasPrefix(#"{"ok":true,"result":{"url":"http://127.0.0.1:9/hook","has_custom_certificate":false,"pending_update_count":"#))
        let deleted = telegramCall(world, "POST", Self.base + "/deleteWebhook").response!
        #expect(deleted.bodyText == #"{"ok":true,"result":true,"description":"Webhook was deleted"}"#)
    }

    @Test("subscription_period: only 2592000, XTR only, at most 10000 Stars")
    func subscriptionRules() {
        let world = telegramWorld()
        #expect(Self.link(world, period: 100) == #"{"ok":false,"error_code":400,"description":"Bad Request: SUBSCRIPTION_PERIOD_INVALID"}"#)
        #expect(Self.link(world, period: 2_592_000, stars: 10_001) == #"{"ok":false,"error_code":400,"description":"Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"}"#)
        #expect(Self.link(world, period: 2_592_000).hasPrefix("https://t.me/$"))
        let usd = telegramCall(
            world, "POST", Self.base + "/createInvoiceLink",
            body: #"{"title":"T","description":"D","payload":"p","currency":"USD","prices":[{"label":"x","amount":5}],"subscription_period":2592000}"#,
            json: true
        ).response!
        #expect(usd.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: PAYMENT_PROVIDER_INVALID"}"#)
    }

    @Test("A subscription renews twice over 60 days of a virtual clock, then stops once the bot cancels it")
    func renewals() throws {
        let world = telegramWorld()
        _ = Self.pay(world, Self.link(world, period: 2_592_000))
        let queryID = try #require(Self.updates(world).first?["pre_checkout_query"]?["id"]?.stringValue)
        _ = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=true")
        let first = try #require(Self.updates(world, offset: 2).first?["message"]?["successful_payment"])
        #expect(first["is_first_recurring"] == .bool(true) && first["is_recurring"] == .bool(true))
        let charge = try #require(first["telegram_payment_charge_id"]?.stringValue)
        world.advance(by: .seconds(60 * 86_400))
        let renewals = Self.updates(world, offset: 3).compactMap { $0["message"]?["successful_payment"] }
        #expect(renewals.count == 2)
        #expect(renewals.allSatisfy { $0["is_recurring"] == .bool(true) && $0["is_first_recurring"] == nil })
        #expect(Set(renewals.compactMap { $0["telegram_payment_charge_id"]?.stringValue }).count == 2)
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1800}}"#)

        let edit = telegramSend(world, "POST", Self.base + "/editUserStarSubscription?user_id=100000001&telegram_payment_charge_id=\(charge)&is_canceled=true")
        #expect(edit.bodyText == #"{"ok":true,"result":true}"#)
        let wrongUser = telegramSend(world, "POST", Self.base + "/editUserStarSubscription?user_id=1006503122&telegram_payment_charge_id=\(charge)&is_canceled=true")
        #expect(wrongUser.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: USER_ID_INVALID"}"#)
        let unknown = telegramSend(world, "POST", Self.base + "/editUserStarSubscription?user_id=100000001&telegram_payment_charge_id=nope")
        #expect(unknown.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: CHARGE_NOT_FOUND"}"#)
        world.advance(by: .seconds(40 * 86_400))
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1800}}"#)
        let resumed = telegramSend(world, "POST", Self.base + "/editUserStarSubscription?user_id=100000001&telegram_payment_charge_id=\(charge)&is_canceled=false")
        #expect(resumed.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: SUBSCRIPTION_EXPIRED"}"#)
    }

    @Test("The user cancels a subscription: it does not renew")
    func userCancels() throws {
        let world = telegramWorld()
        _ = Self.pay(world, Self.link(world, period: 2_592_000))
        let queryID = try #require(Self.updates(world).first?["pre_checkout_query"]?["id"]?.stringValue)
        _ = telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: "pre_checkout_query_id=\(queryID)&ok=true")
        let charge = try #require(Self.updates(world, offset: 2).first?["message"]?["successful_payment"]?["telegram_payment_charge_id"]?.stringValue)
        let cancel = telegramControl(world, "POST", "/__admin/telegram/cancel-subscription", #"{"user_id":100000001,"telegram_payment_charge_id":"\#(charge)"}"#)
        #expect(cancel.status == 200 && cancel.bodyText.contains(#""canceled_by_user":true"#))
        world.advance(by: .seconds(31 * 86_400))
        #expect(Self.updates(world, offset: 3).isEmpty)
        #expect(telegramSend(world, "GET", Self.base + "/getMyStarBalance").bodyText == #"{"ok":true,"result":{"amount":1600}}"#)
    }

    @Test("Control mistakes are 4xx with a reason, never a crash")
    func controlMistakes() {
        let world = telegramWorld()
        #expect(telegramControl(world, "POST", "/__admin/telegram/pay", "{").status == 400)
        #expect(telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001}"#).status == 400)
        #expect(telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001,"link":"https://t.me/$nope"}"#).status == 404)
        #expect(telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":5,"link":"https://t.me/$nope"}"#).status == 404)
        #expect(telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001,"chat_id":100000001,"message_id":9}"#).status == 404)
        #expect(telegramControl(world, "POST", "/__admin/telegram/cancel-subscription", #"{"user_id":100000001,"telegram_payment_charge_id":"x"}"#).status == 404)
        #expect(telegramControl(world, "POST", "/__admin/telegram/message", #"{"user_id":1,"text":"hi"}"#).status == 400)
    }

    @Test("A sent invoice is paid by chat_id and message_id; sendMessage serves the delivery")
    func sentInvoice() throws {
        let world = telegramWorld()
        let sent = telegramCall(
            world, "POST", Self.base + "/sendInvoice",
            body: #"{"chat_id":100000001,"title":"T","description":"D","payload":"p-2","currency":"XTR","prices":[{"label":"x","amount":50}]}"#,
            json: true
        ).response!
        #expect(sent.bodyText.contains(#""chat":{"id":100000001,"first_name":"some_user","username":"some_user","type":"private"}"#))
        let started = telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001,"chat_id":100000001,"message_id":1}"#)
        #expect(started.status == 200)
        let message = telegramSend(world, "POST", Self.base + "/sendMessage?chat_id=100000001&text=thanks")
        #expect(message.bodyText.contains(#""text":"thanks""#))
        let empty = telegramSend(world, "POST", Self.base + "/sendMessage?chat_id=100000001")
        #expect(empty.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}"#)
    }
}

@Suite("telegram: webhook settings and update queue edges")
struct TelegramWebhookSettingsTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    @Test("setWebhook: allowed_updates shown by getWebhookInfo, drop_pending_updates empties the queue, bad secrets refused, an empty url deletes")
    func settings() throws {
        let world = telegramWorld()
        _ = telegramControl(world, "POST", "/__admin/telegram/message", #"{"user_id":100000001,"text":"hi"}"#)
        let set = telegramCall(
            world, "POST", Self.base + "/setWebhook",
            body: #"{"url":"http://localhost:8443/hook","allowed_updates":["message","pre_checkout_query"],"drop_pending_updates":true}"#,
            json: true
        ).response!
        #expect(set.bodyText == #"{"ok":true,"result":true,"description":"Webhook was set"}"#)
        let info = telegramCall(world, "GET", Self.base + "/getWebhookInfo").response!
        #expect(info.bodyText == #"{"ok":true,"result":{"url":"http://localhost:8443/hook","has_custom_certificate":false,"pending_update_count":0,"max_connections":40,"allowed_updates":["message","pre_checkout_query"]}}"#)
        let secret = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=http%3A%2F%2F127.0.0.1%3A1%2F&secret_token=no%20spaces").response!
        #expect(secret.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: secret token contains unallowed characters"}"#)
        let https = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=https%3A%2F%2F127.0.0.1%2F").response!
        #expect(https.status == 400 && https.bodyText.contains("bad webhook"))
        let port = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=http%3A%2F%2F127.0.0.1%3A99999%2F").response!
        #expect(port.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: bad webhook: invalid port specified"}"#)
        let empty = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=").response!
        #expect(empty.bodyText == #"{"ok":true,"result":true,"description":"Webhook was deleted"}"#)
        #expect(telegramCall(world, "GET", Self.base + "/getWebhookInfo").response?.bodyText == #"{"ok":true,"result":{"url":"","has_custom_certificate":false,"pending_update_count":0}}"#)
    }

    @Test("A remote webhook is accepted only when the scenario allows it")
    func remote() {
        let world = telegramWorld { $0[TelegramSetup.self].remoteWebhooks = true }
        let set = telegramCall(world, "POST", Self.base + "/setWebhook", body: "url=http%3A%2F%2Fbot.example%2Fhook").response!
        #expect(set.bodyText == #"{"ok":true,"result":true,"description":"Webhook was set"}"#)
    }

    @Test("A negative offset keeps only the last updates; a non-integer is refused")
    func negativeOffset() throws {
        let world = telegramWorld()
        for text in ["a", "b", "c"] {
            _ = telegramControl(world, "POST", "/__admin/telegram/message", #"{"user_id":100000001,"text":"\#(text)"}"#)
        }
        let last = telegramCall(world, "GET", Self.base + "/getUpdates?offset=-1").response!
        let ids = (try JSON.parse(last.body))["result"]?.arrayValue?.compactMap { $0["update_id"]?.intValue }
        #expect(ids == [3])
        let bad = telegramCall(world, "GET", Self.base + "/getUpdates?timeout=soon").response!
        #expect(bad.bodyText == #"{"ok":false,"error_code":400,"description":"Bad Request: parameter \"timeout\" must be an Integer"}"#)
    }

    @Test("On a real clock a long poll times out by itself (a world timer, no one polling)")
    func realClockTimeout() async throws {
        let world = telegramWorld { $0.clock = .real }
        let held = telegramCall(world, "GET", Self.base + "/getUpdates?timeout=1")
        #expect(held.response == nil)
        for _ in 0..<60 where held.response == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(held.response?.bodyText == #"{"ok":true,"result":[]}"#)
    }
}
