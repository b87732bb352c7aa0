/// A part of the dashboard (`GET /__admin`) a dialect's control API offers, beyond the tables
/// every dialect shares. `GET /__admin/health` lists them per dialect (`"dashboard"`), and the
/// dashboard's script shows a part for each dialect that names it.
package enum DashboardPanel: String, Sendable, Equatable {
    /// `GET /__admin/<id>` answers `{"invoices": [{id, title, rate, period, is_paid,
    /// recipient}, …]}`, and `POST /__admin/<id>/invoices/{id}/pay {"tg_user_id": N}` has a
    /// user pay one: the invoices table with a pay button.
    case invoices
    /// `POST /__admin/<id>/pay {"user_id": N, "link": "…"}` has a user pay an invoice link:
    /// the pay form under the invoices table.
    case payLink = "pay-link"
}
