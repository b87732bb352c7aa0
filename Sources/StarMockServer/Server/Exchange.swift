import StarMockCore
import StarMockDialects

/// One request's fate, decided in a single step under the world's lock: the dialect's reply
/// (or none, when a transport fault hits before the world sees it), the latency to add and
/// the transport fault to apply. Deciding everything at once keeps a seeded run repeatable.
enum Exchange {
    struct Plan: Sendable {
        var request: DialectRequest
        var received: WorldTime
        var dialect: String?
        var credential: String?
        var reply: DialectReply
        var faults: [String]
        var delay: Duration?
        var transport: TransportFault?
        /// True when the world never saw the request (transport fault in phase `before`).
        var unanswered: Bool
        /// True once the exchange is in the journal (answers that leave at once are recorded
        /// in the same step that planned them).
        var recorded = false

        /// Records the exchange as it leaves the server.
        func record(response: DialectResponse, in world: inout WorldState) {
            let target =
                request.query.isEmpty
                ? request.path : request.path + "?" + request.query.map { "\($0)=\($1)" }.joined(separator: "&")
            let now = world.now
            let lost = unanswered || transport.map { !$0.needsResponse } ?? false
            world.record { sequence in
                JournalEntry(
                    sequence: sequence, receivedAt: received, answeredAt: now, dialect: dialect,
                    method: request.method, target: target, key: credential,
                    requestBody: String(decoding: request.body, as: UTF8.self),
                    status: lost ? nil : response.status, responseBody: lost ? "" : response.bodyText,
                    fault: faults.isEmpty ? nil : faults.joined(separator: "; "),
                    retryAfter: lost ? nil : response.headers.last { $0.0.lowercased() == "retry-after" }?.1)
            }
        }
    }

    static func plan(
        _ request: DialectRequest, tooLarge: Bool, maxBodyBytes: Int, dialects: DialectSet, in w: inout WorldState
    ) -> Plan {
        let received = w.now
        let dialect = dialects.dialect(for: request.path)
        let name = dialect?.name ?? "*"
        let credential = dialect?.credential(of: request)
        var plan = Plan(
            request: request, received: received, dialect: dialect?.name, credential: credential,
            reply: .now(DialectResponse(status: 0, body: [])), faults: [], delay: nil, transport: nil, unanswered: false)

        if tooLarge {
            plan.reply = .now(dialects.render(.bodyTooLarge(limit: maxBodyBytes), path: request.path))
            return plan
        }
        if let rule = w.takeFault(
            dialect: name, method: request.method, path: request.path, key: credential, phase: .before, kind: .transport),
            case .transport(let fault) = rule.action
        {
            plan.transport = fault
            plan.unanswered = true
            plan.faults.append("\(fault) before the world")
        } else {
            let routed = dialects.respond(to: request, in: &w)
            plan.reply = routed.reply
            if let code = routed.fault { plan.faults.append(code) }
            if let rule = w.takeFault(
                dialect: name, method: request.method, path: request.path, key: credential, phase: .after,
                kind: .transport),
                case .transport(let fault) = rule.action
            {
                plan.transport = fault
                plan.faults.append(fault.needsResponse ? "\(fault)" : "\(fault) after commit")
            }
        }
        if let rule = w.takeFault(
            dialect: name, method: request.method, path: request.path, key: credential, phase: .before, kind: .delay),
            case .delay(let distribution) = rule.action
        {
            let delay = distribution.sample(using: &w.random)
            plan.delay = delay
            plan.faults.append("latency \(delay.wholeMilliseconds)ms")
        }
        if case .now(let response) = plan.reply, (plan.delay ?? .zero) == .zero {
            plan.record(response: response, in: &w)
            plan.recorded = true
        }
        return plan
    }
}
