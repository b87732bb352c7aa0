import StarMockCore

/// How a recording of the Bot API is read: the token is in the path (`/bot<token>/<method>`),
/// so nothing is added to a replayed request, and a fault rule selects `/bot*/<method>` (with
/// the token as its `key:`); its answers show no account's money.
extension TelegramBotAPI {
    package var recording: RecordingTraits {
        RecordingTraits(credential: apiDescription.security, credentialPathPattern: Self.recordedPathPattern)
    }

    /// `/bot<token>/getMe` → `/bot*/getMe`; nil for a path without a token.
    @Sendable static func recordedPathPattern(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[1].hasPrefix("bot") else { return nil }
        return (["", "bot*"] + parts.dropFirst(2)).joined(separator: "/")
    }
}
