public import StarMockCore

/// The report for programs: every scenario with its status, timings, steps and failures.
public enum JSONReport {
    /// The report as JSON (pretty-printed by the caller's choice of style).
    public static func json(_ reports: [ScenarioReport], duration: Duration) -> JSON {
        let passed = reports.count { $0.status == .passed }
        let failed = reports.count { $0.status == .failed }
        let skipped = reports.count { $0.status == .skipped }
        let notApplicable = reports.count { $0.status == .notApplicable }
        return .object([
            ("passed", .int(passed)),
            ("failed", .int(failed)),
            ("skipped", .int(skipped)),
            ("not_applicable", .int(notApplicable)),
            ("duration_ms", .int(duration.wholeMilliseconds)),
            ("scenarios", .array(reports.map(scenario))),
        ])
    }

    static func scenario(_ report: ScenarioReport) -> JSON {
        var pairs: [(String, JSON)] = [
            ("id", .string(report.scenario.id)),
            ("name", .string(report.scenario.title)),
            ("path", report.scenario.path.map(JSON.string) ?? .null),
            ("group", .string(report.scenario.group)),
            ("status", .string(report.status.rawValue)),
        ]
        guard report.status != .skipped else { return .object(pairs) }
        if let reason = report.reason { pairs.append(("reason", .string(reason))) }
        pairs += [
            ("duration_ms", .int(report.duration.wholeMilliseconds)),
            ("client_ms", .int(report.clientTime.wholeMilliseconds)),
            ("overhead_ms", .int(report.overhead.wholeMilliseconds)),
            ("steps", .array(report.steps.map(step))),
            ("failures", .array(report.failures.map(failure))),
        ]
        return .object(pairs)
    }

    static func step(_ report: StepReport) -> JSON {
        let run = report.run
        return .object([
            ("step", .int(report.step.number)),
            ("action", .string(report.step.action)),
            ("dialect", .string(report.step.dialect)),
            ("status", .string(run.statusText)),
            ("exit_code", run.exitCode.map { .int($0) } ?? .null),
            ("signal", run.signal.map { .int($0) } ?? .null),
            ("timed_out", .bool(run.timedOut)),
            ("duration_ms", .int(run.duration.wholeMilliseconds)),
            ("result", report.result ?? .null),
            ("stdout", report.result == nil ? .string(String(decoding: run.stdout.prefix(4096), as: UTF8.self)) : .null),
            ("stderr_tail", .string(run.stderrText())),
        ])
    }

    static func failure(_ failure: ContractFailure) -> JSON {
        .object([
            ("kind", .string(failure.kind.rawValue)),
            ("name", .string(failure.name)),
            ("message", .string(failure.message)),
            ("step", failure.step.map { .int($0) } ?? .null),
            ("journal", .array(failure.entries.map(entry))),
        ])
    }

    static func entry(_ entry: JournalEntry) -> JSON {
        .object([
            ("sequence", .int(entry.sequence)),
            ("method", .string(entry.method)),
            ("target", .string(entry.target)),
            ("status", entry.status.map { .int($0) } ?? .null),
            ("fault", entry.fault.map(JSON.string) ?? .null),
            ("received_at", .string(entry.receivedAt.iso8601)),
        ])
    }
}
