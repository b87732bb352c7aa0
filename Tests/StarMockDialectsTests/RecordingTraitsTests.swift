import StarMockCore
import StarMockDialects
import Testing

/// What the shared code (`scenario from`, the journal's replay, the dashboard) asks of each
/// dialect comes from the dialect's own folder.
@Suite("Each dialect's recording traits and dashboard panels")
struct RecordingTraitsTests {
    static func dialect(_ name: String) -> any Dialect { Dialects.named(name)! }

    @Test("a journal's credential is presented again in the dialect's own header; the Bot API's stays in the path")
    func credentialHeaders() {
        var headers: [String: String] = [:]
        for d in Dialects.all { headers[d.id.name] = d.recording.credentialHeader(for: "k").map { "\($0.name): \($0.value)" } ?? "in the path" }
        #expect(
            headers == [
                "sh4de": "X-API-Key: k", "tgmarket": "Authorization: Bearer k", "telegram": "in the path", "papaya": "X-API-Key: k",
                "reseller": "Authorization: Bearer k",
            ])
    }

    @Test("the money dialects read their own balance answers and report their credential header")
    func moneyDialects() {
        let money = Dialects.all.filter { $0.recording.answers != nil }.map(\.id.name)
        #expect(money == ["sh4de", "tgmarket", "reseller"])
        #expect(money.map { Self.dialect($0).recording.credentialHeaderName } == ["X-API-Key", "Authorization", "Authorization"])
        let balance: [String: [String]] = ["sh4de": ["api", "v1", "balance"], "tgmarket": ["api", "v2", "balance"], "reseller": ["balance"]]
        for (name, path) in balance {
            let answers = Self.dialect(name).recording.answers!
            #expect(answers.classify("GET", path) == .balance, "\(name)")
            #expect(answers.classify("DELETE", path) == .other, "\(name)")
        }
        #expect(Self.dialect("tgmarket").recording.answers!.balanceFields == ["balance_usd"])
        #expect(Self.dialect("sh4de").recording.answers!.classify("GET", ["api", "v1", "user", "%40durov"]) == .user("%40durov"))
        #expect(Self.dialect("tgmarket").recording.answers!.classify("GET", ["api", "v2", "premium", "7"]) == .status(id: 7))
        #expect(Self.dialect("reseller").recording.answers!.classify("POST", ["topup"]) == .order(kind: "stars"))
    }

    @Test("sh4de reads its price list answer; the documented prices are each dialect's own")
    func prices() throws {
        let json = try JSON.parse(Array(#"{"stars": {"price_per_star": 0.015, "min_quantity": 100}, "premium": {"3_months": 5.49}}"#.utf8))
        let read = Self.dialect("sh4de").recording.answers!.prices(json)
        #expect(read.perStar == "0.015" && read.minStars == 100)
        #expect(read.premium.map(\.0) == [3] && read.premium.map(\.1) == ["5.49"])
        #expect(Self.dialect("sh4de").documentedPrices?.perStar == UnitPrice("0.013"))
        #expect(Self.dialect("tgmarket").documentedPrices?.perStar == UnitPrice("0.012"))
        #expect(Self.dialect("reseller").documentedPrices == nil)
    }

    @Test("purchase fields: sh4de quantity/months, TG Market amount/duration, none elsewhere")
    func purchaseFields() {
        #expect(Self.dialect("sh4de").recording.purchase == PurchaseFields(stars: "quantity", premium: "months"))
        #expect(Self.dialect("tgmarket").recording.purchase == PurchaseFields(stars: "amount", premium: "duration"))
        #expect(Dialects.all.filter { $0.recording.purchase != nil }.map(\.id.name) == ["sh4de", "tgmarket"])
    }

    @Test("only the Bot API's rule paths become wildcard patterns, its token's segment a *")
    func pathPatterns() {
        let telegram = Self.dialect("telegram").recording.credentialPathPattern!
        #expect(telegram("/bot123:abc/getMe") == "/bot*/getMe")
        #expect(telegram("/file/x") == nil)
        #expect(Dialects.all.filter { $0.recording.credentialPathPattern != nil }.map(\.id.name) == ["telegram"])
    }

    @Test("papaya offers the invoices panel, the Bot API the pay-link form, nobody else a panel")
    func dashboardPanels() {
        #expect(Self.dialect("papaya").dashboardPanels == [.invoices])
        #expect(Self.dialect("telegram").dashboardPanels == [.payLink])
        #expect(Dialects.all.filter { !$0.dashboardPanels.isEmpty }.map(\.id.name) == ["telegram", "papaya"])
    }
}
