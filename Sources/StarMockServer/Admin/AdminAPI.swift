import StarMockCore
import StarMockDialects
import StarMockHAR

/// The control API under `/__admin`: health, reset, state, journal, clock, faults, and
/// direct changes to orders, keys and balances. Plain JSON; no NIO here.
struct AdminAPI: Sendable {
    let world: World
    let dialects: DialectSet
    /// Sends the answers waiting for their injected latency now: their timers are in the
    /// world a reset replaces.
    var flushDelayed: @Sendable () -> Void = {}

    func handle(_ request: DialectRequest) -> DialectResponse {
        let s = request.segments.dropFirst().map(String.init)  // after "__admin"
        let method = request.method.normalized
        switch (method, s) {
        case ("GET", []), ("GET", ["dashboard"]): return Dashboard.page
        case ("GET", ["health"]): return health()
        case ("POST", ["reset"]):
            restart(to: nil)
            return Self.ok([("reset", .bool(true)), ("now", .string(world.now.iso8601))])
        case ("POST", ["scenario"]): return loadScenario(request)
        case ("GET", ["state"]): return stateBody()
        case ("GET", ["journal"]): return journal(request)
        case ("GET", ["journal.har"]): return journalHAR(request)  // Admin/AdminAPI+HAR.swift
        case ("POST", ["clock", "advance"]): return advance(request)
        case ("GET", ["faults"]): return faultsBody()
        case ("POST", ["faults"]): return addFault(request)
        case ("DELETE", ["faults"]):
            world.transact { $0.clearFaults() }
            return Self.ok([("faults", .array([]))])
        case ("POST", let path) where path.count == 4 && path[0] == "orders": return endOrder(path)
        case ("POST", let path) where path.count == 3 && path[0] == "keys": return setKey(path)
        case ("POST", ["balance"]): return setBalance(request)
        case ("POST", ["rate-limits"]): return setRateLimit(request)
        case ("GET", ["openapi"]):
            return Self.ok([("documents", .array(dialects.names.map { .string("/__admin/openapi/\($0).json") }))])
        case ("GET", let path) where path.count == 2 && path[0] == "openapi": return openAPI(path[1])
        case (_, let path) where path.first.flatMap(dialects.dialect(named:)).map({ !$0.controlEndpoints.isEmpty }) == true:
            return dialectControl(request, dialect: dialects.dialect(named: path[0])!)
        case (_, let path):
            let known: Set<[String]> = [
                [], ["dashboard"], ["health"], ["reset"], ["state"], ["journal"], ["journal.har"], ["clock", "advance"],
                ["faults"], ["balance"], ["rate-limits"],
            ]
            if known.contains(path) { return Self.error(405, "Method \(method) not allowed on \(request.path)") }
            return Self.error(404, "No control endpoint \(request.path); see docs/control-api.md")
        }
    }

    // MARK: Endpoints

    func health() -> DialectResponse {
        let (now, mode) = world.read { ($0.now, $0.clockMode) }
        return Self.ok([
            ("status", .string("ok")),
            ("dialects", .array(dialects.names.map(JSON.string))),
            // The dashboard's own parts each dialect's control API offers (`DashboardPanel`).
            (
                "dashboard",
                .object(
                    dialects.dialects.filter { !$0.dashboardPanels.isEmpty }.map { d in
                        (d.id.name, .array(d.dashboardPanels.map { .string($0.rawValue) }))
                    })
            ),
            ("clock", .string(mode.description)),
            ("now", .string(now.iso8601)),
        ])
    }

    func stateBody() -> DialectResponse {
        world.read { w in
            let keys: [JSON] = w.keys.values.sorted { $0.key < $1.key }.map { k in
                .object([
                    ("key", .string(k.key)), ("dialect", .string(k.dialect.name)), ("label", .string(k.label)),
                    ("owner", .string(k.owner)), ("enabled", .bool(k.enabled)),
                ])
            }
            let accounts: [JSON] = w.ledger.accounts.keys.sorted().map { owner in
                let a = w.ledger.accounts[owner]!
                return .object([
                    ("owner", .string(owner)), ("available", .string(a.available.twoDecimals)),
                    ("locked", .string(a.locked.twoDecimals)), ("spent", .string(a.spent.twoDecimals)),
                    ("deposits", .string(a.deposits.twoDecimals)),
                    ("total_orders", .int(w.totalOrders(owner: owner))),
                ])
            }
            let orders: [JSON] = w.orders.values.sorted { ($0.ref.dialect, $0.ref.id) < ($1.ref.dialect, $1.ref.id) }
                .map(Self.orderJSON)
            let users: [JSON] = w.users.values.sorted { $0.username < $1.username }.map { u in
                .object([
                    ("username", .string(u.username)), ("id", .int(u.id)),
                    ("can_receive_stars", .bool(u.canReceiveStars)), ("can_receive_premium", .bool(u.canReceivePremium)),
                ])
            }
            return Self.ok([
                ("now", .string(w.now.iso8601)), ("clock", .string(w.clockMode.description)),
                ("keys", .array(keys)), ("accounts", .array(accounts)), ("users", .array(users)),
                ("orders", .array(orders)), ("waiting", .int(w.waitingCount)),
                ("consistent", .bool(w.isConsistent)),
            ])
        }
    }

    static func orderJSON(_ o: Order) -> JSON {
        var fields: [(String, JSON)] = [
            ("dialect", .string(o.ref.dialect.name)), ("id", .int(o.ref.id)), ("key", .string(o.key)),
            ("owner", .string(o.owner)), ("type", .string(o.kind.name)),
        ]
        switch o.kind {
        case .stars(let q): fields.append(("quantity", .int(q)))
        case .premium(let m): fields.append(("months", .int(m)))
        }
        fields += [
            ("username", .string(o.username)), ("cost", .string(o.cost.twoDecimals)), ("state", .string(o.state.rawValue)),
            ("created_at", .string(o.createdAt.iso8601)), ("updated_at", .string(o.updatedAt.iso8601)),
            ("polls", .int(o.polls)), ("error_message", o.errorMessage.map(JSON.string) ?? .null),
        ]
        return .object(fields)
    }

    /// `GET /__admin/journal[?limit=N][&after=SEQ]`: the kept entries, the last N, or those
    /// recorded after sequence SEQ (the dashboard's incremental read).
    func journal(_ request: DialectRequest) -> DialectResponse {
        let limitText = request.queryValue("limit")
        let limit = limitText.flatMap(Int.init)
        if limitText != nil, (limit ?? -1) < 0 {
            return Self.error(400, "?limit= must be an integer ≥ 0")
        }
        let afterText = request.queryValue("after")
        let after = afterText.flatMap(Int.init)
        if afterText != nil, (after ?? -1) < 0 {
            return Self.error(400, "?after= must be a journal sequence number ≥ 0")
        }
        return world.read { w in
            var entries = w.journal.entries
            if let after { entries = entries.filter { $0.sequence > after } }
            if let limit, limit >= 0 { entries = Array(entries.suffix(limit)) }
            return Self.ok([
                ("recorded", .int(w.journal.recorded)), ("dropped", .int(w.journal.dropped)),
                ("bytes", .int(w.journal.bytes)), ("byte_budget", .int(w.journal.byteBudget)),
                ("body_cap", .int(w.journal.bodyCap)),
                ("entries", .array(entries.map(\.json))),
            ])
        }
    }

    func advance(_ request: DialectRequest) -> DialectResponse {
        let body: JSON
        switch Self.parseObject(request) {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let seconds = body["seconds"]?.numberText, let millis = FixedPoint.parse(seconds, scale: 3), millis >= 0 else {
            return Self.error(400, "Body must be {\"seconds\": N} with N ≥ 0 (at most 3 decimals)")
        }
        world.advance(by: .milliseconds(millis))
        return Self.ok([("now", .string(world.now.iso8601))])
    }

    func faultsBody() -> DialectResponse {
        world.read { w in Self.ok([("faults", .array(w.faults.map(Self.faultJSON)))]) }
    }

    static func faultJSON(_ f: FaultRule) -> JSON {
        .object([
            ("dialect", .string(f.dialect?.name ?? "*")), ("action", .string(f.action.description)), ("method", f.method.map(JSON.string) ?? .null),
            ("path", f.path.map(JSON.string) ?? .null), ("phase", .string(f.phase.rawValue)),
            ("matched", .int(f.matched)), ("fired", .int(f.fired)),
        ])
    }

    /// `{"dialect": "sh4de", "code": "CHARGING_ERROR", "method": "POST", "path": "/api/v1/order/*",
    /// "key": …, "nth": 1, "times": 1, "probability": 0.5, "phase": "before"}`
    func addFault(_ request: DialectRequest) -> DialectResponse {
        let body: JSON
        switch Self.parseObject(request) {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        let allowed: Set<String> = ["dialect", "code", "method", "path", "key", "nth", "times", "probability", "phase"]
        if let unknown = body.objectPairs?.first(where: { !allowed.contains($0.0) }) {
            return Self.error(400, "Unknown field \"\(unknown.0)\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        guard let dialectName = body["dialect"]?.stringValue, let dialect = dialects.dialect(named: dialectName) else {
            return Self.error(400, "\"dialect\" must be one of: \(dialects.names.joined(separator: ", "))")
        }
        guard let code = body["code"]?.stringValue, dialect.faultCodes.contains(code) else {
            return Self.error(400, "\"code\" must be one of \(dialectName)'s: \(dialect.faultCodes.joined(separator: ", "))")
        }
        // Every field given must have its type: a mistyped option is refused, never ignored.
        for name in ["method", "path", "key"] where body[name] != nil && body[name]?.stringValue == nil {
            return Self.error(400, "\"\(name)\" must be a string")
        }
        for name in ["nth", "times"] where body[name] != nil && (body[name]?.intValue ?? 0) < 1 {
            return Self.error(400, "\"\(name)\" must be an integer ≥ 1")
        }
        var rule = FaultRule(dialect: dialect.id, code: code)
        rule.method = body["method"]?.stringValue
        rule.path = body["path"]?.stringValue
        rule.key = body["key"]?.stringValue
        rule.nth = body["nth"]?.intValue
        rule.times = body["times"]?.intValue
        if let p = body["probability"] {
            guard let text = p.numberText, let v = Double(text), (0...1).contains(v) else {
                return Self.error(400, "\"probability\" must be a number from 0 to 1")
            }
            rule.probability = v
        }
        if let phase = body["phase"] {
            guard let p = phase.stringValue.flatMap(FaultRule.Phase.init(rawValue:)) else {
                return Self.error(400, "\"phase\" must be \"before\" or \"after\"")
            }
            rule.phase = p
        }
        world.transact { $0.addFault(rule) }
        return faultsBody()
    }

    /// `POST /__admin/orders/{dialect}/{id}/complete|fail`
    func endOrder(_ path: [String]) -> DialectResponse {
        guard let id = Int(path[2]) else { return Self.error(400, "Order id must be an integer") }
        let ref = OrderRef(dialect: DialectID(path[1]), id: id)
        let outcome: OrderOutcome
        switch path[3] {
        case "complete": outcome = .completed
        case "fail": outcome = .failed(message: "Failed by the control API")
        default: return Self.error(404, "Use …/complete or …/fail")
        }
        return world.transact { w in
            guard w.order(ref) != nil else { return Self.error(404, "No order \(ref)") }
            guard w.finish(ref, outcome: outcome) else { return Self.error(409, "Order \(ref) is not pending") }
            return Self.ok([("order", Self.orderJSON(w.order(ref)!))])
        }
    }

    /// `POST /__admin/keys/{key}/enable|disable`
    func setKey(_ path: [String]) -> DialectResponse {
        let enabled: Bool
        switch path[2] {
        case "enable": enabled = true
        case "disable": enabled = false
        default: return Self.error(404, "Use …/enable or …/disable")
        }
        let found = world.transact { $0.setKey(path[1], enabled: enabled) }
        return found ? Self.ok([("key", .string(path[1])), ("enabled", .bool(enabled))]) : Self.error(404, "No key \(path[1])")
    }

    /// `POST /__admin/balance {"owner": "demo-sh4de", "available": "25.50"}`
    func setBalance(_ request: DialectRequest) -> DialectResponse {
        let body: JSON
        switch Self.parseObject(request) {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        guard let owner = body["owner"]?.stringValue else { return Self.error(400, "\"owner\" is required") }
        let text = body["available"]?.stringValue ?? body["available"]?.numberText
        guard let text, let amount = Money(text), amount >= .zero else {
            return Self.error(400, "\"available\" must be an amount like \"25.50\" (at most two decimals)")
        }
        do {
            try world.transact { try $0.setBalance(amount, owner: owner) }
        } catch {
            return Self.error(400, "Could not set the balance: \(error)")
        }
        return stateBody()
    }

    /// `POST /__admin/rate-limits {"dialect": "sh4de", "limit": 100, "window_seconds": 60}` or
    /// with `"key"` instead of `"dialect"`; `"limit": null` removes the limit.
    func setRateLimit(_ request: DialectRequest) -> DialectResponse {
        let body: JSON
        switch Self.parseObject(request) {
        case .success(let b): body = b
        case .failure(let e): return e.response
        }
        let allowed: Set<String> = ["dialect", "key", "limit", "window_seconds"]
        if let unknown = body.objectPairs?.first(where: { !allowed.contains($0.0) }) {
            return Self.error(400, "Unknown field \"\(unknown.0)\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        let dialect = body["dialect"]?.stringValue
        let key = body["key"]?.stringValue
        guard (dialect == nil) != (key == nil) else { return Self.error(400, "Give exactly one of \"dialect\" or \"key\"") }
        if let dialect, dialects.dialect(named: dialect) == nil {
            return Self.error(400, "\"dialect\" must be one of: \(dialects.names.joined(separator: ", "))")
        }
        var limit: RateLimit?
        if body["limit"] != .null {
            guard let count = body["limit"]?.intValue, count >= 0,
                let window = body["window_seconds"]?.numberText.flatMap({ FixedPoint.parse($0, scale: 3) }), window > 0
            else {
                return Self.error(400, "\"limit\" must be an integer ≥ 0 and \"window_seconds\" a number > 0")
            }
            limit = RateLimit(limit: count, window: .milliseconds(window))
        }
        world.transact { w in
            if let dialect {
                w.rateLimits[DialectID(dialect)] = limit.map(RateLimitPolicy.limited) ?? .unlimited
            } else if let key {
                w.keyRateLimits[key] = limit
            }
        }
        return Self.ok([
            ("dialect", dialect.map(JSON.string) ?? .null), ("key", key.map(JSON.string) ?? .null),
            ("limit", limit.map { .int($0.limit) } ?? .null),
            ("window_seconds", limit.map { .number(FixedPoint.format($0.window.wholeMilliseconds, scale: 3, minimumFractionDigits: 0)) } ?? .null),
        ])
    }

    /// A dialect's own part of the control API (`/__admin/<dialect>/…`), from its table.
    func dialectControl(_ request: DialectRequest, dialect: any Dialect) -> DialectResponse {
        let segments = EndpointTable.segments(request.path)
        var allowed: [String] = []
        for endpoint in dialect.controlEndpoints {
            guard let captures = endpoint.path.match(segments, caseInsensitive: false) else { continue }
            guard endpoint.method == request.method else {
                allowed.append(endpoint.method.name)
                continue
            }
            let call = ControlCall(request: request, captures: captures)
            return world.transact { endpoint.handler(call, &$0) }
        }
        if !allowed.isEmpty { return Self.error(405, "Method \(request.method) not allowed on \(request.path)") }
        let routes = dialect.controlEndpoints.map { "\($0.method) \($0.path)" }.joined(separator: ", ")
        return Self.error(404, "No control endpoint \(request.path); \(dialect.id) has: \(routes)")
    }

    /// Restarts the world (from its setup, or `setup`): held requests and delayed answers are
    /// answered first, from the world they were decided in.
    func restart(to setup: WorldSetup?) {
        flushDelayed()
        world.reset(to: setup)
        // One registered while the world was being replaced has lost its timer too.
        flushDelayed()
    }

    /// `GET /__admin/openapi/{dialect}.json`: the dialect's OpenAPI 3.1 document, generated
    /// from its endpoint table.
    func openAPI(_ file: String) -> DialectResponse {
        guard file.hasSuffix(".json"), let dialect = dialects.dialect(named: String(file.dropLast(5))) else {
            return Self.error(404, "No OpenAPI document \(file); served: \(dialects.names.map { "\($0).json" }.joined(separator: ", "))")
        }
        return .json(200, OpenAPIDocument.generate(for: dialect), style: .pretty)
    }

    // MARK: Helpers

    static func parseObject(_ request: DialectRequest) -> Result<JSON, ControlFailure> { Control.parseObject(request) }

    static func ok(_ fields: [(String, JSON)]) -> DialectResponse { Control.ok(fields) }

    static func error(_ status: Int, _ message: String) -> DialectResponse { Control.error(status, message) }
}
