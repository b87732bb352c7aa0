/// The dashboard lists papaya's invoices with a pay button (`GET /__admin/papaya`,
/// `POST /__admin/papaya/invoices/{id}/pay`).
extension Papaya {
    package var dashboardPanels: [DashboardPanel] { [.invoices] }
}
