public import StarMockCore

/// What the reseller dialect remembers beyond the world's orders: the platform and user id
/// each top-up was placed for, as the client sent them.
public struct ResellerState: Sendable {
    /// A top-up's recipient as requested.
    public struct Recipient: Sendable, Equatable {
        /// `telegram`.
        public var platform: String
        /// The numeric Telegram user id, as text.
        public var userID: String
    }

    /// Recipients by order id.
    public var recipients: [Int: Recipient] = [:]

    /// Nothing remembered yet.
    public init() {}
}

extension ResellerState: DialectStateKey {
    public static func initial(_ setup: WorldSetup) -> ResellerState { ResellerState() }
}
