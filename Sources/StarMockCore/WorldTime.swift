/// An instant on the world's clock: milliseconds since 1970-01-01 00:00:00 UTC.
public struct WorldTime: Sendable, Hashable, Comparable, TextCodable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, UTC.
    public var milliseconds: Int64

    /// Creates an instant from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The instant `seconds` later (may be fractional through `Duration`).
    public func adding(_ duration: Duration) -> WorldTime {
        WorldTime(milliseconds: milliseconds + duration.wholeMilliseconds)
    }

    /// The time from `other` to `self`.
    public func since(_ other: WorldTime) -> Duration { .milliseconds(milliseconds - other.milliseconds) }

    public static func < (lhs: WorldTime, rhs: WorldTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Parses `2026-03-28 03:00:00`, `2026-03-28T03:00:00Z` or `2026-03-28T03:00:00.250Z` (UTC).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var v = 0
            for b in bytes[from..<from + count] {
                guard (48...57).contains(b) else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 32 || bytes[10] == 84,
            bytes[13] == 58, bytes[16] == 58,
            let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2), (1...12).contains(mo), (1...WorldTime.daysIn(month: mo, year: y)).contains(d), h < 24,
            mi < 60, s < 60
        else { return nil }
        var rest = bytes[19...]
        var millis = 0
        if rest.first == 46 {
            let frac = rest.dropFirst().prefix(while: { (48...57).contains($0) })
            guard !frac.isEmpty, frac.count <= 9 else { return nil }
            let padded = Array(frac.prefix(3)) + Array(repeating: 48, count: max(0, 3 - frac.count))
            millis = padded.reduce(0) { $0 * 10 + Int($1 - 48) }
            rest = rest.dropFirst(1 + frac.count)
        }
        if rest.first == 90 { rest = rest.dropFirst() }
        guard rest.isEmpty else { return nil }
        let days = WorldTime.daysFromCivil(year: y, month: mo, day: d)
        let seconds = Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + s)
        self.milliseconds = seconds * 1000 + Int64(millis)
    }

    /// `2026-03-28 03:00:00`: sh4de's timestamp format (no `T`, no zone).
    public var sh4deText: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }

    /// `2026-03-28T03:00:00Z` or `2026-03-28T03:00:00.250Z` when there are milliseconds.
    public var iso8601: String {
        let c = components
        guard (0...9999).contains(c.year) else {
            let base = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
            return c.millisecond == 0 ? base + "Z" : base + "." + pad(c.millisecond, 3) + "Z"
        }
        // The common case, digit by digit into one buffer (this is on every order read).
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ v: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(48 + v / divisor % 10))
                divisor /= 10
            }
        }
        digits(c.year, 4); out.append(0x2D); digits(c.month, 2); out.append(0x2D); digits(c.day, 2)
        out.append(0x54); digits(c.hour, 2); out.append(0x3A); digits(c.minute, 2); out.append(0x3A); digits(c.second, 2)
        if c.millisecond != 0 { out.append(0x2E); digits(c.millisecond, 3) }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { iso8601 }

    public init?(codedText: String) { self.init(codedText) }
    public var codedText: String { iso8601 }
    public static let codedTextExample = "a UTC time like \"2026-03-28 03:00:00\""

    package struct Components { package var year, month, day, hour, minute, second, millisecond: Int }

    package var components: Components {
        let ms = Int(milliseconds)
        let secs = ms.floorDiv(1000)
        let days = secs.floorDiv(86_400)
        let rem = secs - days * 86_400
        let (y, m, d) = WorldTime.civil(fromDays: days)
        return Components(
            year: y, month: m, day: d, hour: rem / 3600, minute: rem % 3600 / 60, second: rem % 60,
            millisecond: ms - secs * 1000)
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil-from-days algorithms.
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int {
    fileprivate func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

extension Duration {
    /// The duration in whole milliseconds (truncated).
    public var wholeMilliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
