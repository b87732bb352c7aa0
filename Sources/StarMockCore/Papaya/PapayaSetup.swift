/// The starting state of the papaya dialect's part of the world.
public struct PapayaSetup: Sendable {
    /// An empty setup.
    public init() {}
}
