import Foundation
import StarMockCore
import StarMockDialects
import Testing

@Suite("telegram: documented and observed bodies, byte for byte (fixtures/telegram)")
struct TelegramFixtureTests {
    static let base = "/bot\(TelegramSetup.demoToken)"

    static func fixture(_ name: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return Array(try Data(contentsOf: root.appendingPathComponent("fixtures/telegram/\(name)")))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: String
        let status: Int
        let target: String
        var faults: [FaultRule] = []
        var repeats = 1
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        Case(fixture: "error-invalid-token.json", status: 401, target: "/botabc/getMe"),
        Case(
            fixture: "error-unauthorized.json", status: 401,
            target: "/bot987654321:AAunknown_token_for_starmock_000000/getMe"),
        Case(fixture: "error-method-not-found.json", status: 404, target: base + "/sendStarsToTheMoon"),
        Case(fixture: "error-not-found.json", status: 404, target: base),
        Case(
            fixture: "error-too-many-requests.json", status: 429, target: base + "/getMyStarBalance",
            faults: [FaultRule(dialect: "telegram", code: "TOO_MANY_REQUESTS")]),
        Case(
            fixture: "error-charge-already-refunded.json", status: 400,
            target: base + "/refundStarPayment?user_id=100000001&telegram_payment_charge_id=stxDemoCharge0001",
            repeats: 2),
        Case(
            fixture: "error-stars-invoice-invalid.json", status: 400,
            target: base
                + "/createInvoiceLink?title=t&description=d&payload=p&currency=XTR&provider_token=x&prices=%5B%7B%22label%22%3A%22x%22%2C%22amount%22%3A1%7D%5D"
        ),
        Case(
            fixture: "error-invalid-user-id.json", status: 400,
            target: base + "/refundStarPayment?telegram_payment_charge_id=stxDemoCharge0001"),
        Case(fixture: "getMyStarBalance.json", status: 200, target: base + "/getMyStarBalance"),
        Case(
            fixture: "refundStarPayment.json", status: 200,
            target: base + "/refundStarPayment?user_id=100000001&telegram_payment_charge_id=stxDemoCharge0001"),
    ]

    @Test("The dialect answers the fixture's bytes", arguments: cases)
    func matches(_ c: Case) throws {
        let world = telegramWorld { $0.faults = c.faults }
        var response = telegramSend(world, "POST", c.target)
        for _ in 1..<c.repeats { response = telegramSend(world, "POST", c.target) }
        #expect(response.status == c.status)
        #expect(response.bodyText == String(decoding: try Self.fixture(c.fixture), as: UTF8.self))
        if c.status == 429 { #expect(response.headers.contains { $0 == ("Retry-After", "5") }) }
    }
}
