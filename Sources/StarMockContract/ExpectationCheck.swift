public import StarMockCore

extension Contract {
    /// The failures of the journal and world expectations and of every rule, in that order.
    public func check(_ run: RunEvidence) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        for rule in rules { failures += rule.check(run) }
        failures += journal.compactMap { $0.check(run.journal) }
        if let failure = Self.checkOrder(journalOrder, in: run.journal) { failures.append(failure) }
        if let world { failures += world.check(run) }
        return failures
    }

    /// `journal_order`: the patterns appear in this relative order (not necessarily adjacent).
    static func checkOrder(_ patterns: [RequestPattern], in journal: [JournalEntry]) -> ContractFailure? {
        let ordered = journal.sorted { ($0.receivedAt, $0.sequence) < ($1.receivedAt, $1.sequence) }
        var found: [JournalEntry] = []
        var index = ordered.startIndex
        for pattern in patterns {
            guard let hit = ordered[index...].firstIndex(where: pattern.matches) else {
                let request = "\(pattern.method ?? "*") \(pattern.path ?? "**")"
                let message: String
                if let last = found.last {
                    message = "no \(request) after #\(last.sequence) \(last.method) \(last.target)"
                } else {
                    message = "no \(request) in the journal"
                }
                let used = Set(found.map(\.sequence))
                let earlier = ordered[..<index].filter { pattern.matches($0) && !used.contains($0.sequence) }
                let note = earlier.isEmpty ? "" : " (only before it: \(earlier.map { "#\($0.sequence)" }.joined(separator: ", ")))"
                return ContractFailure(kind: .journal, name: "journal_order", message: message + note, entries: found + earlier)
            }
            found.append(ordered[hit])
            index = ordered.index(after: hit)
        }
        return nil
    }
}

extension JournalMatcher {
    /// The failure when the journal holds a wrong number of matching requests.
    public func check(_ journal: [JournalEntry]) -> ContractFailure? {
        let hits = journal.filter(pattern.matches)
        let expected: String
        if let count {
            guard hits.count != count else { return nil }
            expected = "exactly \(count)"
        } else if let min, hits.count < min {
            expected = max.map { "\(min) to \($0)" } ?? "at least \(min)"
        } else if let max, hits.count > max {
            expected = min.map { "\($0) to \(max)" } ?? "at most \(max)"
        } else {
            return nil
        }
        return ContractFailure(
            kind: .journal, name: "journal",
            message: "\(pattern): \(hits.count) request\(hits.count == 1 ? "" : "s"), expected \(expected)",
            entries: hits)
    }
}

extension WorldExpectation {
    /// The differences between this and the world the run ended in.
    public func check(_ run: RunEvidence) -> [ContractFailure] {
        var failures: [ContractFailure] = []
        func fail(_ message: String) { failures.append(ContractFailure(kind: .world, name: "world", message: message)) }
        for expected in accounts {
            guard let account = run.accounts[expected.owner] else {
                fail("account \(expected.owner) does not exist")
                continue
            }
            let fields: [(String, Money?, Money)] = [
                ("available", expected.available, account.available), ("locked", expected.locked, account.locked),
                ("spent", expected.spent, account.spent),
            ]
            for (name, wanted, actual) in fields {
                if let wanted, wanted != actual {
                    fail("account \(expected.owner): \(name) is \"\(actual.twoDecimals)\", expected \"\(wanted.twoDecimals)\"")
                }
            }
        }
        for expected in orders {
            guard let order = run.orders.first(where: { $0.ref == expected.ref }) else {
                let existing = run.orders.filter { $0.ref.dialect == expected.ref.dialect }.map { String($0.ref.id) }
                fail(
                    "order \(expected.ref.dialect) \(expected.ref.id) does not exist (\(expected.ref.dialect) orders: \(existing.isEmpty ? "none" : existing.joined(separator: ", ")))"
                )
                continue
            }
            if !expected.states.contains(order.state) {
                let wanted =
                    expected.states.count == 1
                    ? expected.states[0].rawValue : "one of \(expected.states.map(\.rawValue).joined(separator: ", "))"
                fail("order \(expected.ref.dialect) \(expected.ref.id) is \(order.state.rawValue), expected \(wanted)")
            }
        }
        if let orderCount, run.orders.count != orderCount {
            let list = run.orders.map { "\($0.ref.dialect) \($0.ref.id) \($0.state.rawValue)" }.joined(separator: ", ")
            fail("\(run.orders.count) order\(run.orders.count == 1 ? "" : "s") in the world, expected \(orderCount)\(list.isEmpty ? "" : " (\(list))")")
        }
        return failures
    }
}

extension ContractStep {
    /// The failures of one client run against this step's expectations and the protocol.
    public func check(_ run: ClientRun) -> (result: JSON?, failures: [ContractFailure]) {
        func fail(_ message: String, entries: [JournalEntry] = []) -> ContractFailure {
            let tail = run.stderrText()
            return ContractFailure(
                kind: .step, name: label, message: message, step: number, entries: entries,
                detail: tail.isEmpty ? nil : tail)
        }
        if let spawnError = run.spawnError { return (nil, [fail("the client could not be started: \(spawnError)")]) }
        if run.timedOut {
            let seconds = Double(run.duration.wholeMilliseconds) / 1000
            return (nil, [fail("timeout: still running after \(RuleCheck.format1(seconds)) s; its process group was killed")])
        }
        if let signal = run.signal {
            let name = ClientProcess.signalName(signal).map { " (\($0))" } ?? ""
            return (nil, [fail("crashed: killed by signal \(signal)\(name)")])
        }
        var failures: [ContractFailure] = []
        let code = Int(run.exitCode ?? -1)
        if code != exitCode {
            if code != 0 { return (nil, [fail("crashed: exit code \(code), expected \(exitCode)")]) }
            failures.append(fail("exit code 0, expected \(exitCode)"))
        }
        // The protocol asks for one JSON line; a client expected to fail need not print one
        // unless a result is expected.
        guard exitCode == 0 || result != nil || code == 0 else { return (nil, failures) }
        switch ClientOutput.parse(run.stdout, truncated: run.stdoutTruncated) {
        case .failure(let problem):
            failures.append(fail(problem.description))
            return (nil, failures)
        case .success(let json):
            let outcomes = ["completed", "failed", "rejected", "error"]
            if let outcome = json["outcome"]?.stringValue {
                if !outcomes.contains(outcome) {
                    failures.append(fail("\"outcome\" is \"\(outcome)\"; it must be completed, failed, rejected or error"))
                }
            } else {
                failures.append(fail("the result has no \"outcome\" (completed, failed, rejected or error): \(json.text())"))
            }
            if let result {
                let differences = result.mismatches(json)
                if !differences.isEmpty { failures.append(fail(differences.joined(separator: "; "))) }
            }
            return (json, failures)
        }
    }
}
