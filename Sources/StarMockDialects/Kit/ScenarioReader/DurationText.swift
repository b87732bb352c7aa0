import StarMockCore

/// Duration text ↔ milliseconds, without floating point.
package enum DurationText {
    /// The longest duration a scenario may give: 10¹² ms, about 31 years (keeps every
    /// instant computed from it far from overflow).
    package static let maximum: Int64 = 1_000_000_000_000

    /// `65s` → 65000, `1.5s` → 1500, `200ms` → 200, `2m` → 120000, `1m30s` → 90000; nil when
    /// malformed or finer than a millisecond.
    package static func milliseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: return nil
            }
            // The one decimal parser, in billionths of the unit; at most 9 whole digits.
            guard number.prefix(while: { $0 != "." }).count <= 9, let billionths = FixedPoint.parse(number, scale: 9)
            else { return nil }
            let (whole, fraction) = billionths.quotientAndRemainder(dividingBy: 1_000_000_000)
            // Finer than a millisecond is refused, not rounded.
            guard (fraction * scale) % 1_000_000_000 == 0 else { return nil }
            let millis = whole * scale + fraction * scale / 1_000_000_000
            // Saturate: many groups could overflow; callers refuse anything above `maximum`.
            total = min(total + millis, maximum + 1)
        }
        return total
    }
}
