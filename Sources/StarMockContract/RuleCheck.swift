import Foundation
import StarMockCore

extension ContractRule {
    /// The failures this rule finds in a run; empty when it holds.
    public func check(_ run: RunEvidence) -> [ContractFailure] {
        switch self {
        case .noRateLimitBreach: RuleCheck.noRateLimitBreach(run)
        case .honoursRetryAfter: RuleCheck.honoursRetryAfter(run)
        case .noDuplicateOrder: RuleCheck.noDuplicateOrder(run)
        case .pollsUntilFinal: RuleCheck.pollsUntilFinal(run)
        case .minPollInterval(let d): RuleCheck.minPollInterval(run, minimum: d)
        case .noRequestsAfterFinal: RuleCheck.noRequestsAfterFinal(run)
        case .boundedRetries(let n): RuleCheck.boundedRetries(run, retries: n)
        case .backsOffAfter429(let d): RuleCheck.backsOffAfter429(run, minimum: d)
        }
    }
}

enum RuleCheck {
    static func failure(_ rule: String, _ message: String, step: Int? = nil, _ entries: [JournalEntry]) -> ContractFailure {
        ContractFailure(kind: .rule, name: rule, message: message, step: step, entries: entries)
    }

    // MARK: no-rate-limit-breach

    static func noRateLimitBreach(_ run: RunEvidence) -> [ContractFailure] {
        let limited = run.journal.filter { $0.status == 429 }
        guard !limited.isEmpty else { return [] }
        let noun = limited.count == 1 ? "request was" : "requests were"
        return [failure("no-rate-limit-breach", "\(limited.count) \(noun) answered 429", limited)]
    }

    // MARK: honours-retry-after

    /// `Retry-After: N` in seconds: the header, or Telegram's `parameters.retry_after`.
    static func retryAfterSeconds(_ entry: JournalEntry) -> Double? {
        if let header = entry.retryAfter?.trimmingCharacters(in: .whitespaces), let seconds = Double(header), seconds >= 0 {
            return seconds
        }
        if let body = try? JSON.parse(entry.responseBody), let seconds = body["parameters"]?["retry_after"]?.intValue {
            return Double(seconds)
        }
        return nil
    }

    static func honoursRetryAfter(_ run: RunEvidence) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        for limited in run.journal where limited.status == 429 {
            guard let key = limited.key, let seconds = retryAfterSeconds(limited) else { continue }
            let early = run.journal.filter { next in
                next.key == key && next.sequence != limited.sequence && next.receivedAt >= limited.answeredAt
                    // One world millisecond of slack: journal times are whole milliseconds.
                    && run.clientMilliseconds(from: limited.answeredAt, to: next.receivedAt) + 1 / run.timeScale
                        < seconds * 1000
            }
            guard let first = early.min(by: { $0.receivedAt < $1.receivedAt }) else { continue }
            let waited = run.clientMilliseconds(from: limited.answeredAt, to: first.receivedAt)
            failures.append(
                failure(
                    "honours-retry-after",
                    "#\(limited.sequence) answered 429 with Retry-After: \(format(seconds)) s; the same key sent #\(first.sequence) \(formatMs(waited)) later",
                    step: stepNumber(of: limited, in: run), [limited] + early))
        }
        return failures
    }

    // MARK: backs-off-after-429

    /// A 429 that says nothing of when to come back (no `Retry-After`, no `retry_after`): the
    /// same key must wait at least `minimum` of the client's time before its next request.
    static func backsOffAfter429(_ run: RunEvidence, minimum: Duration) -> [ContractFailure] {
        let wanted = Double(minimum.wholeMilliseconds)
        var failures: [ContractFailure] = []
        for limited in run.journal where limited.status == 429 && retryAfterSeconds(limited) == nil {
            guard let key = limited.key else { continue }
            let early = run.journal.filter { next in
                next.key == key && next.sequence != limited.sequence && next.receivedAt >= limited.answeredAt
                    && run.clientMilliseconds(from: limited.answeredAt, to: next.receivedAt) + 1 / run.timeScale < wanted
            }
            guard let first = early.min(by: { ($0.receivedAt, $0.sequence) < ($1.receivedAt, $1.sequence) }) else { continue }
            let waited = run.clientMilliseconds(from: limited.answeredAt, to: first.receivedAt)
            failures.append(
                failure(
                    "backs-off-after-429",
                    "#\(limited.sequence) answered 429 without Retry-After; the same key sent #\(first.sequence) \(formatMs(waited)) later (at least \(formatMs(wanted)) expected)",
                    step: stepNumber(of: limited, in: run), [limited] + early))
        }
        return failures
    }

    // MARK: no-duplicate-order

    static func noDuplicateOrder(_ run: RunEvidence) -> [ContractFailure] {
        run.steps.compactMap { evidence in
            guard evidence.step.isPurchase, evidence.createdOrders.count > 1 else { return nil }
            let ids = evidence.createdOrders.map { String($0.ref.id) }.joined(separator: ", ")
            let writes = evidence.entries.filter { !["GET", "HEAD"].contains($0.method.uppercased()) }
            return failure(
                "no-duplicate-order", "\(evidence.step.label) created \(evidence.createdOrders.count) orders (\(ids))",
                step: evidence.step.number, writes.isEmpty ? evidence.entries : writes)
        }
    }

    // MARK: polls-until-final

    static func pollsUntilFinal(_ run: RunEvidence) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        for evidence in run.steps where evidence.step.isPurchase {
            let step = evidence.step
            for order in evidence.createdOrders where order.state == .pending && !order.stuck {
                failures.append(
                    failure(
                        "polls-until-final", "\(step.label) ended while order \(order.ref.id) was still pending",
                        step: step.number, entries(about: order, in: evidence.entries, dialect: order.ref.dialect)))
            }
            guard let result = evidence.result, let outcome = result["outcome"]?.stringValue else { continue }
            let claimed = outcome.lowercased()
            let target = claimedOrder(result, among: evidence.createdOrders) ?? evidence.createdOrders.last
            guard let target else {
                if claimed == "completed" || claimed == "failed" {
                    failures.append(
                        failure(
                            "polls-until-final", "\(step.label): the client said outcome \"\(outcome)\" but no order was created",
                            step: step.number, evidence.entries))
                }
                continue
            }
            let lines = entries(about: target, in: evidence.entries, dialect: target.ref.dialect)
            let truth = target.state
            if truth == .pending {
                if claimed == "completed" || claimed == "failed" {
                    failures.append(
                        failure(
                            "polls-until-final",
                            "\(step.label): the client said outcome \"\(outcome)\" but order \(target.ref.id) was still pending",
                            step: step.number, lines))
                }
                continue
            }
            if claimed != truth.rawValue {
                failures.append(
                    failure(
                        "polls-until-final",
                        "\(step.label): the client said outcome \"\(outcome)\" but order \(target.ref.id) is \(truth.rawValue)",
                        step: step.number, lines))
            } else if let status = result["status"]?.stringValue?.lowercased(),
                ["pending", "completed", "failed"].contains(status), status != truth.rawValue
            {
                failures.append(
                    failure(
                        "polls-until-final",
                        "\(step.label): the client said status \"\(status)\" but order \(target.ref.id) is \(truth.rawValue)",
                        step: step.number, lines))
            }
        }
        return failures
    }

    /// The created order the client's `order_id` names (`47`, `"47"`, `"ORD-000047"`).
    static func claimedOrder(_ result: JSON, among orders: [ObservedOrder]) -> ObservedOrder? {
        guard let value = result["order_id"] else { return nil }
        let id: Int? =
            switch value {
            case .number(let text): Int(text)
            case .string(let text): trailingNumber(text)
            default: nil
            }
        guard let id else { return nil }
        return orders.first { $0.ref.id == id }
    }

    // MARK: Status reads

    /// `47` → 47, `ORD-000047` → 47; nil without trailing digits.
    static func trailingNumber<S: StringProtocol>(_ text: S) -> Int? {
        let digits = text.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        return Int(String(digits.reversed()))
    }

    /// Whether `entry` names order `id` in its path (a segment `47` or `ORD-000047`) or in an
    /// `…id=` query parameter.
    static func names(_ entry: JournalEntry, id: Int) -> Bool {
        for segment in entry.path.split(separator: "/") where trailingNumber(segment) == id { return true }
        if let q = entry.target.firstIndex(of: "?") {
            for pair in entry.target[entry.target.index(after: q)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased().hasSuffix("id"), trailingNumber(parts[1]) == id { return true }
            }
        }
        return false
    }

    /// Status reads of `order`: GET (or HEAD) requests of its dialect naming it, received after
    /// it was placed, in the order they were received.
    static func statusReads(of order: ObservedOrder, in entries: [JournalEntry]) -> [JournalEntry] {
        entries.filter { entry in
            ["GET", "HEAD"].contains(entry.method.uppercased()) && entry.dialect == order.ref.dialect
                && entry.receivedAt >= order.createdAt && names(entry, id: order.ref.id)
        }.sorted { ($0.receivedAt, $0.sequence) < ($1.receivedAt, $1.sequence) }
    }

    /// The step's requests about an order: the ones naming it, and the writes (the one that
    /// placed it among them).
    static func entries(about order: ObservedOrder, in entries: [JournalEntry], dialect: DialectID) -> [JournalEntry] {
        entries.filter { names($0, id: order.ref.id) || !["GET", "HEAD"].contains($0.method.uppercased()) }
    }

    // MARK: min-poll-interval

    static func minPollInterval(_ run: RunEvidence, minimum: Duration) -> [ContractFailure] {
        let wanted = Double(minimum.wholeMilliseconds)
        var failures: [ContractFailure] = []
        for order in run.orders {
            let reads = statusReads(of: order, in: run.journal)
            var close: [(JournalEntry, JournalEntry, Double)] = []
            for (a, b) in zip(reads, reads.dropFirst()) {
                let gap = run.clientMilliseconds(from: a.receivedAt, to: b.receivedAt)
                if gap + 1 / run.timeScale < wanted { close.append((a, b, gap)) }
            }
            guard let shortest = close.min(by: { $0.2 < $1.2 }) else { continue }
            var lines: [JournalEntry] = []
            for (a, b, _) in close {
                if lines.last?.sequence != a.sequence { lines.append(a) }
                lines.append(b)
            }
            let pairs = close.count == 1 ? "two status reads" : "\(close.count) pairs of status reads"
            failures.append(
                failure(
                    "min-poll-interval",
                    "\(pairs) of order \(order.ref.id) came less than \(formatMs(wanted)) apart (shortest \(formatMs(shortest.2)): #\(shortest.0.sequence) → #\(shortest.1.sequence))",
                    step: stepNumber(of: shortest.1, in: run), lines))
        }
        return failures
    }

    // MARK: no-requests-after-final

    static func noRequestsAfterFinal(_ run: RunEvidence) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        for order in run.orders where order.state.isFinal {
            let reads = statusReads(of: order, in: run.journal)
            guard
                let shown = reads.firstIndex(where: {
                    $0.receivedAt >= order.updatedAt && ($0.status.map { (200..<300).contains($0) } ?? false)
                })
            else { continue }
            let after = Array(reads[(shown + 1)...])
            guard !after.isEmpty else { continue }
            failures.append(
                failure(
                    "no-requests-after-final",
                    "order \(order.ref.id) was shown \(order.state.rawValue) by #\(reads[shown].sequence); the client read it \(after.count) more time\(after.count == 1 ? "" : "s")",
                    step: stepNumber(of: after[0], in: run), [reads[shown]] + after))
        }
        return failures
    }

    // MARK: bounded-retries

    /// Whether an answer calls for a retry: none at all, or not 2xx/3xx.
    static func failed(_ entry: JournalEntry) -> Bool {
        guard let status = entry.status else { return true }
        return !(200..<400).contains(status)
    }

    static func boundedRetries(_ run: RunEvidence, retries: Int) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        for evidence in run.steps {
            let ordered = evidence.entries.sorted { ($0.receivedAt, $0.sequence) < ($1.receivedAt, $1.sequence) }
            // Runs of attempts: a request repeating one (same method and path) that failed.
            var current: [String: [JournalEntry]] = [:]
            var worst: [String: [JournalEntry]] = [:]
            var order: [String] = []
            for entry in ordered {
                let request = "\(entry.method.uppercased()) \(entry.path)"
                if let last = current[request]?.last, failed(last) {
                    current[request]!.append(entry)
                } else {
                    current[request] = [entry]
                }
                if current[request]!.count > (worst[request]?.count ?? 0) {
                    if worst[request] == nil { order.append(request) }
                    worst[request] = current[request]!
                }
            }
            for request in order {
                guard let attempts = worst[request], attempts.count > retries + 1 else { continue }
                failures.append(
                    failure(
                        "bounded-retries",
                        "\(evidence.step.label) sent \(request) \(attempts.count) times in a row after failures (at most \(retries + 1): one attempt and \(retries) retr\(retries == 1 ? "y" : "ies"))",
                        step: evidence.step.number, attempts))
            }
        }
        return failures
    }

    // MARK: Helpers

    static func stepNumber(of entry: JournalEntry, in run: RunEvidence) -> Int? {
        run.steps.first { $0.entries.contains { $0.sequence == entry.sequence } }?.step.number
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    static func formatMs(_ ms: Double) -> String {
        if ms >= 1000 { return "\(String(format1(ms / 1000))) s" }
        return "\(format1(ms)) ms"
    }

    static func format1(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
