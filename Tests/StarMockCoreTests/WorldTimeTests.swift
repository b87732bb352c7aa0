import Foundation
import Testing

@testable import StarMockCore

@Suite("World time")
struct WorldTimeTests {
    static let documented: Int64 = 1_774_666_800_000  // 2026-03-28 03:00:00 UTC (date -u +%s)

    @Test("parses sh4de's and ISO forms of the same instant")
    func parsesForms() throws {
        let plain = try #require(WorldTime("2026-03-28 03:00:00"))
        #expect(plain.milliseconds == Self.documented)
        #expect(WorldTime("2026-03-28T03:00:00Z") == plain)
        #expect(WorldTime("2026-03-28T03:00:00") == plain)
        #expect(WorldTime("2026-03-28T03:00:00.000Z") == plain)
        #expect(WorldTime("2026-03-28T03:00:00.250Z")?.milliseconds == Self.documented + 250)
        #expect(WorldTime("2026-03-28T03:00:00.25Z")?.milliseconds == Self.documented + 250)
        #expect(WorldTime("2026-03-28T03:00:00.2Z")?.milliseconds == Self.documented + 200)
        #expect(WorldTime("2026-03-28T03:00:00.123456789Z")?.milliseconds == Self.documented + 123)
        #expect(WorldSetup.documentedStart == plain)
    }

    @Test("the epoch and instants before it")
    func epoch() {
        #expect(WorldTime("1970-01-01 00:00:00")?.milliseconds == 0)
        #expect(WorldTime("1969-12-31 23:59:59")?.milliseconds == -1000)
        #expect(WorldTime(milliseconds: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(WorldTime(milliseconds: -1000).sh4deText == "1969-12-31 23:59:59")
    }

    @Test("sh4deText and iso8601")
    func formats() {
        let t = WorldTime(milliseconds: Self.documented)
        #expect(t.sh4deText == "2026-03-28 03:00:00")
        #expect(t.iso8601 == "2026-03-28T03:00:00Z")
        #expect(t.description == "2026-03-28T03:00:00Z")
        let withMillis = WorldTime(milliseconds: Self.documented + 5)
        #expect(withMillis.iso8601 == "2026-03-28T03:00:00.005Z")
        #expect(withMillis.sh4deText == "2026-03-28 03:00:00")  // sh4de shows whole seconds
        // Every field zero-padded to its width, at both ends of the four-digit years.
        #expect(WorldTime("0001-02-03 04:05:06")?.iso8601 == "0001-02-03T04:05:06Z")
        #expect(WorldTime("9999-12-31 23:59:59")?.iso8601 == "9999-12-31T23:59:59Z")
        #expect(WorldTime(milliseconds: Self.documented + 120).iso8601 == "2026-03-28T03:00:00.120Z")
    }

    @Test(
        "text round-trips",
        arguments: [
            "2026-03-28 03:00:00", "2000-02-29 12:34:56", "2024-12-31 23:59:59", "1999-01-01 00:00:00",
            "2100-03-01 00:00:00", "1969-07-20 20:17:40", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
        ])
    func roundTrip(text: String) throws {
        let t = try #require(WorldTime(text))
        #expect(t.sh4deText == text)
        #expect(WorldTime(t.iso8601) == t)
    }

    @Test("every day of a span round-trips (calendar arithmetic)")
    func everyDay() throws {
        var t = try #require(WorldTime("1999-12-25 12:00:00"))
        for _ in 0..<(366 * 3) {
            #expect(WorldTime(t.sh4deText) == t)
            t = t.adding(.seconds(86_400))
        }
        #expect(t.sh4deText == "2002-12-27 12:00:00")
    }

    @Test("adding and since")
    func adding() throws {
        let start = try #require(WorldTime("2026-03-28 03:00:00"))
        #expect(start.adding(.seconds(65)).sh4deText == "2026-03-28 03:01:05")
        #expect(start.adding(.seconds(65)).since(start) == .seconds(65))
        #expect(start.adding(.milliseconds(1500)).iso8601 == "2026-03-28T03:00:01.500Z")
        #expect(start.adding(.seconds(-1)).sh4deText == "2026-03-28 02:59:59")
        #expect(WorldTime("2026-12-31 23:59:59")!.adding(.seconds(1)).sh4deText == "2027-01-01 00:00:00")
        #expect(WorldTime("2028-02-28 23:59:59")!.adding(.seconds(1)).sh4deText == "2028-02-29 00:00:00")
        // Sub-millisecond parts are truncated.
        #expect(start.adding(.microseconds(1999)).milliseconds == start.milliseconds + 1)
        #expect(Duration.microseconds(-1500).wholeMilliseconds == -1)
        #expect(start < start.adding(.milliseconds(1)))
    }

    @Test(
        "invalid text is refused",
        arguments: [
            "2026-02-30 00:00:00", "2026-02-29 00:00:00", "2100-02-29 00:00:00", "2026-04-31 00:00:00",
            "2026-13-01 00:00:00", "2026-00-10 00:00:00", "2026-01-00 00:00:00", "2026-03-28 24:00:00",
            "2026-03-28 03:60:00", "2026-03-28 03:00:60", "2026-03-28", "2026-03-28 03:00", "2026/03/28 03:00:00",
            "2026-03-28X03:00:00", "2026-03-28 03:00:00+02:00", "2026-03-28T03:00:00.Z", "2026-03-28 03:00:00 ",
            " 2026-03-28 03:00:00", "2026-3-28 03:00:00", "abcd-ef-gh ij:kl:mn", "", "2026-03-28T03:00:00ZZ",
            "2026-03-28T03:00:00.1234567890Z",
        ])
    func invalid(text: String) {
        #expect(WorldTime(text) == nil)
    }

    @Test("leap years")
    func leapYears() {
        #expect(WorldTime("2024-02-29 00:00:00") != nil)
        #expect(WorldTime("2000-02-29 00:00:00") != nil)
        #expect(WorldTime("1900-02-29 00:00:00") == nil)
    }

    @Test("Codable reads either form and writes ISO 8601")
    func codable() throws {
        let decoded = try JSONDecoder().decode([WorldTime].self, from: Data(#"["2026-03-28 03:00:00","2026-03-28T03:01:05Z"]"#.utf8))
        #expect(decoded.map(\.sh4deText) == ["2026-03-28 03:00:00", "2026-03-28 03:01:05"])
        let encoded = try JSONEncoder().encode(decoded)
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-28T03:00:00Z","2026-03-28T03:01:05Z"]"#)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode([WorldTime].self, from: Data(#"["2026-02-30 00:00:00"]"#.utf8))
        }
    }

    @Test("clock modes parse")
    func clockModes() {
        #expect(ClockMode("real") == .real)
        #expect(ClockMode("virtual") == .virtual)
        #expect(ClockMode("scaled:10") == .scaled(10))
        #expect(ClockMode("x2.5") == .scaled(2.5))
        #expect(ClockMode("scaled:0") == nil)
        #expect(ClockMode("x-1") == nil)
        #expect(ClockMode("xinf") == nil)
        #expect(ClockMode("fast") == nil)
        #expect(ClockMode.scaled(10).description == "scaled:10.0")
        #expect(ClockMode(ClockMode.scaled(10).description) == .scaled(10))
    }
}
