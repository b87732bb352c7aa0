import StarMockCore

/// Updates: `getUpdates` (long polling held on the world's clock), `setWebhook`,
/// `deleteWebhook`, `getWebhookInfo`, and the webhook pushes the server sends for the dialect.
extension TelegramBotAPI {
    /// The Bot API server's longest long poll, in seconds.
    static let longestPoll = 50
    /// Update kinds Telegram leaves out unless `allowed_updates` names them.
    static let optInUpdates: Set<String> = ["chat_member", "message_reaction", "message_reaction_count"]

    static func pollTopic(_ botID: Int64, _ serial: Int) -> String { "telegram.poll.\(botID).\(serial)" }

    /// `getUpdates(offset, limit, timeout, allowed_updates)` → `[Update]`.
    func getUpdates(_ call: Call, in world: inout WorldState) -> DialectReply {
        let botID = call.bot.id
        if world.telegram({ $0.runtime(botID).webhook != nil }) { return .now(TelegramJSON.error(.conflictWebhookActive)) }
        let offset: Int
        let limit: Int
        let timeout: Int
        switch (call.parameters.integer("offset"), call.parameters.integer("limit"), call.parameters.integer("timeout")) {
        case (.failure(let e), _, _), (_, .failure(let e), _), (_, _, .failure(let e)): return .now(TelegramJSON.error(e))
        case (.success(let o), .success(let l), .success(let t)):
            offset = o ?? 0
            limit = min(100, max(1, l ?? 100))
            timeout = min(Self.longestPoll, max(0, t ?? 0))
        }
        let allowed = call.parameters["allowed_updates"].flatMap(Self.updateKinds)
        let serial: Int = world.telegram { state in
            var runtime = state.runtime(botID)
            if let allowed { runtime.allowedUpdates = allowed }
            // `offset` confirms every update before it; a negative one keeps only the last -offset.
            if offset > 0 {
                runtime.updates.removeAll { $0.id < offset }
                runtime.confirmedOffset = max(runtime.confirmedOffset, offset)
            } else if offset < 0 {
                runtime.updates = Array(runtime.updates.suffix(-offset))
            }
            runtime.pollSerial += 1
            let previous = runtime.poll
            runtime.poll = runtime.pollSerial
            state.runtimes[botID] = runtime
            // A new getUpdates ends the one waiting: it is answered 409, as the Bot API server does.
            if let previous { world_signalLater(&state, Self.pollTopic(botID, previous)) }
            return runtime.pollSerial
        }
        flushSignals(&world)
        let answer: @Sendable (inout WorldState) -> DialectResponse = { world in
            Self.handOut(botID: botID, serial: serial, limit: limit, in: &world)
        }
        let ready = world.telegram { $0.runtime(botID).deliverable.isEmpty == false }
        if ready || timeout == 0 { return .now(answer(&world)) }
        return .waiting(topic: Self.pollTopic(botID, serial), timeout: .seconds(timeout)) { end, world in
            if end == .cancelled {
                world.telegram { state in if state.runtimes[botID]?.poll == serial { state.runtimes[botID]?.poll = nil } }
                return TelegramJSON.ok(.array([]))
            }
            return answer(&world)
        }
    }

    /// The answer of the poll `serial`: 409 if another poll or a webhook took over, else the
    /// deliverable updates (up to `limit`), counted as handed out.
    static func handOut(botID: Int64, serial: Int, limit: Int, in world: inout WorldState) -> DialectResponse {
        world.telegram { state -> DialectResponse in
            var runtime = state.runtime(botID)
            guard runtime.poll == serial else {
                return TelegramJSON.error(runtime.webhook != nil ? .conflictSetWebhook : .conflictOtherGetUpdates)
            }
            runtime.poll = nil
            runtime.dropUndeliverable()
            let batch = Array(runtime.updates.prefix(limit))
            for update in batch { runtime.handedOut[update.id, default: 0] += 1 }
            state.runtimes[botID] = runtime
            return TelegramJSON.ok(.array(batch.map(\.json)))
        }
    }

    /// `["message","pre_checkout_query"]` (JSON text) → the kinds; nil when it is not a JSON
    /// array of strings (then ignored, as the Bot API server does).
    static func updateKinds(_ text: String) -> [String]? {
        guard let items = (try? JSON.parse(text))?.arrayValue else { return nil }
        let kinds = items.compactMap(\.stringValue)
        return kinds.count == items.count ? kinds : nil
    }

    /// `setWebhook(url, secret_token, allowed_updates, drop_pending_updates)` → `true`.
    func setWebhook(_ call: Call, in world: inout WorldState) -> DialectReply {
        let botID = call.bot.id
        guard let url = call.parameters["url"] else { return deleteWebhook(call, in: &world) }
        if let problem = Self.webhookProblem(url, remoteAllowed: world.setup.telegram.remoteWebhooks) {
            return .now(TelegramJSON.error(.badWebhook(problem)))
        }
        let secret = call.parameters["secret_token"]
        if let secret {
            guard secret.utf8.count <= 256,
                secret.utf8.allSatisfy({ $0 == 95 || $0 == 45 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) })
            else { return .now(TelegramJSON.error(.secretTokenInvalid)) }
        }
        let allowed = call.parameters["allowed_updates"].flatMap(Self.updateKinds)
        let drop = call.parameters.bool("drop_pending_updates")
        let same: Bool = world.telegram { state in
            var runtime = state.runtime(botID)
            let hook = TelegramWebhook(url: url, secretToken: secret, allowedUpdates: allowed ?? runtime.webhook?.allowedUpdates)
            let same = runtime.webhook.map { $0.url == hook.url && $0.secretToken == hook.secretToken && $0.allowedUpdates == hook.allowedUpdates } ?? false
            if !same {
                runtime.webhook = hook
                runtime.webhookGeneration += 1
                runtime.pushing = false
            }
            if let allowed { runtime.allowedUpdates = allowed }
            if drop { runtime.updates.removeAll() }
            let waiting = runtime.poll
            runtime.poll = nil
            runtime.pollSerial += 1
            state.runtimes[botID] = runtime
            if let waiting { world_signalLater(&state, Self.pollTopic(botID, waiting)) }
            return same
        }
        flushSignals(&world)
        Self.pushNext(botID: botID, in: &world)
        return .now(TelegramJSON.ok(.bool(true), description: same ? "Webhook is already set" : "Webhook was set"))
    }

    /// `deleteWebhook(drop_pending_updates)` → `true`.
    func deleteWebhook(_ call: Call, in world: inout WorldState) -> DialectReply {
        let drop = call.parameters.bool("drop_pending_updates")
        let had: Bool = world.telegram { state in
            var runtime = state.runtime(call.bot.id)
            let had = runtime.webhook != nil
            runtime.webhook = nil
            runtime.webhookGeneration += 1
            runtime.pushing = false
            if drop { runtime.updates.removeAll() }
            state.runtimes[call.bot.id] = runtime
            return had
        }
        return .now(TelegramJSON.ok(.bool(true), description: had ? "Webhook was deleted" : "Webhook is already deleted"))
    }

    /// `getWebhookInfo` → `WebhookInfo`.
    func getWebhookInfo(_ call: Call, in world: inout WorldState) -> Result<JSON, TelegramError> {
        let runtime = world.telegram { $0.runtime(call.bot.id) }
        var fields: [(String, JSON)] = [
            ("url", .string(runtime.webhook?.url ?? "")), ("has_custom_certificate", .bool(false)),
            ("pending_update_count", .int(runtime.updates.count)),
        ]
        if let hook = runtime.webhook {
            if let date = hook.lastErrorDate { fields.append(("last_error_date", .int(date.unixSeconds))) }
            if let message = hook.lastErrorMessage { fields.append(("last_error_message", .string(message))) }
            fields.append(("max_connections", .int(40)))
            if let allowed = hook.allowedUpdates { fields.append(("allowed_updates", .array(allowed.map(JSON.string)))) }
        }
        return .success(.object(fields))
    }

    /// Why StarMock will not push to `url`; nil when it will.
    static func webhookProblem(_ url: String, remoteAllowed: Bool) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return "Webhook URL must be an HTTP(S) URL"
        }
        guard lower.hasPrefix("http://") else { return "StarMock pushes over plain http:// only" }
        let rest = lower.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var host = String(authority)
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            guard let port = Int(host[host.index(after: colon)...]), (1...65535).contains(port) else {
                return "invalid port specified"
            }
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return "Failed to resolve host: Name or service not known" }
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        guard loopback || remoteAllowed else {
            return "StarMock pushes only to loopback addresses (127.0.0.1, ::1, localhost) unless world.telegram.remote_webhooks is true"
        }
        return nil
    }

    // MARK: Queueing and pushing

    /// Adds an update for the bot and wakes whoever receives it (the waiting poll, or the
    /// webhook push).
    static func enqueue(_ kind: String, _ object: JSON, botID: Int64, in world: inout WorldState) {
        let now = world.now
        let poll: Int? = world.telegram { state in
            var runtime = state.runtime(botID)
            runtime.updates.append(TelegramUpdate(id: runtime.nextUpdateID, kind: kind, object: object, date: now))
            runtime.nextUpdateID += 1
            state.runtimes[botID] = runtime
            return runtime.webhook == nil ? runtime.poll : nil
        }
        if let poll { world.signal(pollTopic(botID, poll)) }
        pushNext(botID: botID, in: &world)
    }

    /// Pushes the bot's oldest deliverable update to its webhook, one at a time.
    static func pushNext(botID: Int64, in world: inout WorldState) {
        let timeout = world.setup.telegram.webhookTimeout
        let next: (TelegramWebhook, TelegramUpdate, Int)? = world.telegram { state in
            var runtime = state.runtime(botID)
            guard let hook = runtime.webhook, !runtime.pushing else { return nil }
            runtime.dropUndeliverable()
            guard let update = runtime.updates.first else {
                state.runtimes[botID] = runtime
                return nil
            }
            runtime.pushing = true
            state.runtimes[botID] = runtime
            return (hook, update, runtime.webhookGeneration)
        }
        guard let (hook, update, generation) = next else { return }
        var headers: [(String, String)] = []
        if let secret = hook.secretToken { headers.append(("X-Telegram-Bot-Api-Secret-Token", secret)) }
        world.send(
            OutboundRequest(url: hook.url, headers: headers, body: update.json.bytes(.compact), timeout: timeout) {
                result, world in
                pushed(botID: botID, updateID: update.id, kind: update.kind, generation: generation, result: result, in: &world)
            })
    }

    /// A push ended: a 2xx answer confirms the update; anything else (or an answer the
    /// scenario says to lose) is redelivered after a back-off on the world's clock.
    static func pushed(botID: Int64, updateID: Int, kind: String, generation: Int, result: OutboundResult, in world: inout WorldState) {
        let now = world.now
        let retry: Duration? = world.telegram { state -> Duration? in
            var runtime = state.runtime(botID)
            guard runtime.webhookGeneration == generation, runtime.webhook != nil else { return nil }
            runtime.pushing = false
            var failure: String?
            switch result {
            case .answered(let status, _) where (200..<300).contains(status):
                if state.answersToLose > 0, state.loseKind == nil || state.loseKind == kind {
                    state.answersToLose -= 1
                    failure = "Read timeout expired"
                }
            case .answered(let status, _): failure = "Wrong response from the webhook: \(status) \(reasonPhrase(status))"
            case .timedOut: failure = "Read timeout expired"
            case .failed(let why): failure = why
            }
            guard let index = runtime.updates.firstIndex(where: { $0.id == updateID }) else {
                state.runtimes[botID] = runtime
                return .zero
            }
            runtime.handedOut[updateID, default: 0] += 1
            guard let failure else {
                runtime.updates.remove(at: index)
                state.runtimes[botID] = runtime
                return .zero
            }
            runtime.updates[index].attempts += 1
            runtime.webhook?.lastErrorDate = now
            runtime.webhook?.lastErrorMessage = failure
            runtime.redeliveries += 1
            runtime.pushing = true  // the update waits for its retry; nothing overtakes it
            let attempts = runtime.updates[index].attempts
            state.runtimes[botID] = runtime
            return .seconds(min(60, 1 << min(6, attempts - 1)))
        }
        guard let retry else { return }
        if retry == .zero {
            pushNext(botID: botID, in: &world)
            return
        }
        world.schedule(at: now.adding(retry)) { world in
            let current = world.telegram { state -> Bool in
                guard state.runtimes[botID]?.webhookGeneration == generation else { return false }
                state.runtimes[botID]?.pushing = false
                return true
            }
            if current { pushNext(botID: botID, in: &world) }
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Error"
        }
    }
}

/// Signals are raised after the state closure returns (the world cannot be reached from inside it).
private func world_signalLater(_ state: inout TelegramState, _ topic: String) {
    state.pendingSignals.append(topic)
}

private func flushSignals(_ world: inout WorldState) {
    let topics = world.telegram { state -> [String] in
        defer { state.pendingSignals.removeAll() }
        return state.pendingSignals
    }
    for topic in topics { world.signal(topic) }
}

extension TelegramBotRuntime {
    /// The kinds the bot receives.
    func receives(_ kind: String) -> Bool {
        if let allowed = allowedUpdates, !allowed.isEmpty { return allowed.contains(kind) }
        return !TelegramBotAPI.optInUpdates.contains(kind)
    }

    /// Updates it would receive now.
    var deliverable: [TelegramUpdate] { updates.filter { receives($0.kind) } }

    /// Updates of kinds it does not receive are dropped.
    mutating func dropUndeliverable() {
        let kept = deliverable
        if kept.count != updates.count { updates = kept }
    }
}

extension TelegramState {
    /// The runtime of a bot, created empty if it has none yet.
    mutating func runtime(_ botID: Int64) -> TelegramBotRuntime {
        if let runtime = runtimes[botID] { return runtime }
        let runtime = TelegramBotRuntime()
        runtimes[botID] = runtime
        return runtime
    }
}
