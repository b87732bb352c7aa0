import StarMockCore
import Yams

extension ScenarioContext {
    static let telegramKeys = [
        "bots", "flood_retry_after", "max_invoice_stars", "pre_checkout_timeout", "remote_webhooks", "webhook_timeout",
        "lose_webhook_answers",
    ]
    static let botKeys = [
        "token", "id", "username", "first_name", "can_join_groups", "can_read_all_group_messages",
        "supports_inline_queries", "balance", "transactions",
    ]
    static let starTransactionKeys = [
        "id", "amount", "date", "direction", "partner", "user", "transaction_type", "payload",
    ]
    static let partnerNames = ["user", "fragment", "telegram_ads", "other"]
    /// The most whole stars a balance or a transaction may hold: far below where nanostar
    /// arithmetic (×10⁹ in an `Int`) could overflow.
    static let largestStars = 1_000_000_000
    /// Bot ids are below 2⁵⁴, as the Bot API server checks tokens.
    static let largestBotID = (1 << 54) - 1

    /// `world.telegram: {bots: [...], flood_retry_after: 5s, max_invoice_stars: 10000}`
    mutating func telegram(_ node: Node) throws(ScenarioError) {
        let any = try reader.anyFields(node, "world.telegram")
        if let key = any.keyNode("rate_limit") {
            throw reader.error(
                key,
                "telegram's flood limit is set with the other dialects' limits: rate_limits: {telegram: {limit: 30, window: 1s}} (or none)")
        }
        let f = try reader.fields(node, "world.telegram", allowed: Self.telegramKeys)
        if let node = f["flood_retry_after"] {
            let wait = try reader.positiveDuration(node, "flood_retry_after")
            guard wait.wholeMilliseconds % 1000 == 0 else {
                throw reader.error(node, "\"flood_retry_after\" is sent as whole seconds (retry_after: N): write a whole number of seconds like 5s")
            }
            setup[TelegramSetup.self].floodRetryAfter = Int(wait.wholeMilliseconds / 1000)
        }
        if let node = f["max_invoice_stars"] {
            setup[TelegramSetup.self].maxInvoiceStars = try reader.int(node, "max_invoice_stars", in: 1...Self.largestStars)
        }
        if let node = f["pre_checkout_timeout"] {
            setup[TelegramSetup.self].preCheckoutTimeout = try reader.positiveDuration(node, "pre_checkout_timeout")
        }
        if let node = f["webhook_timeout"] {
            setup[TelegramSetup.self].webhookTimeout = try reader.positiveDuration(node, "webhook_timeout")
        }
        if let node = f["remote_webhooks"] {
            setup[TelegramSetup.self].remoteWebhooks = try reader.bool(node, "remote_webhooks")
        }
        if let node = f["lose_webhook_answers"] {
            setup[TelegramSetup.self].loseWebhookAnswers = try reader.int(node, "lose_webhook_answers", in: 0...1000)
        }
        if let node = f["bots"] {
            var ids: [Int64: Node] = [:]
            for item in try reader.list(node, "bots") {
                let (bot, idNode) = try self.bot(item)
                if let first = ids[bot.id] {
                    let (line, column) = first.position
                    throw reader.error(
                        idNode, "bot id \(bot.id) is used by two bots (first at \(line):\(column)); a bot's id is its token's number")
                }
                ids[bot.id] = idNode
                setup[TelegramSetup.self].bots.append(bot)
            }
        }
    }

    /// `{token: "123:AA…", username: my_bot, balance: 1500, transactions: [...]}`
    mutating func bot(_ node: Node) throws(ScenarioError) -> (TelegramBot, Node) {
        let f = try reader.fields(node, "a bot", allowed: Self.botKeys)
        let tokenNode = try f.required("token")
        let token = try reader.nonEmptyString(tokenNode, "token")
        if let problem = Self.tokenProblem(token) { throw reader.error(tokenNode, problem) }
        if let declared = keys[token] {
            if declared.key.dialect != "telegram" {
                throw reader.error(tokenNode, "token \"\(token)\" is declared as a \(declared.key.dialect) key under world.keys")
            }
            if setup[TelegramSetup.self].bot(token: token) != nil {
                let (line, column) = declared.node.position
                throw reader.error(tokenNode, "bot \"\(token)\" is declared twice (first at \(line):\(column))")
            }
        } else {
            // The token may now be named by rules (`key:`) and per-key rate limits.
            keys[token] = (APIKey(key: token, dialect: TelegramBotAPI.id, label: token, owner: token), tokenNode)
        }
        var idNode = tokenNode
        var id = TelegramBot.id(fromToken: token) ?? 0
        if let node = f["id"] {
            id = Int64(try reader.int(node, "id", in: 1...Self.largestBotID))
            idNode = node
        }
        var username = "bot\(id)_bot"
        if let node = f["username"] {
            username = try reader.nonEmptyString(node, "username")
            guard !username.hasPrefix("@") else {
                throw reader.error(node, "write the username without @: \"\(username.dropFirst())\"")
            }
        }
        var firstName = username
        if let node = f["first_name"] { firstName = try reader.nonEmptyString(node, "first_name") }
        var bot = TelegramBot(token: token, id: id, username: username, firstName: firstName)
        if let node = f["can_join_groups"] { bot.canJoinGroups = try reader.bool(node, "can_join_groups") }
        if let node = f["can_read_all_group_messages"] {
            bot.canReadAllGroupMessages = try reader.bool(node, "can_read_all_group_messages")
        }
        if let node = f["supports_inline_queries"] {
            bot.supportsInlineQueries = try reader.bool(node, "supports_inline_queries")
        }
        if let node = f["transactions"] { bot.transactions = try starTransactions(node) }
        if let node = f["balance"] {
            bot.balance = try starAmount(node, "balance", negativeAllowed: true)
        } else {
            // What the listed transactions add up to.
            bot.balance = bot.transactions.reduce(StarAmount.zero) { $1.isIncoming ? $0 + $1.amount : $0 - $1.amount }
        }
        return (bot, idNode)
    }

    /// Why `token` can never authenticate: the Bot API server's rules for a well-formed token.
    static func tokenProblem(_ token: String) -> String? {
        let shape = "a bot token is <bot id>:<secret>, like 123456789:AAdemo_token"
        guard let colon = token.firstIndex(of: ":") else { return "\(shape); \"\(token)\" has no \":\"" }
        let id = token[..<colon]
        guard !id.isEmpty, id.utf8.allSatisfy({ (48...57).contains($0) }), !id.hasPrefix("0"),
            let value = Int64(id), value > 0, value <= largestBotID
        else {
            return "\(shape): the bot id must be a whole number from 1 to \(largestBotID) without leading zeros, not \"\(id)\""
        }
        guard token.utf8.count <= 80 else { return "a bot token is at most 80 characters; this one has \(token.utf8.count)" }
        if let bad = token.first(where: { "/?#% ".contains($0) }) {
            return "a bot token travels in the path (/bot<TOKEN>/getMe), so it cannot hold \"\(bad)\""
        }
        return nil
    }

    /// A star amount: whole stars (`1500`, `-3`) or `{amount: -1, nanostar_amount: -500000000}`.
    func starAmount(_ node: Node, _ name: String, negativeAllowed: Bool) throws(ScenarioError) -> StarAmount {
        let low = negativeAllowed ? -Self.largestStars : 0
        let amount: Int
        var nanostars = 0
        var nanoNode = node
        if case .scalar = node {
            amount = try reader.int(node, name, in: low...Self.largestStars)
        } else {
            let f = try reader.fields(node, "\"\(name)\"", allowed: ["amount", "nanostar_amount"])
            amount = try reader.int(try f.required("amount"), "amount", in: low...Self.largestStars)
            if let n = f["nanostar_amount"] {
                nanostars = try reader.int(n, "nanostar_amount", in: -999_999_999...999_999_999)
                nanoNode = n
            }
            if (amount > 0 && nanostars < 0) || (amount < 0 && nanostars > 0) {
                throw reader.error(
                    nanoNode,
                    "\"nanostar_amount\" has the sign of \"amount\", as the Bot API shows it (-1.5 stars is amount: -1, nanostar_amount: -500000000)")
            }
        }
        let total = StarAmount(amount: amount, nanostarAmount: nanostars)
        if total < .zero && !negativeAllowed { throw reader.error(nanoNode, "\"\(name)\" must not be negative") }
        return total
    }

    /// A bot's transactions before the world started, oldest first.
    func starTransactions(_ node: Node) throws(ScenarioError) -> [StarTransaction] {
        var transactions: [StarTransaction] = []
        var payments: [String: (StarTransaction, Node)] = [:]
        var refunds: [String: Node] = [:]
        for item in try reader.list(node, "transactions") {
            let f = try reader.fields(item, "a star transaction", allowed: Self.starTransactionKeys)
            let idNode = try f.required("id")
            let id = try reader.nonEmptyString(idNode, "id")
            let amount = try starAmount(try f.required("amount"), "amount", negativeAllowed: false)
            guard amount > .zero else {
                throw reader.error(
                    try f.required("amount"), "\"amount\" must be more than 0 stars; \"direction\" says which way they moved")
            }
            let dateNode = try f.required("date")
            let date = try instant(dateNode, "date")
            var partnerName = "user"
            if let node = f["partner"] { partnerName = try reader.choice(node, "partner", Self.partnerNames) }
            var incoming = partnerName == "user" || partnerName == "other"
            if let node = f["direction"] { incoming = try reader.choice(node, "direction", ["incoming", "outgoing"]) == "incoming" }
            if partnerName != "user" {
                for name in ["user", "transaction_type", "payload"] where f.has(name) {
                    throw reader.error(f.keyNode(name)!, "\"\(name)\" belongs to transactions with a user (partner: user), not \(partnerName)")
                }
            }
            let partner: TransactionPartner
            switch partnerName {
            case "fragment": partner = .fragment
            case "telegram_ads": partner = .telegramAds
            case "other": partner = .other
            default:
                // A refund (outgoing, with a payment's id) names the payment's user and payload by default.
                let payment = incoming ? nil : payments[id]?.0
                var user: TransactionPartner.User
                if let node = f["user"] {
                    user = try transactionUser(node)
                } else if case .user(let paid, _, _) = payment?.partner {
                    user = paid
                } else {
                    throw reader.error(item, "missing required key \"user\" in a star transaction with a user (partner: user, the default): a user of world.users or {id: N, first_name: NAME}")
                }
                var type = "invoice_payment"
                if let node = f["transaction_type"] { type = try reader.nonEmptyString(node, "transaction_type") }
                var payload: String?
                if let node = f["payload"] {
                    payload = try reader.string(node, "payload")
                } else if case .user(_, _, let paidPayload) = payment?.partner {
                    payload = paidPayload
                }
                partner = .user(user, transactionType: type, invoicePayload: payload)
                if type == "invoice_payment" {
                    if incoming {
                        if let first = payments[id] {
                            let (line, column) = first.1.position
                            throw reader.error(idNode, "charge \"\(id)\" is paid twice (first at \(line):\(column)); a payment's id is its telegram_payment_charge_id")
                        }
                        payments[id] = (StarTransaction(id: id, amount: amount, date: date, isIncoming: true, partner: partner), idNode)
                    } else if payments[id] != nil {
                        if let first = refunds[id] {
                            let (line, column) = first.position
                            throw reader.error(idNode, "charge \"\(id)\" is refunded twice (first at \(line):\(column))")
                        }
                        refunds[id] = idNode
                    }
                }
            }
            transactions.append(StarTransaction(id: id, amount: amount, date: date, isIncoming: incoming, partner: partner))
        }
        return transactions
    }

    /// `some_user` (a user of world.users) or `{id: 100000001, first_name: Some, username: some_user}`.
    func transactionUser(_ node: Node) throws(ScenarioError) -> TransactionPartner.User {
        if case .scalar = node {
            let name = try reader.nonEmptyString(node, "user")
            guard let user = setup.users.first(where: { $0.username.lowercased() == name.lowercased() }) else {
                throw reader.error(
                    node,
                    "user \"\(name)\" is not declared under world.users (or write {id: N, first_name: NAME, username: NAME})"
                        + reader.didYouMean(name, setup.users.map(\.username)))
            }
            return TransactionPartner.User(id: user.id, firstName: user.username, username: user.username)
        }
        let f = try reader.fields(node, "\"user\"", allowed: ["id", "first_name", "username"])
        let id = Int64(try reader.int(try f.required("id"), "id", in: 1...Int.max))
        var username: String?
        if let node = f["username"] {
            let name = try reader.nonEmptyString(node, "username")
            guard !name.hasPrefix("@") else { throw reader.error(node, "write the username without @: \"\(name.dropFirst())\"") }
            username = name
        }
        let firstName: String
        if let node = f["first_name"] {
            firstName = try reader.nonEmptyString(node, "first_name")
        } else if let username {
            firstName = username
        } else {
            throw reader.error(node, "missing required key \"first_name\" in \"user\" (a user without a username needs a name)")
        }
        return TransactionPartner.User(id: id, firstName: firstName, username: username)
    }
}
