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
    public internal(set) var recipients: [Int: Recipient] = [:]

    /// Nothing remembered yet.
    public init() {}
}

extension WorldState {
    /// The Telegram user with this numeric id (the first by username if several share it).
    public func user(id: Int64) -> TelegramUser? {
        users.values.filter { $0.id == id }.min { $0.username < $1.username }
    }

    /// The reseller state.
    public var reseller: ResellerState { existingDialectState(ResellerState.self) ?? ResellerState() }

    /// Remembers whom a reseller order was placed for.
    public mutating func rememberResellerRecipient(order id: Int, platform: String, userID: String) {
        updateDialectState(ResellerState.self, initial: { ResellerState() }) {
            $0.recipients[id] = ResellerState.Recipient(platform: platform, userID: userID)
        }
    }
}
