import StarMockCore

/// The report for CI: JUnit XML, one `testsuite` per dialect folder, one `testcase` per
/// scenario (`classname` = the folder), a `failure` element per broken rule or expectation.
public enum JUnitReport {
    /// The XML document.
    public static func xml(_ reports: [ScenarioReport], duration: Duration) -> String {
        var groups: [String] = []
        var byGroup: [String: [ScenarioReport]] = [:]
        for report in reports {
            if byGroup[report.scenario.group] == nil { groups.append(report.scenario.group) }
            byGroup[report.scenario.group, default: []].append(report)
        }
        func counts(_ list: [ScenarioReport]) -> String {
            let failed = list.count { $0.status == .failed }
            let skipped = list.count { $0.status == .skipped || $0.status == .notApplicable }
            return "tests=\"\(list.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"\(skipped)\""
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"starmock contract\" \(counts(reports)) time=\"\(seconds(duration))\">\n"
        for group in groups {
            let list = byGroup[group]!
            let time = list.reduce(Duration.zero) { $0 + $1.duration }
            xml += "  <testsuite name=\"\(escape(group))\" \(counts(list)) time=\"\(seconds(time))\">\n"
            for report in list {
                let name = report.scenario.id.hasPrefix(group + "/") ? String(report.scenario.id.dropFirst(group.count + 1)) : report.scenario.id
                xml += "    <testcase classname=\"\(escape(group))\" name=\"\(escape(name))\" time=\"\(seconds(report.duration))\""
                if let path = report.scenario.path { xml += " file=\"\(escape(path))\"" }
                switch report.status {
                case .passed:
                    xml += "/>\n"
                case .skipped:
                    xml += ">\n      <skipped message=\"\(escape(report.reason ?? "no contract section"))\"/>\n    </testcase>\n"
                case .notApplicable:
                    xml += ">\n      <skipped message=\"\(escape("not applicable: " + (report.reason ?? "")))\"/>\n    </testcase>\n"
                case .failed:
                    xml += ">\n"
                    for failure in report.failures {
                        var body = failure.headline
                        for entry in failure.entries { body += "\n  \(entry.line)" }
                        if let detail = failure.detail, !detail.isEmpty { body += "\nstderr:\n\(detail)" }
                        xml += "      <failure message=\"\(escape(failure.headline))\" type=\"\(failure.kind.rawValue)\">"
                        xml += escape(body, attribute: false) + "</failure>\n"
                    }
                    let stderr = report.steps.map { step -> String in
                        let tail = step.run.stderrText()
                        return tail.isEmpty ? "" : "\(step.step.label):\n\(tail)\n"
                    }.joined()
                    if !stderr.isEmpty { xml += "      <system-err>\(escape(stderr, attribute: false))</system-err>\n" }
                    xml += "    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// Text made safe for XML 1.0: markup characters escaped, characters XML cannot hold at
    /// all (most control characters, unpaired surrogates' replacement) replaced by U+FFFD.
    public static func escape(_ text: String, attribute: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += attribute ? "&quot;" : "\""
            case "'": out += attribute ? "&apos;" : "'"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            case "\t": out += attribute ? "&#9;" : "\t"
            default:
                let v = scalar.value
                let allowed = (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    /// `1.234`.
    static func seconds(_ d: Duration) -> String {
        let ms = d.wholeMilliseconds
        let frac = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}
