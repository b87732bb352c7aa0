import StarMockCore

/// An invoice's `rate`: a `double` on the wire, held here as an exact decimal (its significant
/// digits and the position of the decimal point), never as binary floating point.
///
/// Rates are accepted with at most 15 significant digits: every such decimal survives .NET's
/// parse to `double` and its shortest round-trip formatting unchanged, so rendering the exact
/// decimal the way .NET renders the double gives the same bytes without a `Double` anywhere.
public struct PapayaRate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whether the value is below zero.
    public let negative: Bool
    /// The significant digits, without leading or trailing zeros; empty for zero.
    public let digits: [UInt8]
    /// Where the decimal point goes: the value is `0.<digits> × 10^scale` (.NET's "scale").
    public let scale: Int

    /// The most significant digits a rate may have.
    public static let maximumSignificantDigits = 15

    /// Why a number is not a rate.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not a JSON number, or outside the range of a `double` (System.Text.Json refuses it).
        case notADouble
    }

    /// Reads a JSON number literal (`4.99`, `5`, `5.0`, `1e2`, `-0.5`). Values too small for a
    /// `double` read as zero, as .NET's parser rounds them; values too large are refused.
    public init(literal text: String) throws(ParseError) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        let integer = bytes.prefix(while: Self.isDigit)
        bytes = bytes.dropFirst(integer.count)
        guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { throw .notADouble }
        var fraction: ArraySlice<UInt8> = []
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: Self.isDigit)
            guard !fraction.isEmpty else { throw .notADouble }
            bytes = bytes.dropFirst(fraction.count)
        }
        var exponent = 0
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
                exponentNegative = bytes.first == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let exponentDigits = bytes.prefix(while: Self.isDigit)
            guard !exponentDigits.isEmpty else { throw .notADouble }
            bytes = bytes.dropFirst(exponentDigits.count)
            // Beyond this the value is infinite or zero for a double whatever the digits.
            let trimmed = exponentDigits.drop(while: { $0 == UInt8(ascii: "0") })
            guard trimmed.count <= 6 else {
                if exponentNegative {
                    self.init(negative: false, digits: [], scale: 0)
                    return
                }
                throw .notADouble
            }
            exponent = trimmed.reduce(0) { $0 * 10 + Int($1 - 48) } * (exponentNegative ? -1 : 1)
        }
        guard bytes.isEmpty else { throw .notADouble }
        // 0.<all digits> × 10^(integer count + exponent), then strip zeros at both ends.
        let all = Array(integer) + Array(fraction)
        var scale = integer.count + exponent
        var significant = all[...]
        while significant.first == UInt8(ascii: "0") {
            significant = significant.dropFirst()
            scale -= 1
        }
        while significant.last == UInt8(ascii: "0") { significant = significant.dropLast() }
        if significant.isEmpty {
            self.init(negative: false, digits: [], scale: 0)
            return
        }
        // double: largest ≈ 1.8e308 (scale 309), smallest subnormal ≈ 4.9e-324.
        if scale > 309 { throw .notADouble }
        if scale < -323 {
            self.init(negative: false, digits: [], scale: 0)
            return
        }
        self.init(negative: negative, digits: significant.map { $0 - 48 }, scale: scale)
    }

    /// Parses decimal text such as `"4.99"`; nil if it is not a JSON number.
    public init?(_ text: String) {
        guard let rate = try? PapayaRate(literal: text) else { return nil }
        self = rate
    }

    private init(negative: Bool, digits: [UInt8], scale: Int) {
        self.negative = negative && !digits.isEmpty
        self.digits = digits
        self.scale = digits.isEmpty ? 0 : scale
    }

    private static func isDigit(_ b: UInt8) -> Bool { (48...57).contains(b) }

    /// Whether the value is zero.
    public var isZero: Bool { digits.isEmpty }

    /// How many significant digits the value has.
    public var significantDigits: Int { digits.count }

    /// How .NET writes this value as a `double` (System.Text.Json, `double.ToString()` since
    /// .NET Core 3.0): the shortest round-trip digits, `5` not `5.0`, and scientific notation
    /// when the decimal exponent is 15 or more or below -5 (`1E+15`, `1E-05`).
    public var dotNetText: String {
        if digits.isEmpty { return "0" }
        let sign = negative ? "-" : ""
        let text = String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
        if scale > 15 || scale < -3 {
            let exponent = scale - 1
            let mantissa = text.count == 1 ? text : String(text.prefix(1)) + "." + String(text.dropFirst())
            let magnitude = String(abs(exponent))
            return sign + mantissa + "E" + (exponent < 0 ? "-" : "+")
                + (magnitude.count < 2 ? "0" + magnitude : magnitude)
        }
        if scale <= 0 { return sign + "0." + String(repeating: "0", count: -scale) + text }
        if scale >= text.count { return sign + text + String(repeating: "0", count: scale - text.count) }
        return sign + String(text.prefix(scale)) + "." + String(text.dropFirst(scale))
    }

    public var description: String { dotNetText }

    public static func < (lhs: PapayaRate, rhs: PapayaRate) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitudeLess = lessInMagnitude(lhs, rhs)
        let magnitudeGreater = lessInMagnitude(rhs, lhs)
        return lhs.negative ? magnitudeGreater : magnitudeLess
    }

    private static func lessInMagnitude(_ a: PapayaRate, _ b: PapayaRate) -> Bool {
        if a.isZero || b.isZero { return a.isZero && !b.isZero }
        if a.scale != b.scale { return a.scale < b.scale }
        for i in 0..<max(a.digits.count, b.digits.count) {
            let x = i < a.digits.count ? a.digits[i] : 0
            let y = i < b.digits.count ? b.digits[i] : 0
            if x != y { return x < y }
        }
        return false
    }
}
