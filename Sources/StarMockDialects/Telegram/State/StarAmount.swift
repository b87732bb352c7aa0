public import StarMockCore

/// An exact amount of Telegram Stars: whole stars plus nanostars (billionths of a star), as the
/// Bot API's `StarAmount` shows it. Never floating point.
///
/// Normalized like Telegram's: `nanostarAmount` is in −999 999 999…999 999 999 and never has the
/// opposite sign of `amount` (−1.5 stars is `amount: -1, nanostarAmount: -500_000_000`).
public struct StarAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole stars; may be negative.
    public private(set) var amount: Int
    /// Billionths of a star, same sign as `amount` (or any sign when `amount` is 0).
    public private(set) var nanostarAmount: Int

    /// Nanostars in one star.
    public static let nanostarsPerStar = 1_000_000_000

    /// An amount of whole stars plus nanostars, normalized.
    public init(amount: Int, nanostarAmount: Int = 0) {
        self.init(totalNanostars: amount * Self.nanostarsPerStar + nanostarAmount)
    }

    /// An amount from its total in nanostars.
    public init(totalNanostars: Int) {
        // Swift's `/` and `%` truncate toward zero, which is exactly Telegram's normalization.
        amount = totalNanostars / Self.nanostarsPerStar
        nanostarAmount = totalNanostars % Self.nanostarsPerStar
    }

    /// Zero stars.
    public static let zero = StarAmount(amount: 0)

    /// The amount in nanostars.
    public var totalNanostars: Int { amount * Self.nanostarsPerStar + nanostarAmount }

    public static func < (lhs: StarAmount, rhs: StarAmount) -> Bool { lhs.totalNanostars < rhs.totalNanostars }
    public static func + (lhs: StarAmount, rhs: StarAmount) -> StarAmount {
        StarAmount(totalNanostars: lhs.totalNanostars + rhs.totalNanostars)
    }
    public static func - (lhs: StarAmount, rhs: StarAmount) -> StarAmount {
        StarAmount(totalNanostars: lhs.totalNanostars - rhs.totalNanostars)
    }
    public static func += (lhs: inout StarAmount, rhs: StarAmount) { lhs = lhs + rhs }
    public static func -= (lhs: inout StarAmount, rhs: StarAmount) { lhs = lhs - rhs }

    /// `1500`, `-3`, `0.5`, `-1.25`: exact, for logs and the control API.
    public var description: String {
        guard nanostarAmount != 0 else { return String(amount) }
        let sign = totalNanostars < 0 ? "-" : ""
        var fraction = String(abs(nanostarAmount))
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(abs(amount)).\(fraction)"
    }
}
