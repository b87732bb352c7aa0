import StarMockCore
import StarMockDialects

/// The starting world a recording implies, before it is written as YAML: what the answers
/// show (balances, order ids, users, prices, key labels) and the order lifecycles the polls
/// show. Ambiguities (an order charged behind a lost answer) give several candidates; the
/// simulation keeps the one that explains most of the recording.
struct WorldDraft {
    struct Account { var owner: String; var balance: Int64; var spent: Int64 = 0; var prior: Int = 0 }
    struct Key { var key: String; var dialect: String; var owner: String; var label: String?; var enabled = true }
    struct User { var username: String; var id: Int64; var stars = true; var premium = true }
    struct Prices { var perStar: String?; var minStars: Int?; var premium: [(Int, String)] = [] }
    struct LifecycleDraft {
        var pendingMilliseconds: Int64?
        var never = false
        var script: [String] = []
        var notes: [String] = []
    }

    var dialects: [String]
    var start: WorldTime
    var accounts: [Account] = []
    var keys: [Key] = []
    var users: [User] = []
    var prices: [String: Prices] = [:]
    var firstOrderID: [String: Int] = [:]
    var lifecycles: [String: LifecycleDraft] = [:]
    var notes: [String] = []
}

/// What one exchange is, for the dialects whose answers show money (`RecordingTraits.answers`).
struct Reading {
    var kind: RecordedCall
    var json: JSON?
}

/// What each dialect says of its recordings (`Dialect.recording`), asked once: building the
/// traits reads the dialect's API description.
enum RecordedDialects {
    static let traits: [String: RecordingTraits] = Dictionary(uniqueKeysWithValues: Dialects.all.map { ($0.id.name, $0.recording) })

    /// The traits of the dialect with this name.
    static func traits(_ name: String) -> RecordingTraits? { traits[name] }

    /// Whether the dialect's answers show an account's money (its keys own accounts).
    static func showsMoney(_ name: String) -> Bool { traits[name]?.answers != nil }

    /// The fields any dialect sizes a stars / premium purchase with, in routing order: a
    /// recorded purchase is read by whichever it has.
    static let starsFields: [String] = Dialects.all.compactMap { traits[$0.id.name]?.purchase?.stars }
    static let premiumFields: [String] = Dialects.all.compactMap { traits[$0.id.name]?.purchase?.premium }

    /// The documented price lists by dialect.
    static let documentedPrices: [String: PriceList] = Dictionary(
        uniqueKeysWithValues: Dialects.all.compactMap { d in d.documentedPrices.map { (d.id.name, $0) } })

    /// What a purchase of a dialect without a documented price list is estimated at: the first
    /// (flagship) dialect's list.
    static let fallbackPrices: PriceList = Dialects.all.lazy.compactMap(\.documentedPrices).first!

    /// The documented price list of this dialect, else the fallback.
    static func estimatePrices(_ name: String) -> PriceList { documentedPrices[name] ?? fallbackPrices }
}

enum WorldInference {
    /// Reads what an exchange is, as its dialect classifies it (one whose answers show no
    /// money: `other`).
    static func reading(_ e: RecordedExchange, dialect: String) -> Reading {
        let json = try? JSON.parse(e.responseBody)
        guard let answers = RecordedDialects.traits(dialect)?.answers else { return Reading(kind: .other, json: json) }
        var kind = answers.classify(e.method.uppercased(), e.path.split(separator: "/").map(String.init))
        if case .user(let name) = kind { kind = .user(name.percentDecoded) }
        return Reading(kind: kind, json: json)
    }

    static func cents(_ json: JSON?) -> Int64? {
        guard let json else { return nil }
        if let n = json.numberText { return FixedPoint.parse(n, scale: 2) }
        if let s = json.stringValue { return FixedPoint.parse(s, scale: 2) }
        return nil
    }

    static func orderID(_ json: JSON?) -> Int? {
        guard let v = json?["order_id"] else { return nil }
        if let i = v.intValue { return i }
        if let s = v.stringValue { return Int(s.filter(\.isNumber)) }
        return nil
    }

    /// The drafts to try: the first is the plain reading, the others assume that failed order
    /// attempts before the first money evidence were charged anyway (answer lost after commit).
    static func drafts(_ exchanges: [RecordedExchange], dialectOf: [String?], credentials: [String?], dialects: [String]) -> [WorldDraft] {
        var base = WorldDraft(dialects: dialects, start: exchanges.first?.started ?? WorldSetup.documentedStart)
        // Keys, one account per key of a money dialect.
        var seen: [String: Int] = [:]
        for (i, e) in exchanges.enumerated() {
            guard let d = dialectOf[i], let key = credentials[i], seen[key] == nil else { continue }
            let owner = "account\(base.keys.count + 1)"
            seen[key] = base.keys.count
            base.keys.append(WorldDraft.Key(key: key, dialect: d, owner: owner))
            _ = e
        }
        // Keys only ever refused are unknown upstream: not declared (KEY_DISABLED: declared, disabled).
        for k in base.keys.indices {
            let uses = exchanges.indices.filter { credentials[$0] == base.keys[k].key }
            let refused = uses.allSatisfy { i in
                let s = exchanges[i].status ?? 0
                return s == 401 || (s == 403 && !text(exchanges[i]).contains("FORBIDDEN"))
            }
            if refused && !uses.isEmpty {
                if uses.contains(where: { text(exchanges[$0]).contains("KEY_DISABLED") }) { base.keys[k].enabled = false } else { base.keys[k].key = "" }
            }
        }
        base.keys.removeAll { $0.key.isEmpty }

        var userIDs: Int64 = 100_000_001
        func addUser(_ name: String) -> Int {
            let n = WorldState.normalizedUsername(name)
            if let i = base.users.firstIndex(where: { $0.username.lowercased() == n.lowercased() }) { return i }
            base.users.append(WorldDraft.User(username: n, id: userIDs))
            userIDs += 1
            return base.users.count - 1
        }

        // Per owner: the first money evidence, and the order attempts before it.
        struct Money0 { var balance: Int64?; var spent: Int64?; var prior: Int?; var costsBefore: Int64 = 0; var ordersBefore = 0; var failedBefore: [Int] = [] }
        var money: [String: Money0] = [:]
        var orderPlaced: [Int: (i: Int, dialect: String, kind: String)] = [:]  // id → placement
        var polls: [Int: [(t: Int64, state: String)]] = [:]
        for (i, e) in exchanges.enumerated() {
            guard let d = dialectOf[i], RecordedDialects.showsMoney(d) else { continue }
            let r = reading(e, dialect: d)
            let owner = credentials[i].flatMap { seen[$0] }.map { base.keys.indices.contains($0) ? "account\($0 + 1)" : "" } ?? ""
            let ok = (e.status ?? 0) / 100 == 2
            switch r.kind {
            case .balance where ok:
                var m0 = money[owner] ?? Money0()
                guard m0.balance == nil else { break }
                let balance = RecordedDialects.traits(d)?.answers?.balanceFields.lazy.compactMap { r.json?[$0] }.first
                m0.balance = cents(balance).map { $0 + m0.costsBefore }
                if let spent = cents(r.json?["total_spent_usd"]) { m0.spent = spent - m0.costsBefore }
                if let total = r.json?["total_orders"]?.intValue { m0.prior = total - m0.ordersBefore }
                if let label = r.json?["key_label"]?.stringValue, let key = credentials[i], let k = base.keys.firstIndex(where: { $0.key == key }) {
                    base.keys[k].label = label
                }
                money[owner] = m0
            case .order(let kind):
                var m0 = money[owner] ?? Money0()
                if ok, let id = orderID(r.json) {
                    orderPlaced[id] = (i, d, kind)
                    if base.firstOrderID[d].map({ id < $0 }) ?? true { base.firstOrderID[d] = id }
                    let cost = cents(r.json?["cost_usd"] ?? r.json?["price_usd"] ?? r.json?["price"])
                    if m0.balance == nil, let nb = cents(r.json?["new_balance_usd"]), let cost {
                        m0.balance = nb + cost + m0.costsBefore
                    }
                    m0.costsBefore += cost ?? 0
                    m0.ordersBefore += 1
                    if let u = r.json?["username"]?.stringValue ?? bodyField(e, "username") {
                        let ui = addUser(u)
                        if kind == "premium" { base.users[ui].premium = true } else { base.users[ui].stars = true }
                    }
                } else if e.status == nil || (e.status ?? 0) >= 500 {
                    if m0.balance == nil { m0.failedBefore.append(i) }
                    if let u = bodyField(e, "username") { _ = addUser(u) }
                } else if let u = bodyField(e, "username"), !text(e).lowercased().contains("user_not_found"), !text(e).lowercased().contains("user not found") {
                    _ = addUser(u)
                }
                money[owner] = m0
            case .user(let name) where ok:
                let ui = addUser(r.json?["username"]?.stringValue ?? name)
                if let s = r.json?["can_receive_stars"]?.boolValue { base.users[ui].stars = s }
                if let p = r.json?["can_receive_premium"]?.boolValue { base.users[ui].premium = p }
            case .prices where ok:
                let pr = RecordedDialects.traits(d)?.answers?.prices(r.json) ?? RecordedPrices()
                base.prices[d] = WorldDraft.Prices(perStar: pr.perStar, minStars: pr.minStars, premium: pr.premium)
            case .status(let id) where ok:
                let state = r.json?["status"]?.stringValue ?? ""
                polls[id, default: []].append((e.started.milliseconds, state))
                if orderPlaced[id] == nil, let kind = r.json?["type"]?.stringValue ?? (e.path.contains("/premium/") ? "premium" : e.path.contains("/stars/") ? "stars" : nil) {
                    // An order first seen by its status: placed by the latest order attempt of
                    // its kind before, whose answer was lost (a broken connection, a 5xx).
                    let attempt = (0..<i).last { j in
                        guard dialectOf[j] == d, case .order(let k) = reading(exchanges[j], dialect: d).kind, k == kind else { return false }
                        return exchanges[j].status == nil || (exchanges[j].status ?? 0) >= 500
                    }
                    if let attempt {
                        orderPlaced[id] = (attempt, d, kind)
                        if base.firstOrderID[d].map({ id < $0 }) ?? true { base.firstOrderID[d] = id }
                    }
                }
            default: break
            }
        }
        // Stars prices from what orders cost, when no price list was read.
        for (d, list) in RecordedDialects.documentedPrices where base.prices[d] == nil {
            let documented = list.perStar
            var fits = true
            var inferred: Int64?
            for (i, e) in exchanges.enumerated() where dialectOf[i] == d {
                guard case .order(let kind) = reading(e, dialect: d).kind, kind == "stars", (e.status ?? 0) / 100 == 2,
                    let json = try? JSON.parse(e.responseBody), let cost = cents(json["cost_usd"] ?? json["price_usd"]),
                    let q = RecordedDialects.starsFields.lazy.compactMap({ json[$0]?.intValue }).first ?? bodyInt(e, RecordedDialects.starsFields), q > 0
                else { continue }
                if documented.cost(of: q).cents != cost { fits = false }
                inferred = inferred ?? (cost * 1_000_000 / 100) / Int64(q)
            }
            if !fits, let micros = inferred { base.prices[d] = WorldDraft.Prices(perStar: UnitPrice(micros: micros).shortDecimal) }
        }
        // Lifecycles from the polls.
        var byKind: [String: [(lo: Int64, hi: Int64?, outcome: String)]] = [:]
        for id in orderPlaced.keys.sorted() {
            let (i, _, kind) = orderPlaced[id]!
            let t0 = exchanges[i].started.milliseconds
            let seenPolls = polls[id] ?? []
            // The purchase's own answer, when it said pending, is the first observation.
            let placed = exchanges[i]
            let answered = placed.status.map { _ in placed.duration } ?? 0
            let lo = seenPolls.filter { $0.state == "pending" || $0.state == "processing" }.map { $0.t - t0 }.max() ?? answered
            let final = seenPolls.first { $0.state == "completed" || $0.state == "failed" }
            byKind[kind, default: []].append((lo, final.map { $0.t - t0 }, final?.state ?? "completed"))
        }
        for (kind, orders) in byKind {
            var l = WorldDraft.LifecycleDraft()
            let lo = orders.map(\.lo).max() ?? 0
            let his = orders.compactMap(\.hi)
            if let hi = his.min(), hi > lo {
                // A third of the way from the last pending sighting to the first final one: a
                // replay without the recording proxy in between runs a little ahead of the
                // recorded pauses, so its polls come early rather than late.
                l.pendingMilliseconds = max(1, lo + (hi - lo) / 3)
            } else if let hi = his.min() {
                // Polls disagree on one fixed delay: the median interval's middle.
                let mids = orders.compactMap { o in o.hi.map { (o.lo + $0) / 2 } }.sorted()
                l.pendingMilliseconds = max(1, mids[mids.count / 2])
                l.notes.append("the \(kind) orders were seen final after different times (\(hi) ms … \(his.max()!) ms): one fixed delay cannot fit every poll")
            } else if lo > 0 {
                l.never = true
                l.notes.append("no \(kind) order was seen final: they stay pending")
            }
            if orders.contains(where: { $0.outcome != "completed" }) { l.script = orders.map(\.outcome) }
            base.lifecycles[kind] = l
        }
        // Accounts.
        for k in base.keys where RecordedDialects.showsMoney(k.dialect) {
            let m0 = money[k.owner] ?? Money0()
            base.accounts.append(WorldDraft.Account(owner: k.owner, balance: m0.balance ?? 10_000, spent: max(0, m0.spent ?? 0), prior: max(0, m0.prior ?? 0)))
        }
        var drafts = [base]
        // Lost commits: each failed attempt before the evidence may have been charged.
        let maxFailed = money.values.map(\.failedBefore.count).max() ?? 0
        if maxFailed > 0 {
            for k in 1...min(maxFailed, 3) {
                var d = base
                for a in d.accounts.indices {
                    let m0 = money[d.accounts[a].owner] ?? Money0()
                    let lost = m0.failedBefore.prefix(k)
                    guard !lost.isEmpty else { continue }
                    let cost = lost.map { estimatedCost(exchanges[$0], dialect: dialectOf[$0] ?? "", prices: base.prices) }.reduce(0, +)
                    if m0.balance != nil { d.accounts[a].balance += cost }
                    d.accounts[a].prior = max(0, d.accounts[a].prior - lost.count)
                    d.accounts[a].spent = max(0, d.accounts[a].spent - cost)
                }
                for (dn, id) in base.firstOrderID { d.firstOrderID[dn] = max(1, id - k) }
                drafts.append(d)
            }
        }
        return drafts
    }

    static func estimatedCost(_ e: RecordedExchange, dialect: String, prices: [String: WorldDraft.Prices]) -> Int64 {
        if let q = bodyInt(e, RecordedDialects.starsFields) {
            let per = prices[dialect]?.perStar.flatMap { UnitPrice($0) } ?? RecordedDialects.estimatePrices(dialect).perStar
            return per.cost(of: q).cents
        }
        if let months = bodyInt(e, RecordedDialects.premiumFields) {
            if let text = prices[dialect]?.premium.first(where: { $0.0 == months })?.1, let c = FixedPoint.parse(text, scale: 2) { return c }
            return RecordedDialects.estimatePrices(dialect).premium[months]?.cents ?? 0
        }
        return 0
    }

    static func text(_ e: RecordedExchange) -> String { String(decoding: e.responseBody, as: UTF8.self) }

    static func bodyField(_ e: RecordedExchange, _ name: String) -> String? {
        (try? JSON.parse(e.body))?[name]?.stringValue
    }

    static func bodyInt(_ e: RecordedExchange, _ name: String) -> Int? {
        (try? JSON.parse(e.body))?[name]?.intValue
    }

    /// The first of these fields the request body has as an integer.
    static func bodyInt(_ e: RecordedExchange, _ names: [String]) -> Int? {
        names.lazy.compactMap { bodyInt(e, $0) }.first
    }
}

extension String {
    /// `%40name` → `@name`.
    var percentDecoded: String {
        var out: [UInt8] = []
        let u = Array(utf8)
        var i = 0
        while i < u.count {
            if u[i] == 37, i + 2 < u.count, let v = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
