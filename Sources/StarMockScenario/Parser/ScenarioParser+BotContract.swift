import StarMockDialects
import Yams

/// `bot_contract:` (bots under contract, run by `starmock bots`): checked here so a
/// typo is a `file:line:col` diagnostic before any bot starts; the runner reads it as written.
extension ScenarioParser {
    static let botContractKeys = ["modes", "steps", "rules", "user", "token"]
    static let botSteps = [
        "wait", "say", "pay", "advance", "sleep", "cancel_subscription", "lose_webhook_answers", "second_bot", "expect",
    ]
    static let botWaits = [
        "ready", "invoice", "answered", "delivered", "refunded", "canceled-by-bot", "settled",
    ]
    static let botRules = [
        "answers-pre-checkout-in-time", "delivers-once-per-payment", "no-delivery-without-payment", "confirms-updates",
    ]
    static let botExpectKeys = ["payments", "renewals", "refunded", "balance", "pre_checkout"]

    func botContract(_ node: Node) throws(ScenarioError) {
        let f = try reader.fields(node, "\"bot_contract\"", allowed: Self.botContractKeys)
        if let modes = f["modes"] {
            for item in try reader.list(modes, "modes") { _ = try reader.choice(item, "modes", ["polling", "webhook"]) }
        }
        if let user = f["user"] { _ = try reader.int(user, "user", in: 1...Int.max) }
        if let token = f["token"] { _ = try reader.nonEmptyString(token, "token") }
        if let rules = f["rules"] {
            for item in try reader.list(rules, "rules") { _ = try reader.choice(item, "rules", Self.botRules) }
        }
        guard let steps = f["steps"] else { return }
        for item in try reader.list(steps, "steps") {
            let step = try reader.fields(item, "a bot step", allowed: Self.botSteps)
            guard step.entries.count == 1, let entry = step.entries.first else {
                throw reader.error(item, "a bot step is one of \(Self.botSteps.joined(separator: ", ")), one per step")
            }
            switch entry.name {
            case "wait":
                if case .scalar = entry.value {
                    _ = try reader.choice(entry.value, "wait", Self.botWaits)
                } else {
                    let w = try reader.fields(entry.value, "\"wait\"", allowed: ["until", "within"])
                    _ = try reader.choice(try w.required("until"), "until", Self.botWaits)
                    if let within = w["within"] { _ = try reader.positiveDuration(within, "within") }
                }
            case "advance", "sleep": _ = try reader.positiveDuration(entry.value, entry.name)
            case "say": _ = try reader.nonEmptyString(entry.value, "say")
            case "pay", "cancel_subscription": _ = try reader.choice(entry.value, entry.name, ["latest"])
            case "second_bot": _ = try reader.choice(entry.value, "second_bot", ["start", "stop"])
            case "lose_webhook_answers":
                let l = try reader.fields(entry.value, "\"lose_webhook_answers\"", allowed: ["count", "update"])
                _ = try reader.int(try l.required("count"), "count", in: 0...1000)
                if let update = l["update"] { _ = try reader.choice(update, "update", ["message", "pre_checkout_query"]) }
            default:  // expect
                _ = try reader.fields(entry.value, "\"expect\"", allowed: Self.botExpectKeys)
            }
        }
    }
}
