public import StarMockCore

/// How often an invoice's subscription is billed: the `period` enum of Papaya's
/// `InvoiceRequest`, with .NET's member order (so `0` is `PerDay`, as a JSON integer would read).
public enum PapayaPeriod: Int, Sendable, Equatable, CaseIterable {
    /// Every day.
    case perDay = 0
    /// Every week.
    case perWeek = 1
    /// Every calendar month.
    case perMonth = 2
    /// Every calendar year.
    case perYear = 3

    /// The name on the wire: `PerDay`, `PerWeek`, `PerMonth`, `PerYear`.
    public var name: String {
        switch self {
        case .perDay: "PerDay"
        case .perWeek: "PerWeek"
        case .perMonth: "PerMonth"
        case .perYear: "PerYear"
        }
    }

    /// Reads a name case-insensitively, as `JsonStringEnumConverter` does.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name.lowercased() == name.lowercased() }) else { return nil }
        self = match
    }

    /// The end of one period that starts at `start`, as .NET's `DateTime.AddDays(1)`,
    /// `AddDays(7)`, `AddMonths(1)` and `AddYears(1)` compute it: months and years keep the
    /// day of the month and the time of day, clamped to the last day of a shorter month
    /// (Jan 31 → Feb 28 or 29; Feb 29 → Feb 28 the next year).
    public func end(from start: WorldTime) -> WorldTime {
        switch self {
        case .perDay: return start.adding(.seconds(86_400))
        case .perWeek: return start.adding(.seconds(7 * 86_400))
        case .perMonth: return start.addingCalendarMonths(1)
        case .perYear: return start.addingCalendarMonths(12)
        }
    }
}

extension WorldTime {
    /// The same day of the month and time of day `months` later, clamped to the month's end.
    func addingCalendarMonths(_ months: Int) -> WorldTime {
        let c = components
        let monthIndex = c.year * 12 + (c.month - 1) + months
        let year = monthIndex / 12
        let month = monthIndex % 12 + 1
        let day = min(c.day, WorldTime.daysIn(month: month, year: year))
        let days = WorldTime.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(c.hour * 3600 + c.minute * 60 + c.second)
        return WorldTime(milliseconds: seconds * 1000 + Int64(c.millisecond))
    }

    /// `2026-03-28T03:00:00Z`, `2026-03-28T03:00:00.25Z`: how System.Text.Json writes a UTC
    /// `DateTime` (round-trip "O" format with the trailing zeros of the fraction trimmed, and
    /// no fraction at all when it is zero).
    public var dotNetText: String {
        guard milliseconds % 1000 != 0 else { return iso8601 }
        // `….120Z` → `….12Z`
        var bytes = Array(iso8601.utf8)
        while bytes.count > 2, bytes[bytes.count - 2] == UInt8(ascii: "0") { bytes.remove(at: bytes.count - 2) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
