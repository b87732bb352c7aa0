import Foundation
import StarMockCore
import StarMockDialects

/// Writes the scenario `scenario from` makes, as YAML the scenario parser reads back.
enum ScenarioYAML {
    /// Fields the server writes itself; a verbatim answer leaves them out.
    static let serverHeaders: Set<String> = ["content-length", "date", "connection", "keep-alive", "transfer-encoding"]

    /// A YAML double-quoted scalar.
    static func q(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7f || (0x80...0x9f).contains(u.value) || u.value == 0xFEFF || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04X", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func money(_ cents: Int64) -> String { q(Money(cents: cents).twoDecimals) }

    static func duration(_ ms: Int64) -> String { ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms" }

    static func world(_ d: WorldDraft, name: String, description: String, clock: String) -> String {
        var y = ""
        y += "# Made by `starmock scenario from`. The world below is inferred from the recorded answers;\n"
        y += "# faults pin each recorded error, broken connection and verbatim answer to its request (nth).\n"
        y += "name: \(q(name))\n"
        if !description.isEmpty { y += "description: \(q(description))\n" }
        y += "seed: 1\n"
        y += "clock: \(clock)\n"
        y += "start: \(q(d.start.iso8601))\n"
        y += "dialects: [\(d.dialects.joined(separator: ", "))]\n"
        y += "world:\n"
        if !d.accounts.isEmpty {
            y += "  accounts:\n"
            for a in d.accounts {
                y += "    \(a.owner): {balance: \(money(a.balance)), spent: \(money(a.spent)), prior_orders: \(a.prior)}\n"
            }
        }
        if !d.keys.isEmpty {
            y += "  keys:\n"
            for k in d.keys {
                var f = "key: \(q(k.key)), dialect: \(k.dialect), owner: \(k.owner)"
                if let l = k.label { f += ", label: \(q(l))" }
                if !k.enabled { f += ", enabled: false" }
                y += "    - {\(f)}\n"
            }
        }
        if !d.users.isEmpty {
            y += "  users:\n"
            for u in d.users {
                y += "    - {username: \(q(u.username)), id: \(u.id)\(u.stars ? "" : ", stars: false")\(u.premium ? "" : ", premium: false")}\n"
            }
        }
        let priced = d.prices.keys.sorted().filter { d.dialects.contains($0) && RecordedDialects.documentedPrices[$0] != nil }
        if !priced.isEmpty {
            y += "  prices:\n"
            for name in priced {
                let p = d.prices[name]!
                var f: [String] = []
                if let s = p.perStar { f.append("per_star: \(q(s))") }
                if let m = p.minStars { f.append("min_stars: \(m)") }
                if !p.premium.isEmpty { f.append("premium: {\(p.premium.map { "\($0.0): \(q($0.1))" }.joined(separator: ", "))}") }
                if !f.isEmpty { y += "    \(name): {\(f.joined(separator: ", "))}\n" }
            }
        }
        let ids = d.firstOrderID.keys.sorted().filter { d.dialects.contains($0) }
        if !ids.isEmpty {
            y += "  first_order_id: {\(ids.map { "\($0): \(d.firstOrderID[$0]!)" }.joined(separator: ", "))}\n"
        }
        var lifecycles = ""
        for kind in d.lifecycles.keys.sorted() {
            let l = d.lifecycles[kind]!
            for n in l.notes { lifecycles += "  # \(n)\n" }
            var f: [String] = []
            if l.never { f.append("pending: never") } else if let ms = l.pendingMilliseconds { f.append("pending: \(duration(ms))") }
            if !l.script.isEmpty { f.append("script: [\(l.script.joined(separator: ", "))]") }
            if f.isEmpty { continue }
            lifecycles += "  \(kind == "stars" || kind == "premium" ? kind : "default"): {\(f.joined(separator: ", "))}\n"
        }
        if lifecycles.contains(": {") { y += "lifecycles:\n" + lifecycles } else if !lifecycles.isEmpty { y += lifecycles }
        y += "# Rate limits are off: every 429 of the recording is a fault below, at its place.\n"
        y += "rate_limits:\n"
        for name in d.dialects { y += "  \(name): none\n" }
        return y
    }

    static func rules(_ rules: [RuleDraft]) -> String {
        let latency = rules.filter { $0.group == .delay }
        let faults = rules.filter { $0.group != .delay }
        var y = ""
        if !latency.isEmpty {
            y += "latency:\n"
            for r in latency {
                guard case .delay(let ms) = r.action else { continue }
                y += "  # \(r.comment)\n"
                y += "  - {\(selection(r)), delay: \(duration(ms))}\n"
            }
        }
        if !faults.isEmpty {
            y += "faults:\n"
            for r in faults {
                y += "  # \(r.comment)\n"
                switch r.action {
                case .respond(let code):
                    y += "  - {\(selection(r)), respond: \(code), phase: \(r.phase.rawValue)}\n"
                case .transport(let name):
                    y += "  - {\(selection(r)), transport: \(name == "garbage" ? "{garbage: \"HTTP/1.1 ???\\r\\n\"}" : name), phase: \(r.phase.rawValue)}\n"
                case .verbatim(let e):
                    let headers = e.responseHeaders.filter { !serverHeaders.contains($0.0.lowercased()) }
                    var seen = Set<String>()
                    let unique = headers.filter { seen.insert($0.0.lowercased()).inserted }
                    y += "  - \(selection(r).replacingOccurrences(of: ", ", with: "\n    "))\n"
                    y += "    phase: \(r.phase.rawValue)\n"
                    y += "    respond_verbatim:\n"
                    y += "      status: \(e.status ?? 502)\n"
                    if !unique.isEmpty {
                        y += "      headers: {\(unique.map { "\(q($0.0)): \(q($0.1))" }.joined(separator: ", "))}\n"
                    }
                    y += "      body: \(q(String(decoding: e.responseBody, as: UTF8.self)))\n"
                case .delay: break
                }
            }
        }
        return y
    }

    static func selection(_ r: RuleDraft) -> String {
        var f = ["dialect: \(r.dialect)", "method: \(r.method)"]
        if let p = r.path { f.append("path: \(q(p))") }
        if let k = r.key { f.append("key: \(q(k))") }
        f.append("nth: \(r.nth)")
        f.append("times: 1")
        return f.joined(separator: ", ")
    }

    /// `--contract`: what a correct client must do in the recorded situation, for the dialects
    /// the contract protocol has purchase actions for (`RecordingTraits.purchase`).
    static func contract(
        _ exchanges: [RecordedExchange], dialectOf: [String?], credentials: [String?], draft: WorldDraft, served: [String],
        verbatim: Set<Int>, notes: inout [String]
    ) -> String {
        var steps: [String] = []
        var lastIntent: String?
        var posts: [String: Int] = [:]
        var sawRateLimit = false
        var lostAnswer = false
        var dialectUsed: String?
        for (i, e) in exchanges.enumerated() {
            guard let d = dialectOf[i], let purchase = RecordedDialects.traits(d)?.purchase else { continue }
            if e.status == 429 { sawRateLimit = true }
            let reading = WorldInference.reading(e, dialect: d)
            if verbatim.contains(i) {
                switch reading.kind {
                case .order, .status: lostAnswer = true  // the answer is the recording's, not the world's
                default: break
                }
            }
            guard case .order(let kind) = reading.kind, let body = try? JSON.parse(e.body) else { continue }
            let username = body["username"]?.stringValue ?? ""
            let amount = body[purchase.field(kind: kind)]
            guard let n = amount?.intValue, !username.isEmpty else { continue }
            let args = kind == "stars" ? "{username: \(q(username)), quantity: \(n)}" : "{username: \(q(username)), months: \(n)}"
            let intent = "\(d) \(kind) \(args)"
            // A retry of the same purchase is the same intent: one step.
            if intent == lastIntent { continue }
            // The answer was lost or refused upstream: the client cannot know the order's fate
            // from it, so polling until final is not required of it.
            if e.status == nil || (e.status ?? 0) >= 500 { lostAnswer = true }
            lastIntent = intent
            dialectUsed = dialectUsed ?? d
            var step = "    - action: buy-\(kind)\n      args: \(args)\n"
            if served.count > 1 { step += "      dialect: \(d)\n" }
            if let key = credentials[i], draft.keys.contains(where: { $0.key == key }) { step += "      key: \(q(key))\n" }
            steps.append(step)
            posts["\(d) \(e.path)", default: 0] += 1
        }
        guard !steps.isEmpty else {
            notes.append("--contract: the recording has no sh4de or TG Market purchase to turn into contract steps; no contract: section written")
            return ""
        }
        var y = "# What a correct client must do here: one order per purchase, whatever the errors and broken\n"
        y += "# connections above (a lost answer is unknown, not failed: reconcile, never re-send blindly);\n"
        y += "# poll with a pause\(lostAnswer ? "" : " until each order is final"); honour Retry-After.\n"
        y += "contract:\n  clock: real\n  timeout: 60s\n  steps:\n"
        y += steps.joined()
        y += "  rules:\n    - no-duplicate-order\n"
        if !lostAnswer { y += "    - polls-until-final\n" }
        y += "    - {min-poll-interval: 200ms}\n"
        if sawRateLimit { y += "    - honours-retry-after\n" }
        y += "  expect:\n    journal:\n"
        for (k, count) in posts.sorted(by: { $0.key < $1.key }) {
            let path = k.split(separator: " ", maxSplits: 1)[1]
            y += "      - {method: POST, path: \(q(String(path))), min: \(count)}\n"
        }
        _ = dialectUsed
        return y
    }
}
