/// The starting state of the reseller dialect's part of the world.
public struct ResellerSetup: Sendable {
    /// An empty setup.
    public init() {}
}
