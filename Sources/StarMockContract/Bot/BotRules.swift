import StarMockCore

/// The bot rules, checked on the world's record of one bot (`GET /__admin/telegram`).
public enum BotRules {
    /// Every rule the bot runner knows.
    public static let all = [
        "answers-pre-checkout-in-time", "delivers-once-per-payment", "no-delivery-without-payment", "confirms-updates",
    ]

    /// The rules of `names` that `final` breaks, with why.
    public static func check(_ names: [String], final: JSON, mode: String) -> [(rule: String, why: [String])] {
        let queries = final["pre_checkout_queries"]?.arrayValue ?? []
        let payments = final["payments"]?.arrayValue ?? []
        let sent = final["sent_messages"]?.arrayValue ?? []
        var broken: [(String, [String])] = []
        for rule in names {
            var why: [String] = []
            switch rule {
            case "answers-pre-checkout-in-time":
                for q in queries where q["status"] == .string("expired") || q["status"] == .string("pending") {
                    why.append("pre-checkout \(q["pre_checkout_query_id"]?.stringValue ?? "?") was not answered in time")
                }
            case "delivers-once-per-payment":
                for p in payments {
                    let charge = p["telegram_payment_charge_id"]
                    let n = sent.filter { $0["telegram_payment_charge_id"] == charge }.count
                    if p["refunded"] == .bool(true) && n == 0 { continue }
                    if n != 1 { why.append("\(charge?.stringValue ?? "?") delivered \(n) times") }
                }
            case "no-delivery-without-payment":
                for m in sent where m["telegram_payment_charge_id"] == .null || m["telegram_payment_charge_id"] == nil {
                    why.append("message \(m["message_id"]?.intValue ?? 0) follows no payment")
                }
            case "confirms-updates":
                let pending = final["pending_updates"]?.arrayValue?.count ?? 0
                if pending > 0 { why.append("\(pending) updates never confirmed") }
                if mode == "polling", let twice = final["handed_out_twice"]?.arrayValue, !twice.isEmpty {
                    why.append("updates handed out twice (offset did not advance)")
                }
            default:
                why.append("unknown rule")
            }
            if !why.isEmpty { broken.append((rule, why)) }
        }
        return broken
    }
}
