public import StarMockCore

/// The starting state of the reseller dialect's part of the world: its star packages and
/// their wholesale prices.
public struct ResellerSetup: Sendable {
    /// Wholesale price by package size (stars). Only these sizes can be ordered.
    public var packages: [Int: Money] = ResellerSetup.standardPackages

    /// The seed's package sizes (50 … 5000) at our wholesale prices, a little under its
    /// "approx. retail" column; 500 stars cost 8.25, the seed's own wholesale example.
    public static let standardPackages: [Int: Money] = [
        50: Money(cents: 85),
        100: Money(cents: 170),
        250: Money(cents: 420),
        500: Money(cents: 825),
        1000: Money(cents: 1550),
        2500: Money(cents: 3600),
        5000: Money(cents: 6800),
    ]

    /// An empty setup with the standard packages.
    public init() {}
}

extension ResellerSetup: DialectSetupKey {
    public static var defaultValue: ResellerSetup { ResellerSetup() }
}

extension WorldSetup {
    /// The reseller dialect's part of the setup.
    package var reseller: ResellerSetup {
        get { self[ResellerSetup.self] }
        set { self[ResellerSetup.self] = newValue }
    }
}
