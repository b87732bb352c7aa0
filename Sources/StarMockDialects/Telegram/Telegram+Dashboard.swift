/// The dashboard has a form for a user to pay a Bot API invoice link (`POST /__admin/telegram/pay`).
extension TelegramBotAPI {
    package var dashboardPanels: [DashboardPanel] { [.payLink] }
}
