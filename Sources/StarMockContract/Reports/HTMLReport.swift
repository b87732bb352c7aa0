public import StarMockCore

/// The report for people reading a CI artifact: one self-contained HTML file (inline style, no
/// script, nothing fetched) with the summary and, per scenario, a timeline of the steps and
/// their requests on the world clock, the broken rules marked on the requests that broke them,
/// the client's stderr, and the final world against the expected one.
public enum HTMLReport {
    /// The whole document.
    public static func html(_ reports: [ScenarioReport], duration: Duration) -> String {
        let counts = [ScenarioReport.Status.passed, .failed, .notApplicable, .skipped].map { status in
            (status, reports.count { $0.status == status })
        }
        let summary = counts.map { "<span class=\"\(cssClass($0.0))\">\($0.1) \(label($0.0))</span>" }.joined(separator: " · ")
        var out = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>StarMock contract report</title>
            <link rel="icon" href="data:,">
            <style>\(style)</style></head><body>
            <h1>StarMock contract report</h1>
            <p class="summary">\(summary) in \(seconds(duration)) s</p>
            <ul class="index">
            """
        for (i, report) in reports.enumerated() {
            out += "<li><a href=\"#s\(i)\" class=\"\(cssClass(report.status))\">\(label(report.status).uppercased())</a> "
                + "\(escape(report.scenario.id))</li>\n"
        }
        out += "</ul>\n"
        for (i, report) in reports.enumerated() { out += scenario(report, anchor: "s\(i)") }
        return out + "</body></html>\n"
    }

    static func scenario(_ report: ScenarioReport, anchor: String) -> String {
        var out = """
            <section id="\(anchor)" class="scenario" data-status="\(cssClass(report.status))" data-scenario="\(escape(report.scenario.id))">
            <h2><span class="badge \(cssClass(report.status))">\(label(report.status).uppercased())</span> \(escape(report.scenario.id))
            <small>\(escape(report.scenario.title))</small></h2>
            """
        if let path = report.scenario.path { out += "<p class=\"muted\">\(escape(path)) · \(seconds(report.duration)) s</p>\n" }
        if let reason = report.reason { out += "<p class=\"reason\">\(escape(reason))</p>\n" }
        guard report.status != .skipped else { return out + "</section>\n" }

        // Which journal lines broke which rules.
        var broken: [Int: [String]] = [:]
        for failure in report.failures {
            for entry in failure.entries { broken[entry.sequence, default: []].append(failure.name) }
        }
        if !report.failures.isEmpty {
            out += "<h3>What broke</h3>\n<ul class=\"failures\">\n"
            for failure in report.failures {
                let lines = failure.entries.map { "#\($0.sequence)" }.joined(separator: ", ")
                out += "<li class=\"failure\" data-rule=\"\(escape(failure.name))\"><b>\(escape(failure.name))</b> "
                    + "<span class=\"muted\">(\(failure.kind.rawValue))</span>: \(escape(failure.message))"
                    + (lines.isEmpty ? "" : " <span class=\"muted\">— requests \(lines)</span>") + "</li>\n"
            }
            out += "</ul>\n"
        }
        guard let evidence = report.evidence else { return out + "</section>\n" }

        out += "<h3>Timeline</h3>\n<table class=\"timeline\"><thead><tr><th>world time</th><th>#</th><th>request</th>"
            + "<th>status</th><th>fault</th><th>latency</th><th>broke</th></tr></thead><tbody>\n"
        let start = evidence.journal.first?.receivedAt
        for (index, step) in evidence.steps.enumerated() {
            let run = index < report.steps.count ? report.steps[index].run : nil
            let client = run.map { " · \(escape($0.statusText)) · \(seconds($0.duration)) s" } ?? ""
            out += "<tr class=\"step\"><td colspan=\"7\">\(escape(step.step.label))"
                + " <span class=\"muted\">(\(escape(step.step.dialect)))\(client)</span></td></tr>\n"
            for entry in step.entries {
                let rules = broken[entry.sequence] ?? []
                let offset = start.map { "+" + seconds(entry.receivedAt.since($0)) + " s" } ?? ""
                let status = entry.status.map(String.init) ?? "no answer"
                let latency = entry.answeredAt.milliseconds - entry.receivedAt.milliseconds
                out += "<tr class=\"entry\(rules.isEmpty ? "" : " broken")\" data-sequence=\"\(entry.sequence)\""
                    + (rules.isEmpty ? "" : " data-rules=\"\(escape(rules.joined(separator: "|")))\"") + ">"
                    + "<td>\(offset)</td><td>\(entry.sequence)</td>"
                    + "<td>\(escape(entry.method)) \(escape(redacted(entry.target, key: entry.key)))</td>"
                    + "<td class=\"s\(status.prefix(1))\">\(status)</td><td>\(escape(entry.fault ?? ""))</td>"
                    + "<td>\(latency) ms</td><td>\(escape(rules.joined(separator: ", ")))</td></tr>\n"
            }
            if let run, !run.stderrText().isEmpty {
                out += "<tr class=\"stderr\"><td colspan=\"7\"><details><summary>client stderr</summary><pre>"
                    + escape(run.stderrText()) + "</pre></details></td></tr>\n"
            }
        }
        out += "</tbody></table>\n"
        out += world(evidence, expected: report.scenario.contract?.world)
        return out + "</section>\n"
    }

    /// The final accounts and orders, each beside what the contract expected of it.
    static func world(_ evidence: RunEvidence, expected: WorldExpectation?) -> String {
        var out = "<h3>Final world</h3>\n<table class=\"world\"><thead><tr><th>account</th><th>available</th>"
            + "<th>locked</th><th>spent</th><th>expected</th></tr></thead><tbody>\n"
        for owner in evidence.accounts.keys.sorted() {
            let a = evidence.accounts[owner]!
            let e = expected?.accounts.first { $0.owner == owner }
            let wanted = e.map { e in
                [("available", e.available), ("locked", e.locked), ("spent", e.spent)]
                    .compactMap { name, value in value.map { "\(name) \($0.twoDecimals)" } }.joined(separator: ", ")
            } ?? ""
            out += "<tr><td>\(escape(owner))</td><td>\(a.available.twoDecimals)</td><td>\(a.locked.twoDecimals)</td>"
                + "<td>\(a.spent.twoDecimals)</td><td>\(escape(wanted))</td></tr>\n"
        }
        out += "</tbody></table>\n<table class=\"world\"><thead><tr><th>order</th><th>state</th><th>expected</th></tr></thead><tbody>\n"
        for order in evidence.orders {
            let e = expected?.orders.first { $0.ref == order.ref }
            let wanted = e.map { $0.states.map(\.rawValue).joined(separator: " or ") } ?? ""
            let mismatch = e.map { !$0.states.contains(order.state) } ?? false
            out += "<tr\(mismatch ? " class=\"broken\"" : "")><td>\(escape(order.ref.dialect.name)) #\(order.ref.id)</td>"
                + "<td>\(order.state.rawValue)</td><td>\(escape(wanted))</td></tr>\n"
        }
        if let count = expected?.orderCount {
            out += "<tr><td colspan=\"3\">expected \(count) order(s) in all; the world holds \(evidence.orders.count)</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    // MARK: Text

    static func label(_ status: ScenarioReport.Status) -> String {
        switch status {
        case .passed: "passed"
        case .failed: "failed"
        case .skipped: "skipped"
        case .notApplicable: "not applicable"
        }
    }

    static func cssClass(_ status: ScenarioReport.Status) -> String { status.rawValue.replacingUnderscores }

    static func seconds(_ duration: Duration) -> String { RuleCheck.format1(Double(duration.wholeMilliseconds) / 1000) }

    /// A bot token in a path is a credential too: shown as the control API shows it.
    static func redacted(_ target: String, key: String?) -> String {
        key.map { Redaction.redact($0, in: target) } ?? target
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static let style = """
        body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#1d2330}h1{font-size:18px}h2{font-size:15px;margin:0 0 4px}
        h3{font-size:12px;text-transform:uppercase;color:#5b6475;margin:12px 0 4px}section{border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;margin:12px 0}
        table{border-collapse:collapse;width:100%;margin-bottom:6px}th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
        th{color:#5b6475}tr.step td{background:#f3f5f9;font-weight:600}tr.broken td{background:#fde7e9}.muted{color:#8a93a3;font-weight:400}
        .passed{color:#1b7f3b}.failed{color:#c62828}.badge{border-radius:3px;padding:0 6px;color:#fff}
        .badge.passed{background:#1b7f3b;color:#fff}.badge.failed{background:#c62828;color:#fff}
        .badge.not-applicable,.badge.skipped{background:#8a93a3;color:#fff}
        .s2{color:#1b7f3b}.s4{color:#b25e00}.s5,.sn{color:#c62828}pre{white-space:pre-wrap;background:#f7f8fa;padding:6px}
        li.failure{margin:2px 0}.summary{font-size:14px}
        """
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
