import StarMockCore

/// A bot the fake Bot API knows: its token and profile (what `getMe` shows), and the Stars it
/// starts with.
public struct TelegramBot: Sendable, Equatable {
    /// The token, `<id>:<secret>`.
    public var token: String
    /// The bot's user id; by Telegram's rule the token's numeric prefix.
    public var id: Int64
    /// `username` without `@`.
    public var username: String
    /// The display name.
    public var firstName: String
    /// `getMe`'s `can_join_groups`.
    public var canJoinGroups: Bool
    /// `getMe`'s `can_read_all_group_messages` (privacy mode off).
    public var canReadAllGroupMessages: Bool
    /// `getMe`'s `supports_inline_queries`.
    public var supportsInlineQueries: Bool
    /// The star balance at the start.
    public var balance: StarAmount
    /// Transactions before the world started, oldest first.
    public var transactions: [StarTransaction]

    /// A bot; `id` defaults to the token's numeric prefix.
    public init(
        token: String, id: Int64? = nil, username: String, firstName: String, canJoinGroups: Bool = true,
        canReadAllGroupMessages: Bool = false, supportsInlineQueries: Bool = false, balance: StarAmount = .zero,
        transactions: [StarTransaction] = []
    ) {
        self.token = token
        self.id = id ?? Self.id(fromToken: token) ?? 0
        self.username = username
        self.firstName = firstName
        self.canJoinGroups = canJoinGroups
        self.canReadAllGroupMessages = canReadAllGroupMessages
        self.supportsInlineQueries = supportsInlineQueries
        self.balance = balance
        self.transactions = transactions
    }

    /// `123456789:AA…` → 123456789; nil when there is no numeric prefix.
    public static func id(fromToken token: String) -> Int64? {
        guard let colon = token.firstIndex(of: ":") else { return nil }
        let prefix = token[..<colon]
        guard !prefix.isEmpty, prefix.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(prefix)
    }
}
