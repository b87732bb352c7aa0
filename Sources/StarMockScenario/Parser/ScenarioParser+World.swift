import StarMockCore
import StarMockDialects
import Yams

extension ScenarioParser {
    /// The largest order id or order count a scenario may give.
    static let largestCount = ScenarioContext.largestCount

    /// The keys every world has, before the dialects' own sections.
    static let sharedWorldKeys = [
        "accounts", "keys", "users", "prices", "first_order_id", "wait_timeout", "journal_capacity",
    ]

    /// The dialects with a section of their own under `world:`, in the assembling list's order.
    var sectionDialects: [any Dialect] { Dialects.all.filter { $0.scenarioSection != nil } }

    /// `world:` accounts, keys, users, prices, order ids, the wait timeout, the journal size.
    mutating func world(_ node: Node) throws(ScenarioError) {
        let f = try reader.fields(node, "world", allowed: Self.sharedWorldKeys + sectionDialects.map(\.id.name))
        // Accounts first: keys name their owners.
        if let node = f["accounts"] { try accounts(node) }
        if let node = f["keys"] { try apiKeys(node) }
        if let node = f["users"] { try users(node) }
        if let node = f["prices"] { try prices(node) }
        if let node = f["first_order_id"] {
            for entry in try reader.anyFields(node, "first_order_id").entries {
                try scenarioDialect(entry.name, at: entry.key)
                setup.firstOrderID[DialectID(entry.name)] = try reader.int(
                    entry.value, "first_order_id.\(entry.name)", in: 1...Self.largestCount)
            }
        }
        if let node = f["wait_timeout"] { setup.waitTimeout = try reader.positiveDuration(node, "wait_timeout") }
        if let node = f["journal_capacity"] {
            setup.journalCapacity = try reader.int(node, "journal_capacity", in: 1...Int.max)
        }
        // Each dialect's own part, once keys and users are known.
        for dialect in sectionDialects {
            let name = dialect.id.name
            guard let node = f[name], let section = dialect.scenarioSection else { continue }
            try scenarioDialect(name, at: f.keyNode(name)!)
            var context = ScenarioContext(reader: reader, setup: setup, keys: keys, timeBase: timeBase)
            try section.read(node, &context)
            setup = context.setup
            keys = context.keys
        }
    }

    /// `accounts: {shop: {balance: "25.50", spent: "8.42", prior_orders: 12}}`
    mutating func accounts(_ node: Node) throws(ScenarioError) {
        for entry in try reader.anyFields(node, "accounts").entries {
            let f = try reader.fields(
                entry.value, "account \"\(entry.name)\"", allowed: ["balance", "spent", "prior_orders"])
            var balance = Money.zero
            var spent = Money.zero
            if let node = f["balance"] { balance = try reader.money(node, "balance") }
            if let node = f["spent"] { spent = try reader.money(node, "spent") }
            setup.accounts[entry.name] = Account(available: balance, spent: spent)
            if let node = f["prior_orders"] {
                setup.priorOrders[entry.name] = try reader.int(node, "prior_orders", in: 0...Self.largestCount)
            }
        }
    }

    /// `keys: [{key: sh4de_test, dialect: sh4de, label: My Stars Bot, owner: shop, enabled: true}]`
    mutating func apiKeys(_ node: Node) throws(ScenarioError) {
        for item in try reader.list(node, "keys") {
            let f = try reader.fields(item, "a key", allowed: ["key", "dialect", "label", "owner", "enabled"])
            let keyNode = try f.required("key")
            let secret = try reader.nonEmptyString(keyNode, "key")
            let dialect: String
            if let node = f["dialect"] {
                dialect = try reader.string(node, "dialect")
                try scenarioDialect(dialect, at: node)
            } else if dialects.count == 1 {
                dialect = dialects[0]
            } else {
                throw reader.error(
                    item, "missing required key \"dialect\" in a key (this scenario serves \(dialects.joined(separator: ", ")))")
            }
            if let problem = known[dialect]?.keyProblem(secret) { throw reader.error(keyNode, problem) }
            let ownerNode = try f.required("owner")
            let owner = try reader.nonEmptyString(ownerNode, "owner")
            guard setup.accounts[owner] != nil || known[dialect]?.keysSpendMoney == false else {
                let owners = setup.accounts.keys.sorted()
                if owners.isEmpty {
                    throw reader.error(ownerNode, "owner \"\(owner)\" has no account; declare it under world.accounts")
                }
                throw reader.error(
                    ownerNode,
                    Suggestion.message("owner \"\(owner)\" has no account", word: owner, candidates: owners, label: "Accounts"))
            }
            var label = owner
            if let node = f["label"] { label = try reader.string(node, "label") }
            var enabled = true
            if let node = f["enabled"] { enabled = try reader.bool(node, "enabled") }
            if let first = keys[secret] {
                let (line, column) = first.node.position
                throw reader.error(keyNode, "key \"\(secret)\" is declared twice (first at \(line):\(column))")
            }
            let key = APIKey(key: secret, dialect: DialectID(dialect), label: label, owner: owner, enabled: enabled)
            keys[secret] = (key, keyNode)
            setup.keys.append(key)
        }
    }

    /// `users: [{username: some_user, id: 1, stars: true, premium: true}]`
    mutating func users(_ node: Node) throws(ScenarioError) {
        var seen: [String: Node] = [:]
        var seenIDs: [Int: Node] = [:]
        for item in try reader.list(node, "users") {
            let f = try reader.fields(item, "a user", allowed: ["username", "id", "stars", "premium"])
            let nameNode = try f.required("username")
            let username = try reader.nonEmptyString(nameNode, "username")
            guard !username.hasPrefix("@") else {
                throw reader.error(nameNode, "write the username without @: \"\(username.dropFirst())\"")
            }
            if let first = seen[username.lowercased()] {
                let (line, column) = first.position
                throw reader.error(nameNode, "user \"\(username)\" is declared twice (first at \(line):\(column))")
            }
            seen[username.lowercased()] = nameNode
            let idNode = try f.required("id")
            let id = try reader.int(idNode, "id", in: 1...Int.max)
            if let first = seenIDs[id] {
                let (line, column) = first.position
                throw reader.error(idNode, "user id \(id) is declared twice (first at \(line):\(column)); each Telegram user has an id of their own")
            }
            seenIDs[id] = idNode
            var stars = true
            var premium = true
            if let node = f["stars"] { stars = try reader.bool(node, "stars") }
            if let node = f["premium"] { premium = try reader.bool(node, "premium") }
            setup.users.append(
                TelegramUser(username: username, id: Int64(id), canReceiveStars: stars, canReceivePremium: premium))
        }
    }

    /// `prices: {sh4de: {per_star: "0.013", min_stars: 50, premium: {3: "4.99", 6: "8.99", 12: "15.99"}}}`;
    /// what is left out keeps the dialect's documented price.
    mutating func prices(_ node: Node) throws(ScenarioError) {
        for entry in try reader.anyFields(node, "prices").entries {
            try scenarioDialect(entry.name, at: entry.key)
            let id = DialectID(entry.name)
            var base = setup.prices[id]
            switch known[entry.name]?.priceList {
            case .none(let reason)?: throw reader.error(entry.key, reason)
            case .documented(let list)?: base = base ?? list
            case nil: break
            }
            let f = try reader.fields(entry.value, "prices of \(entry.name)", allowed: ["per_star", "min_stars", "premium"])
            var list = base ?? PriceList(perStar: UnitPrice(micros: 0), minStars: 1, premium: [:])
            if base == nil {
                // No documented prices to fall back on: everything must be given.
                for name in ["per_star", "min_stars", "premium"] where !f.has(name) {
                    throw reader.error(
                        entry.value, "missing required key \"\(name)\" in prices of \(entry.name) (it has no default prices)")
                }
            }
            if let node = f["per_star"] { list.perStar = try reader.unitPrice(node, "per_star") }
            if let node = f["min_stars"] { list.minStars = try reader.int(node, "min_stars", in: 1...Int.max) }
            if let node = f["premium"] {
                var premium: [Int: Money] = [:]
                for month in try reader.anyFields(node, "premium").entries {
                    guard case .scalar(let scalar) = month.key, scalar.resolvedTagName == .int,
                        let months = Int(scalar.string), months >= 1
                    else {
                        throw reader.error(
                            month.key, "premium prices are keyed by months (3, 6, 12), not \(reader.describe(month.key))")
                    }
                    premium[months] = try reader.money(month.value, "premium.\(months)")
                }
                list.premium = premium
            }
            setup.prices[id] = list
        }
    }
}
