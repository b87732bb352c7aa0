import StarMockCore

/// The report for people: a block per scenario as it finishes, then a summary line.
public enum TerminalReport {
    /// Journal lines shown per failure; the rest are counted.
    static let linesShown = 12
    /// Lines of the client's stderr shown per failure.
    static let stderrLines = 8

    /// `PASS sh4de/charging-error (1.2 s)`, or `FAIL …` with its reasons indented, or `SKIP …`.
    public static func block(_ report: ScenarioReport) -> String {
        switch report.status {
        case .skipped:
            return "SKIP \(report.scenario.id) (\(report.reason ?? "no contract section"))\n"
        case .notApplicable:
            return "N/A  \(report.scenario.id) (\(seconds(report.duration))): \(report.reason ?? "not applicable")\n"
        case .passed:
            return "PASS \(report.scenario.id) (\(seconds(report.duration)))\n"
        case .failed:
            var text = "FAIL \(report.scenario.id) (\(seconds(report.duration)))\n"
            for failure in report.failures { text += lines(failure) }
            return text
        }
    }

    /// One failure: its headline, the journal lines that broke it, the client's stderr tail.
    static func lines(_ failure: ContractFailure) -> String {
        var text = ""
        for (i, line) in failure.headline.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            text += (i == 0 ? "  " : "  ") + line + "\n"
        }
        for entry in failure.entries.prefix(linesShown) { text += "    \(entry.line)\n" }
        if failure.entries.count > linesShown { text += "    … and \(failure.entries.count - linesShown) more\n" }
        if let detail = failure.detail, !detail.isEmpty {
            // The last lines only: the JSON and JUnit reports keep more.
            let lines = detail.split(separator: "\n", omittingEmptySubsequences: false)
            text += lines.count > stderrLines ? "    stderr (last \(stderrLines) lines):\n" : "    stderr:\n"
            for line in lines.suffix(stderrLines) { text += "      | \(ContractText.clip(String(line), to: 300))\n" }
        }
        return text
    }

    /// `3 passed, 1 failed, 2 skipped in 4.1 s` (`, 1 not applicable` before `in` when any).
    public static func summary(_ reports: [ScenarioReport], duration: Duration) -> String {
        let passed = reports.count { $0.status == .passed }
        let failed = reports.count { $0.status == .failed }
        let skipped = reports.count { $0.status == .skipped }
        let notApplicable = reports.count { $0.status == .notApplicable }
        let na = notApplicable == 0 ? "" : ", \(notApplicable) not applicable"
        return "\(passed) passed, \(failed) failed, \(skipped) skipped\(na) in \(seconds(duration))\n"
    }

    /// `1.2 s`.
    static func seconds(_ d: Duration) -> String {
        let tenths = (d.wholeMilliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
