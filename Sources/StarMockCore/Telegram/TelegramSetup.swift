/// The starting state of the telegram dialect's part of the world.
public struct TelegramSetup: Sendable {
    /// An empty setup.
    public init() {}
}
