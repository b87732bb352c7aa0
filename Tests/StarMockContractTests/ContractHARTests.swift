import Foundation
import StarMockCore
import Testing

/// `starmock contract --har FILE`: one HAR 1.2 archive per scenario run.
@Suite("starmock contract --har", .timeLimit(.minutes(1)))
struct ContractHARTests {
    static let client =
        #"curl -s -H "X-API-Key: $STARMOCK_API_KEY" "$STARMOCK_BASE_URL/api/v1/balance" > /dev/null; printf '{"outcome":"completed","balance":"25.50"}\n'"#

    @Test("one scenario: FILE itself; several: FILE-<scenario id>.har, each with that run's exchanges")
    func writesOneArchivePerRun() throws {
        let t = try CommandTests()
        let one = try t.starmock(["contract", "--client", Self.client, "scenarios/sh4de/balance.yaml", "--har", "one.har"], in: t.dir.url)
        #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
        let single = try JSON.parse(try String(contentsOf: t.dir.url.appendingPathComponent("one.har"), encoding: .utf8))
        #expect(single["log"]?["version"] == .string("1.2"))
        #expect(single["log"]?["entries"]?.arrayValue?.count == 1)
        #expect(single["log"]?["entries"]?.arrayValue?.first?["request"]?["url"]?.stringValue?.hasSuffix("/api/v1/balance") == true)

        try t.dir.write(
            "scenarios/sh4de/balance2.yaml",
            Fixtures.sh4de(name: "balance2", contract: "steps:\n  - action: balance\n    expect: {result: {outcome: completed}}"))
        let many = try t.starmock(["contract", "--client", Self.client, "scenarios", "--har", "run.har"], in: t.dir.url)
        #expect(many.status == 0, "\(many.stdout)\(many.stderr)")
        for id in ["sh4de-balance", "sh4de-balance2"] {
            let text = try String(contentsOf: t.dir.url.appendingPathComponent("run-\(id).har"), encoding: .utf8)
            #expect(try JSON.parse(text)["log"]?["entries"]?.arrayValue?.count == 1, "\(id)")
        }
        #expect(!FileManager.default.fileExists(atPath: t.dir.url.appendingPathComponent("run-sh4de-plain.har").path), "skipped: no run, no file")
    }

    @Test("an unwritable --har is exit 2 with the reason")
    func unwritable() throws {
        let t = try CommandTests()
        let r = try t.starmock(["contract", "--client", Self.client, "scenarios/sh4de/balance.yaml", "--har", "/nonexistent-dir/x.har"], in: t.dir.url)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot write the HAR file /nonexistent-dir/x.har"))
    }
}
