import Foundation
import StarMockCore
import StarMockDialects
import Synchronization
import Testing

/// The session of docs/dialects/telegram.md ("Paying, with curl"), call by call on the demo
/// world and a virtual clock: every body the page shows is a fixture, compared byte for byte.
@Suite("telegram: the documented payment session, byte for byte (fixtures/telegram)")
struct TelegramFlowFixtureTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    static func fixture(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return String(decoding: try Data(contentsOf: root.appendingPathComponent("fixtures/telegram/\(name)")), as: UTF8.self)
    }

    @Test("createInvoiceLink with subscription_period, pay, getUpdates, answerPreCheckoutQuery, renewal, webhooks, conflicts, refund")
    func session() throws {
        let world = telegramWorld()
        let subscription = #"{"title":"Monthly","description":"30 days","payload":"sub-month","currency":"XTR","prices":[{"label":"Month","amount":100}],"#
        let link = telegramCall(world, "POST", Self.base + "/createInvoiceLink", body: subscription + #""subscription_period":2592000}"#, json: true)
        #expect(link.response?.bodyText == (try Self.fixture("createInvoiceLink-subscription.json")))
        let week = telegramCall(world, "POST", Self.base + "/createInvoiceLink", body: subscription + #""subscription_period":604800}"#, json: true)
        #expect(week.response?.bodyText == (try Self.fixture("error-subscription-period-invalid.json")))

        let paid = telegramControl(world, "POST", "/__admin/telegram/pay", #"{"user_id":100000001,"link":"https://t.me/$FqUnzimdhQRmx1XlHvAvR5BCK8n"}"#)
        #expect(paid.bodyText == (try Self.fixture("admin-telegram-pay.json")))
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates?timeout=30").response?.bodyText == (try Self.fixture("getUpdates-pre-checkout-query.json")))
        let answer = "pre_checkout_query_id=8761474764570999248&ok=true"
        #expect(telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: answer).response?.bodyText == (try Self.fixture("answerPreCheckoutQuery.json")))
        #expect(telegramCall(world, "POST", Self.base + "/answerPreCheckoutQuery", body: answer).response?.bodyText == (try Self.fixture("error-query-id-invalid.json")))
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates?offset=2").response?.bodyText == (try Self.fixture("getUpdates-successful-payment.json")))
        world.advance(by: .seconds(2_592_000))
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates?offset=3").response?.bodyText == (try Self.fixture("getUpdates-renewal.json")))
        let charge = "stx7p3AP7OWYAbJchGhl7kFARR3DvAExWJi9HbyNGQb"
        let edit = telegramCall(world, "POST", Self.base + "/editUserStarSubscription", body: "user_id=100000001&telegram_payment_charge_id=\(charge)&is_canceled=true")
        #expect(edit.response?.bodyText == (try Self.fixture("editUserStarSubscription.json")))
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates?offset=4").response?.bodyText == (try Self.fixture("getUpdates-empty.json")))

        let hook = "url=http%3A%2F%2F127.0.0.1%3A8443%2Fhook&secret_token=s3cret"
        #expect(telegramCall(world, "POST", Self.base + "/setWebhook", body: hook).response?.bodyText == (try Self.fixture("setWebhook.json")))
        #expect(telegramCall(world, "POST", Self.base + "/setWebhook", body: hook).response?.bodyText == #"{"ok":true,"result":true,"description":"Webhook is already set"}"#)
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates").response?.bodyText == (try Self.fixture("error-conflict-webhook.json")))
        #expect(telegramCall(world, "GET", Self.base + "/getWebhookInfo").response?.bodyText == #"{"ok":true,"result":{"url":"http://127.0.0.1:8443/hook","has_custom_certificate":false,"pending_update_count":0,"max_connections":40}}"#)
        #expect(telegramCall(world, "POST", Self.base + "/deleteWebhook").response?.bodyText == (try Self.fixture("deleteWebhook.json")))
        #expect(telegramCall(world, "POST", Self.base + "/deleteWebhook").response?.bodyText == #"{"ok":true,"result":true,"description":"Webhook is already deleted"}"#)

        let first = telegramCall(world, "GET", Self.base + "/getUpdates?offset=4&timeout=30")
        let second = telegramCall(world, "GET", Self.base + "/getUpdates?offset=4&timeout=1")
        #expect(first.response?.bodyText == (try Self.fixture("error-conflict-getupdates.json")))
        if let hold = second.hold.withLock({ $0 }) { world.transact { $0.cancelHold(hold) } }

        let refund = telegramCall(world, "POST", Self.base + "/refundStarPayment", body: "user_id=100000001&telegram_payment_charge_id=\(charge)")
        #expect(refund.response?.bodyText == (try Self.fixture("refundStarPayment.json")))
        #expect(telegramCall(world, "GET", Self.base + "/getUpdates?offset=4").response?.bodyText == (try Self.fixture("getUpdates-refunded-payment.json")))
    }
}
