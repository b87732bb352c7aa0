/// An exact amount of US dollars, held as integer cents. Never binary floating point.
public struct Money: Sendable, Hashable, Comparable, TextCodable, CustomStringConvertible {
    /// The amount in cents (1/100 USD).
    public var cents: Int64

    /// Creates an amount from integer cents.
    public init(cents: Int64) { self.cents = cents }

    /// Zero dollars.
    public static let zero = Money(cents: 0)

    /// Parses `"25.50"`, `"25.5"`, `"25"`, `"-1.20"`. More than two decimals is refused: the
    /// ledger holds whole cents and never rounds an amount it was given.
    public init?(_ text: some StringProtocol) {
        guard let fixed = FixedPoint.parse(text, scale: 2) else { return nil }
        self.cents = fixed
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.cents += rhs.cents }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.cents -= rhs.cents }

    /// `25.50`: always two decimals (sh4de's style, and TG Market's `price_usd`).
    public var twoDecimals: String { FixedPoint.format(cents, scale: 2, minimumFractionDigits: 2) }

    /// `25.5`, `2.0`, `23.5`: the shortest form with at least one decimal (Python's float repr,
    /// which TG Market's balance shows).
    public var shortDecimal: String { FixedPoint.format(cents, scale: 2, minimumFractionDigits: 1) }

    public var description: String { "$" + twoDecimals }

    public init?(codedText: String) { self.init(codedText) }
    public var codedText: String { twoDecimals }
    public static let codedTextExample = "an amount like \"25.50\" (at most two decimals)"
}

/// A unit price with up to six decimals (`0.013` USD per star), held as integer micro-dollars.
public struct UnitPrice: Sendable, Hashable, TextCodable, CustomStringConvertible {
    /// The price in millionths of a dollar.
    public var micros: Int64

    /// Creates a unit price from millionths of a dollar.
    public init(micros: Int64) { self.micros = micros }

    /// Parses `"0.013"`; at most six decimals.
    public init?(_ text: some StringProtocol) {
        guard let fixed = FixedPoint.parse(text, scale: 6) else { return nil }
        self.micros = fixed
    }

    /// The cost of `quantity` units in whole cents, rounded half up (documented choice:
    /// 0.013 × 51 = 0.663 → 0.66; 0.013 × 100 = 1.30 exactly).
    public func cost(of quantity: Int) -> Money {
        // Saturate instead of trapping on absurd scenario prices × quantities.
        let (product, overflow) = micros.multipliedReportingOverflow(by: Int64(quantity))
        let totalMicros = overflow ? (micros < 0) != (quantity < 0) ? Int64.min : Int64.max : product
        let (q, r) = totalMicros.quotientAndRemainder(dividingBy: 10_000)
        return Money(cents: q + (r * 2 >= 10_000 ? 1 : 0))
    }

    /// `0.013`, `1.3`, `4.99`, `2.0`: the shortest form with at least one decimal.
    public var shortDecimal: String { FixedPoint.format(micros, scale: 6, minimumFractionDigits: 1) }

    public var description: String { "$" + shortDecimal }

    public init?(codedText: String) { self.init(codedText) }
    public var codedText: String { shortDecimal }
    public static let codedTextExample = "a price like \"0.013\" (at most six decimals)"
}

/// A value coded as one JSON string (amounts, prices, instants): one decoder and one encoder
/// for all of them.
public protocol TextCodable: Codable {
    /// The value of its text, if the text is one.
    init?(codedText: String)
    /// Its text.
    var codedText: String { get }
    /// What a valid text looks like, for the decoding error.
    static var codedTextExample: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(codedText: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected \(Self.codedTextExample), got \"\(text)\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(codedText)
    }
}

/// Decimal text ↔ scaled integers, without floating point: the one decimal parser (money,
/// unit prices, seconds in the control API and durations in scenarios).
public enum FixedPoint {
    /// Parses an optionally signed decimal with at most `scale` fraction digits and at most
    /// 12 whole digits.
    public static func parse(_ text: some StringProtocol, scale: Int) -> Int64? {
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" { negative = true; chars = chars.dropFirst() }
        let parts = chars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 12, whole.allSatisfy(\.isASCIIDigit),
            fraction.allSatisfy(\.isASCIIDigit), fraction.count <= scale,
            parts.count == 1 || !fraction.isEmpty
        else { return nil }
        var value = Int64(whole)!
        for _ in 0..<scale { value *= 10 }
        var fractionValue: Int64 = 0
        for digit in fraction { fractionValue = fractionValue * 10 + Int64(digit.asciiValue! - 48) }
        for _ in 0..<(scale - fraction.count) { fractionValue *= 10 }
        value += fractionValue
        return negative ? -value : value
    }

    /// `value / 10^scale` with at least `minimumFractionDigits` decimals (trailing zeros beyond them dropped).
    public static func format(_ value: Int64, scale: Int, minimumFractionDigits: Int) -> String {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(divisor)
        var fraction = String(magnitude % UInt64(divisor))
        fraction = String(repeating: "0", count: scale - fraction.count) + fraction
        while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction.removeLast() }
        let sign = value < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
