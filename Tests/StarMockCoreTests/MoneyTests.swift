import Foundation
import Testing

@testable import StarMockCore

@Suite("Money and UnitPrice")
struct MoneyTests {
    @Test(
        "parses decimal amounts exactly",
        arguments: [
            ("25.50", Int64(2550)), ("25.5", 2550), ("25", 2500), ("-1.20", -120), ("0.05", 5), ("0", 0),
            ("-0.5", -50), ("1.2", 120), ("999999999999.99", 99_999_999_999_999),
        ])
    func parses(text: String, cents: Int64) {
        #expect(Money(text) == Money(cents: cents))
    }

    @Test(
        "refuses malformed or over-precise amounts",
        arguments: ["1.234", "abc", "1.", ".5", "", "-", "+1", "1,5", "1.2.3", " 1", "1 ", "1e2", "--1", "0x10", "1.-5",
                    "1234567890123"])
    func refuses(text: String) {
        #expect(Money(text) == nil)
    }

    @Test("twoDecimals and shortDecimal")
    func formats() {
        #expect(Money(cents: 2550).twoDecimals == "25.50")
        #expect(Money(cents: 2550).shortDecimal == "25.5")
        #expect(Money(cents: 200).twoDecimals == "2.00")
        #expect(Money(cents: 200).shortDecimal == "2.0")
        #expect(Money(cents: 2351).shortDecimal == "23.51")
        #expect(Money(cents: 5).twoDecimals == "0.05")
        #expect(Money(cents: 5).shortDecimal == "0.05")
        #expect(Money(cents: 0).twoDecimals == "0.00")
        #expect(Money(cents: 0).shortDecimal == "0.0")
        #expect(Money(cents: -120).twoDecimals == "-1.20")
        #expect(Money(cents: -120).shortDecimal == "-1.2")
        #expect(Money(cents: -5).twoDecimals == "-0.05")
        #expect(Money(cents: 2550).description == "$25.50")
    }

    @Test("format → parse round-trips", arguments: [Int64(0), 1, 9, 10, 99, 100, 2550, -1, -120, 123_456_789])
    func roundTrip(cents: Int64) {
        let m = Money(cents: cents)
        #expect(Money(m.twoDecimals) == m)
        #expect(Money(m.shortDecimal) == m)
    }

    @Test("arithmetic and ordering")
    func arithmetic() {
        var m = Money(cents: 1000)
        m -= Money(cents: 130)
        m += Money(cents: 5)
        #expect(m == Money(cents: 875))
        #expect(Money(cents: 1) + Money(cents: 2) == Money(cents: 3))
        #expect(Money(cents: 1) - Money(cents: 2) == Money(cents: -1))
        #expect(Money(cents: -1) < .zero)
        #expect(Money(cents: 130) > Money(cents: 129))
    }

    @Test("Codable uses the two-decimal string and refuses three decimals")
    func codable() throws {
        let data = try JSONEncoder().encode([Money(cents: 2550)])
        #expect(String(decoding: data, as: UTF8.self) == #"["25.50"]"#)
        let decoded = try JSONDecoder().decode([Money].self, from: Data(#"["25.5","-1.20"]"#.utf8))
        #expect(decoded == [Money(cents: 2550), Money(cents: -120)])
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode([Money].self, from: Data(#"["1.234"]"#.utf8))
        }
    }

    @Test("UnitPrice parses up to six decimals")
    func unitPriceParse() {
        #expect(UnitPrice("0.013")?.micros == 13_000)
        #expect(UnitPrice("1.3")?.micros == 1_300_000)
        #expect(UnitPrice("0.000001")?.micros == 1)
        #expect(UnitPrice("0.0000001") == nil)
        #expect(UnitPrice("abc") == nil)
        #expect(UnitPrice(".013") == nil)
    }

    @Test("UnitPrice shortDecimal")
    func unitPriceFormat() {
        #expect(UnitPrice("0.013")!.shortDecimal == "0.013")
        #expect(UnitPrice("1.3")!.shortDecimal == "1.3")
        #expect(UnitPrice("4.99")!.shortDecimal == "4.99")
        #expect(UnitPrice("2")!.shortDecimal == "2.0")
        #expect(UnitPrice("0.013")!.description == "$0.013")
    }

    @Test("cost is exact, in whole cents, rounded half up")
    func cost() {
        let price = UnitPrice("0.013")!
        #expect(price.cost(of: 100) == Money(cents: 130))
        #expect(price.cost(of: 100).twoDecimals == "1.30")
        #expect(price.cost(of: 51) == Money(cents: 66))  // 0.663 → 0.66
        #expect(price.cost(of: 50) == Money(cents: 65))  // 0.65 exactly
        #expect(price.cost(of: 1) == Money(cents: 1))  // 0.013 → 0.01
        #expect(price.cost(of: 0) == .zero)
        #expect(price.cost(of: 1000) == Money(cents: 1300))
        // Exactly half a cent rounds up; just under half rounds down.
        #expect(UnitPrice(micros: 5_000).cost(of: 1) == Money(cents: 1))  // 0.005 → 0.01
        #expect(UnitPrice(micros: 4_999).cost(of: 1) == .zero)  // 0.004999 → 0.00
        #expect(UnitPrice("0.012")!.cost(of: 100) == Money(cents: 120))  // TG Market's documented 1.20
        #expect(UnitPrice("0.013")!.cost(of: 50) == Money(cents: 65))  // sh4de's smallest order
    }

    @Test("UnitPrice Codable uses the short form")
    func unitPriceCodable() throws {
        let data = try JSONEncoder().encode([UnitPrice("0.013")!])
        #expect(String(decoding: data, as: UTF8.self) == #"["0.013"]"#)
        let back = try JSONDecoder().decode([UnitPrice].self, from: data)
        #expect(back == [UnitPrice(micros: 13_000)])
    }
}
