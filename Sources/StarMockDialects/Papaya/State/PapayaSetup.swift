public import StarMockCore

/// The starting state of the papaya dialect's part of the world: where its invoices link to,
/// what its subscriptions are paid with, and invoices or subscriptions that already exist.
public struct PapayaSetup: Sendable {
    /// The bot whose deep link is each invoice's `botUrl`:
    /// `https://t.me/<botUsername>?start=invoice_<id>` (ours; the documents show no example).
    public var botUsername = "PapayaPayBot"
    /// The `chainId` of new subscriptions (137, Polygon PoS: ours).
    public var chainID = 137
    /// The `tokenName` of new subscriptions (ours).
    public var tokenName = "USDT"
    /// The first invoice id handed out (raised past any seeded invoice).
    public var firstInvoiceID: Int64 = 1
    /// The first subscription id handed out (raised past any seeded subscription).
    public var firstSubscriptionID: Int64 = 1
    /// Whether a paid subscription lapses by itself one period after payment (ours: yes).
    public var lapseAfterPeriod = true
    /// Invoices that exist when the world starts.
    public var invoices: [PapayaInvoice] = []
    /// Subscriptions that exist when the world starts.
    public var subscriptions: [PapayaSubscription] = []

    /// An empty setup.
    public init() {}
}

extension PapayaSetup {
    /// The demo world's papaya part: application `demo-papaya` has invoice 1 (4.99 per month),
    /// paid on 2026-03-28 03:00:00 UTC by user 123456789 (`username`), and its subscription 1,
    /// which does not lapse by itself.
    public static var demo: PapayaSetup {
        var setup = PapayaSetup()
        let paid = WorldTime("2026-03-28T03:00:00Z")!
        setup.invoices = [
            PapayaInvoice(
                id: 1, owner: "demo-papaya", title: "Premium channel", rate: PapayaRate("4.99")!, period: .perMonth,
                metadata: .object([("plan", .string("monthly"))]), createdAt: paid,
                botUrl: "https://t.me/\(setup.botUsername)?start=invoice_1", recipient: "username", paidAt: paid,
                subscriptionID: 1)
        ]
        setup.subscriptions = [
            PapayaSubscription(
                id: 1, owner: "demo-papaya", invoiceID: 1, period: .perMonth, chainID: setup.chainID,
                tokenName: setup.tokenName, tx: "0x19bef4f2230c5a83a7e4176bd6ac4dc799ca7625b850388fef3bcc268404728f",
                tgUserID: 123_456_789, userAddress: "0x5fdf77447a5f69157b22ca652559cb146a9bd766", createdAt: paid)
        ]
        return setup
    }
}

extension PapayaSetup: DialectSetupKey {
    public static var defaultValue: PapayaSetup { PapayaSetup() }
}

extension WorldSetup {
    /// The papaya dialect's part of the setup.
    package var papaya: PapayaSetup {
        get { self[PapayaSetup.self] }
        set { self[PapayaSetup.self] = newValue }
    }
}
