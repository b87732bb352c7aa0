import StarMockCore
import Yams

extension ScenarioContext {
    static let papayaKeys = [
        "bot_username", "chain_id", "token_name", "first_invoice_id", "first_subscription_id", "lapse_after_period",
        "invoices", "subscriptions",
    ]
    static let papayaInvoiceKeys = [
        "id", "owner", "title", "message", "rate", "period", "metadata", "created_at", "bot_url", "paid",
    ]
    static let papayaPaymentKeys = [
        "tg_user_id", "username", "at", "user_address", "tx", "subscription_id", "expires_at", "lapsed_at",
    ]
    static let papayaSubscriptionKeys = [
        "id", "owner", "period", "chain_id", "token_name", "tx", "tg_user_id", "user_address", "created_at",
        "expires_at", "lapsed_at",
    ]
    /// The rates Papaya accepts (`[Range(0.000001, 1000000000)]`, at most 15 significant digits).
    static let papayaRates = (low: PapayaRate("0.000001")!, high: PapayaRate("1000000000")!)

    /// `world.papaya: {bot_username, chain_id, token_name, first_invoice_id, first_subscription_id,
    /// lapse_after_period, invoices: [...], subscriptions: [...]}`
    mutating func papaya(_ node: Node) throws(ScenarioError) {
        let f = try reader.fields(node, "world.papaya", allowed: Self.papayaKeys)
        var papaya = PapayaSetup()
        if let node = f["bot_username"] {
            let name = try reader.nonEmptyString(node, "bot_username")
            guard !name.hasPrefix("@") else { throw reader.error(node, "write the bot's username without @: \"\(name.dropFirst())\"") }
            papaya.botUsername = name
        }
        if let node = f["chain_id"] { papaya.chainID = try reader.int(node, "chain_id", in: 1...Int.max) }
        if let node = f["token_name"] { papaya.tokenName = try reader.nonEmptyString(node, "token_name") }
        if let node = f["first_invoice_id"] {
            papaya.firstInvoiceID = Int64(try reader.int(node, "first_invoice_id", in: 1...ScenarioContext.largestCount))
        }
        if let node = f["first_subscription_id"] {
            papaya.firstSubscriptionID = Int64(try reader.int(node, "first_subscription_id", in: 1...ScenarioContext.largestCount))
        }
        if let node = f["lapse_after_period"] { papaya.lapseAfterPeriod = try reader.bool(node, "lapse_after_period") }

        var ids = PapayaIDs(nextInvoice: papaya.firstInvoiceID, nextSubscription: papaya.firstSubscriptionID)
        if let node = f["invoices"] {
            for item in try reader.list(node, "invoices") {
                let (invoice, subscription) = try papayaInvoice(item, setup: papaya, ids: &ids)
                papaya.invoices.append(invoice)
                if let subscription { papaya.subscriptions.append(subscription) }
            }
        }
        if let node = f["subscriptions"] {
            for item in try reader.list(node, "subscriptions") {
                papaya.subscriptions.append(try papayaSubscription(item, setup: papaya, ids: &ids))
            }
        }
        setup.papaya = papaya
    }

    /// Ids handed out so far, with where each was declared.
    struct PapayaIDs {
        var nextInvoice: Int64
        var nextSubscription: Int64
        var invoices: [Int64: Node] = [:]
        var subscriptions: [Int64: Node] = [:]
    }

    /// The applications that can see papaya objects: owners of the scenario's papaya keys.
    var papayaOwners: [String] {
        Array(Set(setup.keys.filter { $0.dialect == Papaya.id }.map(\.owner))).sorted()
    }

    /// `owner`, or the only papaya application when left out.
    func papayaOwner(_ f: Fields, _ what: String) throws(ScenarioError) -> String {
        let owners = papayaOwners
        guard let node = f["owner"] else {
            guard owners.count == 1 else {
                if owners.isEmpty {
                    throw reader.error(
                        f.node,
                        "\(what) belongs to an application, the owner of a papaya key: declare one under world.keys ({key: KEY, dialect: papaya, owner: my-app})")
                }
                throw reader.error(
                    f.node, "missing required key \"owner\" in \(what) (the papaya applications are \(owners.joined(separator: ", ")))")
            }
            return owners[0]
        }
        let owner = try reader.nonEmptyString(node, "owner")
        guard owners.contains(owner) else {
            throw reader.error(
                node,
                Suggestion.message(
                    "no papaya key has owner \"\(owner)\", so no client could see this", word: owner, candidates: owners,
                    label: "Papaya applications"))
        }
        return owner
    }

    /// An id given or the next one, unique among those of its kind.
    func papayaID(
        _ node: Node?, _ name: String, next: inout Int64, seen: inout [Int64: Node], at item: Node, kind: String
    ) throws(ScenarioError) -> Int64 {
        let id: Int64
        if let node {
            id = Int64(try reader.int(node, name, in: 1...ScenarioContext.largestCount))
        } else {
            id = next
        }
        let place = node ?? item
        if let first = seen[id] {
            let (line, column) = first.position
            throw reader.error(place, "\(kind) \(id) is declared twice (first at \(line):\(column))")
        }
        seen[id] = place
        next = max(next, id + 1)
        return id
    }

    /// A time given, or the world's start; with neither (a real clock without `start`), an error.
    func papayaTime(_ node: Node?, _ name: String, default fallback: WorldTime?, in f: Fields) throws(ScenarioError) -> WorldTime {
        if let node { return try instant(node, name) }
        guard let fallback else {
            throw reader.error(
                f.node, "missing required key \"\(name)\" in \(f.context) (with a real clock and no \"start\" there is no default)")
        }
        return fallback
    }

    /// `{id: 2, title: Premium channel, rate: "4.99", period: PerMonth, paid: {tg_user_id: 123456789}}`
    mutating func papayaInvoice(
        _ node: Node, setup papaya: PapayaSetup, ids: inout PapayaIDs
    ) throws(ScenarioError) -> (PapayaInvoice, PapayaSubscription?) {
        let f = try reader.fields(node, "an invoice", allowed: Self.papayaInvoiceKeys)
        let id = try papayaID(
            f["id"], "id", next: &ids.nextInvoice, seen: &ids.invoices, at: node, kind: "invoice")
        let owner = try papayaOwner(f, "an invoice")
        var title: String?
        if let node = f["title"] {
            title = try reader.string(node, "title")
            guard title!.utf16.count <= 256 else {
                throw reader.error(node, "\"title\" must be at most 256 characters (UTF-16 units), as Papaya validates it")
            }
        }
        var message: String?
        if let node = f["message"] {
            message = try reader.string(node, "message")
            guard message!.utf16.count <= 4096 else {
                throw reader.error(node, "\"message\" must be at most 4096 characters (UTF-16 units), as Papaya validates it")
            }
        }
        let rate = try papayaRate(try f.required("rate"))
        let period = try papayaPeriod(try f.required("period"))
        var metadata: JSON?
        if let node = f["metadata"] {
            guard case .mapping = node else {
                throw reader.error(node, "\"metadata\" must be a mapping (a JSON object), not \(reader.describe(node))")
            }
            metadata = try json(node)
        }
        let created = try papayaTime(f["created_at"], "created_at", default: timeBase, in: f)
        if let node = f["created_at"] { pinStartIfRelative(node) }
        var botURL = "https://t.me/\(papaya.botUsername)?start=invoice_\(id)"
        if let node = f["bot_url"] { botURL = try reader.nonEmptyString(node, "bot_url") }
        var invoice = PapayaInvoice(
            id: id, owner: owner, title: title, message: message, rate: rate, period: period, metadata: metadata,
            createdAt: created, botUrl: botURL)
        guard let paidNode = f["paid"] else { return (invoice, nil) }

        // Paid: the payer, the moment, and the subscription the payment created.
        let p = try reader.fields(paidNode, "\"paid\"", allowed: Self.papayaPaymentKeys)
        let userID = Int64(try reader.int(try p.required("tg_user_id"), "tg_user_id", in: 1...Int.max))
        var recipient = setup.user(id: userID)?.username ?? String(userID)
        if let node = p["username"] {
            let name = try reader.nonEmptyString(node, "username")
            recipient = name.hasPrefix("@") ? String(name.dropFirst()) : name
        }
        let paidAt = try papayaTime(p["at"], "at", default: created, in: p)
        if let node = p["at"] {
            pinStartIfRelative(node)
            guard paidAt >= created else { throw reader.error(node, "\"at\" must not be before the invoice's created_at") }
        }
        let subscriptionID = try papayaID(
            p["subscription_id"], "subscription_id", next: &ids.nextSubscription, seen: &ids.subscriptions, at: paidNode,
            kind: "subscription")
        invoice.recipient = recipient
        invoice.paidAt = paidAt
        invoice.subscriptionID = subscriptionID
        let subscription = try papayaSubscriptionFields(
            p, id: subscriptionID, owner: owner, invoiceID: id, period: period, userID: userID, created: paidAt,
            setup: papaya)
        return (invoice, subscription)
    }

    /// A subscription not created by a listed invoice:
    /// `{id: 5, period: PerWeek, tg_user_id: 42, created_at: "…", expires_at: never, lapsed_at: "…"}`
    mutating func papayaSubscription(
        _ node: Node, setup papaya: PapayaSetup, ids: inout PapayaIDs
    ) throws(ScenarioError) -> PapayaSubscription {
        let f = try reader.fields(node, "a subscription", allowed: Self.papayaSubscriptionKeys)
        let id = try papayaID(
            f["id"], "id", next: &ids.nextSubscription, seen: &ids.subscriptions, at: node, kind: "subscription")
        let owner = try papayaOwner(f, "a subscription")
        let period = try papayaPeriod(try f.required("period"))
        let userID = Int64(try reader.int(try f.required("tg_user_id"), "tg_user_id", in: 1...Int.max))
        let created = try papayaTime(f["created_at"], "created_at", default: timeBase, in: f)
        if let node = f["created_at"] { pinStartIfRelative(node) }
        var subscription = try papayaSubscriptionFields(
            f, id: id, owner: owner, invoiceID: nil, period: period, userID: userID, created: created, setup: papaya)
        if let node = f["chain_id"] { subscription.chainID = try reader.int(node, "chain_id", in: 1...Int.max) }
        if let node = f["token_name"] { subscription.tokenName = try reader.nonEmptyString(node, "token_name") }
        return subscription
    }

    /// The fields a paid invoice and a listed subscription share: `tx`, `user_address`,
    /// `expires_at`, `lapsed_at`.
    mutating func papayaSubscriptionFields(
        _ f: Fields, id: Int64, owner: String, invoiceID: Int64?, period: PapayaPeriod, userID: Int64,
        created: WorldTime, setup papaya: PapayaSetup
    ) throws(ScenarioError) -> PapayaSubscription {
        // Seeded like the world's own payments: the same seed gives the same hashes.
        var random = SeededRandom(seed: (setup.seed ^ 0x7061_7061_7961_0000) &+ UInt64(id))
        func hex(_ count: Int) -> String {
            let digits = Array("0123456789abcdef")
            return String((0..<count).map { _ in digits[Int(random.next() % 16)] })
        }
        var tx = "0x" + hex(64)
        var address = "0x" + hex(40)
        if let node = f["tx"] {
            tx = try reader.string(node, "tx")
            guard Self.isHex(tx, digits: 64) else { throw reader.error(node, "\"tx\" must be 0x and 64 hex digits, not \"\(tx)\"") }
        }
        if let node = f["user_address"] {
            address = try reader.string(node, "user_address")
            guard Self.isHex(address, digits: 40) else {
                throw reader.error(node, "\"user_address\" must be 0x and 40 hex digits, not \"\(address)\"")
            }
        }
        var expires: WorldTime? = papaya.lapseAfterPeriod ? period.end(from: created) : nil
        if let node = f["expires_at"] {
            if case .scalar(let scalar) = node, scalar.resolvedTagName == .str, scalar.string == "never" {
                expires = nil
            } else {
                let time = try instant(node, "expires_at")
                pinStartIfRelative(node)
                guard time > created else {
                    throw reader.error(node, "\"expires_at\" must be after the subscription starts (\(created.sh4deText))")
                }
                expires = time
            }
        }
        var lapsed: WorldTime?
        if let node = f["lapsed_at"] {
            let time = try instant(node, "lapsed_at")
            pinStartIfRelative(node)
            guard time >= created else {
                throw reader.error(node, "\"lapsed_at\" must not be before the subscription starts (\(created.sh4deText))")
            }
            if let start = timeBase, time > start {
                throw reader.error(
                    node,
                    "\"lapsed_at\" is after the world starts, but a lapsed subscription is inactive from the start; to lapse it during the run use \"expires_at\"")
            }
            lapsed = time
        }
        return PapayaSubscription(
            id: id, owner: owner, invoiceID: invoiceID, period: period, chainID: papaya.chainID,
            tokenName: papaya.tokenName, tx: tx, tgUserID: userID, userAddress: address, createdAt: created,
            expiresAt: expires, lapsedAt: lapsed)
    }

    package static func isHex(_ text: String, digits: Int) -> Bool {
        text.hasPrefix("0x") && text.utf8.count == digits + 2
            && text.utf8.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    /// `"4.99"` or `4.99`: the literal text is read exactly (never through a binary float).
    func papayaRate(_ node: Node) throws(ScenarioError) -> PapayaRate {
        guard case .scalar(let scalar) = node, [.str, .int, .float].contains(scalar.resolvedTagName) else {
            throw reader.error(node, "\"rate\" must be a number like 4.99, not \(reader.describe(node))")
        }
        guard let rate = PapayaRate(scalar.string) else {
            throw reader.error(node, "\"rate\" must be a number like 4.99, not \"\(scalar.string)\"")
        }
        guard rate.significantDigits <= PapayaRate.maximumSignificantDigits else {
            throw reader.error(node, "\"rate\" must have at most \(PapayaRate.maximumSignificantDigits) significant digits, as Papaya validates it")
        }
        guard Self.papayaRates.low <= rate, rate <= Self.papayaRates.high else {
            throw reader.error(node, "\"rate\" must be from 0.000001 to 1000000000, as Papaya validates it, not \(scalar.string)")
        }
        return rate
    }

    /// `PerDay`, `PerWeek`, `PerMonth` or `PerYear` (any case, as the API reads it).
    func papayaPeriod(_ node: Node) throws(ScenarioError) -> PapayaPeriod {
        let text = try reader.string(node, "period")
        guard let period = PapayaPeriod(name: text) else {
            let names = PapayaPeriod.allCases.map(\.name)
            throw reader.error(
                node, Suggestion.message("unknown period \"\(text)\"", word: text, candidates: names, label: "Periods"))
        }
        return period
    }

    /// A YAML value as JSON: strings, numbers (their text), booleans, null, lists, mappings.
    func json(_ node: Node) throws(ScenarioError) -> JSON {
        switch node {
        case .scalar(let scalar):
            switch scalar.resolvedTagName {
            case .str, .timestamp: return .string(scalar.string)
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int:
                guard let value = Int(scalar.string) else {
                    throw reader.error(node, "write the number \(scalar.string) in decimal, or quote it")
                }
                return .int(value)
            case .float:
                guard PapayaRate(scalar.string) != nil else {
                    throw reader.error(node, "\(scalar.string) is not a JSON number; quote it to send a string")
                }
                return .number(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSON] = []
            for item in sequence { items.append(try json(item)) }
            return .array(items)
        case .mapping:
            var pairs: [(String, JSON)] = []
            for entry in try reader.anyFields(node, "\"metadata\"").entries { pairs.append((entry.name, try json(entry.value))) }
            return .object(pairs)
        case .alias:
            throw reader.error(node, "YAML aliases are not supported in scenarios; write the value out")
        }
    }
}
