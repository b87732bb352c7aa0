import StarMockCore

extension TelegramBotAPI {
    /// The Bot API's OpenAPI description: the token in the path, the `{"ok": false, …}` envelope.
    package var apiDescription: APIDescription {
        APIDescription(
            title: "The Telegram Bot API's Stars methods as StarMock serves them", security: .path,
            errorSchema: Schema.object(
                [("ok", Schema.enumerated([.bool(false)])), ("error_code", Schema.integer), ("description", Schema.string)],
                required: ["ok", "error_code", "description"]))
    }
}
