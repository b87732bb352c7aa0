import StarMockCore

/// The Bot API's objects, with keys in the order the Bot API server writes them.
enum TelegramJSON {
    /// `{"ok":true,"result":…}`
    static func ok(_ result: JSON) -> DialectResponse {
        .json(200, .object([("ok", .bool(true)), ("result", result)]))
    }

    /// `{"ok":true,"result":…,"description":"…"}` (`setWebhook`, `deleteWebhook`).
    static func ok(_ result: JSON, description: String) -> DialectResponse {
        .json(200, .object([("ok", .bool(true)), ("result", result), ("description", .string(description))]))
    }

    /// `{"ok":false,"error_code":N,"description":"…"[,"parameters":{"retry_after":N}]}`, with
    /// HTTP status N and, for flood control, a `Retry-After` header.
    static func error(_ error: TelegramError) -> DialectResponse {
        var fields: [(String, JSON)] = [
            ("ok", .bool(false)), ("error_code", .int(error.status)), ("description", .string(error.description)),
        ]
        if let retryAfter = error.retryAfter {
            fields.append(("parameters", .object([("retry_after", .int(retryAfter))])))
        }
        var response = DialectResponse.json(error.status, .object(fields))
        if let retryAfter = error.retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
        return response
    }

    /// The bot itself, as `getMe` shows it (with the bot-only fields).
    static func me(_ bot: TelegramBot) -> JSON {
        .object([
            ("id", .int(bot.id)),
            ("is_bot", .bool(true)),
            ("first_name", .string(bot.firstName)),
            ("username", .string(bot.username)),
            ("can_join_groups", .bool(bot.canJoinGroups)),
            ("can_read_all_group_messages", .bool(bot.canReadAllGroupMessages)),
            ("supports_inline_queries", .bool(bot.supportsInlineQueries)),
            ("can_connect_to_business", .bool(false)),
            ("has_main_web_app", .bool(false)),
        ])
    }

    /// The bot as the sender of a message.
    static func sender(_ bot: TelegramBot) -> JSON {
        .object([
            ("id", .int(bot.id)), ("is_bot", .bool(true)), ("first_name", .string(bot.firstName)),
            ("username", .string(bot.username)),
        ])
    }

    /// A (human) user.
    static func user(_ user: TransactionPartner.User) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .int(user.id)), ("is_bot", .bool(false)), ("first_name", .string(user.firstName)),
        ]
        if let username = user.username { fields.append(("username", .string(username))) }
        return .object(fields)
    }

    /// A user of the world: `first_name` is the username, as in every other answer.
    static func user(_ user: TelegramUser) -> JSON {
        .object([
            ("id", .int(user.id)), ("is_bot", .bool(false)), ("first_name", .string(user.username)),
            ("username", .string(user.username)),
        ])
    }

    /// The private chat with a user of the world.
    static func privateChat(_ user: TelegramUser) -> JSON {
        .object([
            ("id", .int(user.id)), ("first_name", .string(user.username)), ("username", .string(user.username)),
            ("type", .string("private")),
        ])
    }

    /// `StarAmount`: `nanostar_amount` only when not 0.
    static func starAmount(_ amount: StarAmount) -> JSON {
        var fields: [(String, JSON)] = [("amount", .int(amount.amount))]
        if amount.nanostarAmount != 0 { fields.append(("nanostar_amount", .int(amount.nanostarAmount))) }
        return .object(fields)
    }

    /// `StarTransaction`.
    static func transaction(_ t: StarTransaction) -> JSON {
        var fields: [(String, JSON)] = [("id", .string(t.id)), ("amount", .int(t.amount.amount))]
        if t.amount.nanostarAmount != 0 { fields.append(("nanostar_amount", .int(t.amount.nanostarAmount))) }
        fields.append(("date", .int(t.date.unixSeconds)))
        fields.append((t.isIncoming ? "source" : "receiver", partner(t.partner)))
        return .object(fields)
    }

    /// `TransactionPartner`.
    static func partner(_ p: TransactionPartner) -> JSON {
        switch p {
        case .user(let u, let transactionType, let payload):
            var fields: [(String, JSON)] = [
                ("type", .string("user")), ("transaction_type", .string(transactionType)), ("user", user(u)),
            ]
            if let payload { fields.append(("invoice_payload", .string(payload))) }
            return .object(fields)
        case .fragment: return .object([("type", .string("fragment"))])
        case .telegramAds: return .object([("type", .string("telegram_ads"))])
        case .other: return .object([("type", .string("other"))])
        }
    }
}

extension WorldTime {
    /// Whole seconds since 1970 (the Bot API's `date`).
    var unixSeconds: Int64 {
        milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
    }
}
