/// `starmock bots` runs bots against the Bot API, its steps playing the users through
/// `/__admin/telegram/…` (`Telegram+Control.swift`).
extension TelegramBotAPI {
    package var hostsBots: Bool { true }
}
