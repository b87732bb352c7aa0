import StarMockCore
import StarMockDialects
@testable import StarMockServer
import Testing

@Suite("GET /__admin/health tells the dashboard which panels the served dialects offer")
struct DashboardPanelsTests {
    @Test("every dialect: papaya's invoices, the Bot API's pay-link form; one dialect: only its own")
    func panels() throws {
        let all = AdminAPI(world: World(.demo), dialects: .everything)
        let health = try JSON.parse(all.handle(DialectRequest(method: "GET", target: "/__admin/health")).body)
        #expect(health["dashboard"] == .object([("telegram", .array([.string("pay-link")])), ("papaya", .array([.string("invoices")]))]))
        let sh4de = AdminAPI(world: World(.demo), dialects: DialectSet(named: ["sh4de"])!)
        #expect(try JSON.parse(sh4de.handle(DialectRequest(method: "GET", target: "/__admin/health")).body)["dashboard"] == .object([]))
        // The script reads the panels, not the names.
        let page = all.handle(DialectRequest(method: "GET", target: "/__admin")).bodyText
        #expect(page.contains("health.dashboard") && !page.contains("dialects.includes("))
    }
}
