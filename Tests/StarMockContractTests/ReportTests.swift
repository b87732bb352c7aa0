import Foundation
import StarMockContract
import StarMockDialects
import StarMockCore
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Reports: terminal, JUnit XML, JSON", .timeLimit(.minutes(1)))
struct ReportTests {
    /// A failed, a passed and a skipped scenario, with text that needs escaping.
    static func reports() -> [ScenarioReport] {
        let nasty = "<&> \"quoted\" 'single' \u{1B}[31mred\u{1B}[0m \u{0}\u{7} ✓ done\n]]> end"
        func scenario(_ id: String, group: String, contract: Bool = true) -> ContractScenario {
            ContractScenario(
                id: id, title: id, path: "scenarios/\(id).yaml", group: group, dialects: ["sh4de"], setup: WorldSetup(),
                contract: contract ? Contract(steps: []) : nil)
        }
        let step = ContractStep(number: 1, action: "buy-stars", dialect: "sh4de", key: "k")
        let run = ClientRun(
            exitCode: 3, signal: nil, timedOut: false, stdout: Array("{\"outcome\": \"<x>\"}".utf8), stdoutTruncated: false,
            stderrTail: Array(nasty.utf8), stderrBytes: nasty.utf8.count, duration: .milliseconds(120), spawnError: nil)
        let failure = ContractFailure(
            kind: .rule, name: "no-duplicate-order", message: "step 1 (buy-stars) created 2 orders (47, 48) & <more>",
            step: 1,
            entries: [
                Fixtures.entry(1, "POST", "/api/v1/order/stars?a=1&b=<2>", status: nil, at: 0, fault: "close after commit"),
                Fixtures.entry(2, "POST", "/api/v1/order/stars", at: 10),
            ], detail: nasty)
        return [
            ScenarioReport(
                scenario: scenario("sh4de/response-lost", group: "sh4de"), status: .failed, duration: .milliseconds(1300),
                clientTime: .milliseconds(1200), steps: [StepReport(step: step, run: run, result: nil)], failures: [failure]),
            ScenarioReport(scenario: scenario("tgmarket/ok", group: "tgmarket"), status: .passed, duration: .milliseconds(250)),
            ScenarioReport(scenario: scenario("sh4de/plain", group: "sh4de", contract: false), status: .skipped),
        ]
    }

    @Test("Terminal: PASS/FAIL/SKIP lines, indented reasons and journal lines, a summary")
    func terminal() {
        let reports = Self.reports()
        let fail = TerminalReport.block(reports[0])
        #expect(
            fail.hasPrefix(
                """
                FAIL sh4de/response-lost (1.3 s)
                  rule no-duplicate-order: step 1 (buy-stars) created 2 orders (47, 48) & <more>
                    #1 POST /api/v1/order/stars?a=1&b=<2> → no answer (close after commit)
                    #2 POST /api/v1/order/stars → 200
                    stderr:
                      | <&>
                """))
        #expect(TerminalReport.block(reports[1]) == "PASS tgmarket/ok (0.3 s)\n")
        #expect(TerminalReport.block(reports[2]) == "SKIP sh4de/plain (no contract section)\n")
        #expect(TerminalReport.summary(reports, duration: .milliseconds(4140)) == "1 passed, 1 failed, 1 skipped in 4.1 s\n")
    }

    @Test("JUnit XML is well-formed, escaped, grouped by dialect folder")
    func junit() throws {
        let xml = JUnitReport.xml(Self.reports(), duration: .milliseconds(1600))
        try StrictXML.check(xml)
        #expect(xml.contains(#"<testcase classname="sh4de" name="response-lost" time="1.300" file="scenarios/sh4de/response-lost.yaml">"#))
        #expect(xml.contains(#"<testsuites name="starmock contract" tests="3" failures="1" errors="0" skipped="1" time="1.600">"#))
        #expect(xml.contains(#"<skipped message="no contract section"/>"#))
        #expect(!xml.contains("\u{1B}"))
        #if canImport(FoundationXML)
            let document = try XMLDocument(xmlString: xml, options: [])
            let root = try #require(document.rootElement())
            #expect(root.name == "testsuites")
            let suites = root.elements(forName: "testsuite")
            #expect(suites.map { $0.attribute(forName: "name")?.stringValue } == ["sh4de", "tgmarket"])
            let failure = try #require(suites[0].elements(forName: "testcase").first?.elements(forName: "failure").first)
            #expect(
                failure.attribute(forName: "message")?.stringValue
                    == "rule no-duplicate-order: step 1 (buy-stars) created 2 orders (47, 48) & <more>")
            #expect(failure.stringValue?.contains("#1 POST /api/v1/order/stars?a=1&b=<2> → no answer") == true)
            #expect(failure.stringValue?.contains("\"quoted\" 'single'") == true)
        #endif
    }

    @Test("JSON: status, timings, overhead, steps with exit code and stderr tail, failures with journal lines")
    func json() throws {
        let json = JSONReport.json(Self.reports(), duration: .milliseconds(1600))
        let parsed = try JSON.parse(json.text(.pretty))
        #expect(parsed["failed"] == .int(1))
        let first = try #require(parsed["scenarios"]?.arrayValue?.first)
        #expect(first["status"] == .string("failed"))
        #expect(first["duration_ms"] == .int(1300))
        #expect(first["overhead_ms"] == .int(100))
        let step = try #require(first["steps"]?.arrayValue?.first)
        #expect(step["exit_code"] == .int(3))
        #expect(step["status"] == .string("exit 3"))
        #expect(step["stderr_tail"]?.stringValue?.contains("✓ done") == true)
        let failure = try #require(first["failures"]?.arrayValue?.first)
        #expect(failure["name"] == .string("no-duplicate-order"))
        #expect(failure["journal"]?.arrayValue?.map { $0["sequence"] } == [.int(1), .int(2)])
        #expect(parsed["scenarios"]?.arrayValue?[2]["status"] == .string("skipped"))
    }
}

/// A strict little XML well-formedness check (elements nest and close, attributes quoted,
/// entities known, no characters XML 1.0 forbids), for platforms without FoundationXML.
enum StrictXML {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ xml: String) throws {
        for scalar in xml.unicodeScalars {
            let v = scalar.value
            let allowed = v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
                || (0x10000...0x10FFFF).contains(v)
            guard allowed else { throw Problem(description: "character U+\(String(v, radix: 16)) is not allowed in XML") }
        }
        var s = Substring(xml)
        if s.hasPrefix("<?xml") {
            guard let end = s.range(of: "?>") else { throw Problem(description: "unterminated declaration") }
            s = s[end.upperBound...]
        }
        var stack: [String] = []
        var sawRoot = false
        while let lt = s.firstIndex(of: "<") {
            try text(s[..<lt], outside: stack.isEmpty)
            s = s[lt...]
            guard let gt = s.firstIndex(of: ">") else { throw Problem(description: "unterminated tag") }
            let tag = s[s.index(after: s.startIndex)..<gt]
            s = s[s.index(after: gt)...]
            if tag.hasPrefix("/") {
                guard stack.popLast() == String(tag.dropFirst()) else { throw Problem(description: "mismatched </\(tag.dropFirst())>") }
                continue
            }
            let selfClosing = tag.hasSuffix("/")
            let body = selfClosing ? tag.dropLast() : tag
            let name = String(body.prefix { !$0.isWhitespace })
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "-" || $0 == "_" }) else {
                throw Problem(description: "bad element name \"\(name)\"")
            }
            if stack.isEmpty {
                guard !sawRoot else { throw Problem(description: "a second root element") }
                sawRoot = true
            }
            try attributes(body.dropFirst(name.count))
            if !selfClosing { stack.append(name) }
        }
        try text(s, outside: true)
        guard stack.isEmpty, sawRoot else { throw Problem(description: "unclosed elements: \(stack)") }
    }

    static func attributes(_ text: Substring) throws {
        var rest = text.drop { $0.isWhitespace }
        while !rest.isEmpty {
            guard let eq = rest.firstIndex(of: "=") else { throw Problem(description: "attribute without value") }
            rest = rest[rest.index(after: eq)...]
            guard rest.first == "\"" else { throw Problem(description: "unquoted attribute") }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: "\"") else { throw Problem(description: "unterminated attribute") }
            let value = rest[..<close]
            guard !value.contains("<") else { throw Problem(description: "< in an attribute") }
            try entities(value)
            rest = rest[rest.index(after: close)...].drop { $0.isWhitespace }
        }
    }

    static func text(_ text: Substring, outside: Bool) throws {
        if outside, !text.allSatisfy(\.isWhitespace) { throw Problem(description: "text outside the root") }
        guard !text.contains(">") || true else { return }
        try entities(text)
    }

    static func entities(_ text: Substring) throws {
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            rest = rest[rest.index(after: amp)...]
            guard let semi = rest.firstIndex(of: ";") else { throw Problem(description: "bare &") }
            let name = rest[..<semi]
            guard ["amp", "lt", "gt", "quot", "apos"].contains(name) || name.hasPrefix("#") else {
                throw Problem(description: "unknown entity &\(name);")
            }
            rest = rest[rest.index(after: semi)...]
        }
    }
}

@Suite("The HTML report")
struct HTMLReportTests {
    @Test("marks the requests that broke a rule, escapes what clients sent, redacts bot tokens, fetches nothing")
    func html() {
        let scenario = ContractScenario(
            id: "sh4de/x", title: "a <scenario>", path: "x.yaml", group: "sh4de", dialects: ["sh4de"], setup: WorldSetup(),
            contract: Contract(steps: []))
        let token = "123456:AAsecret_token_value"
        let entries = [
            Fixtures.entry(1, "POST", "/api/v1/order/stars", status: 502, at: 0, fault: "CHARGING_ERROR"),
            Fixtures.entry(2, "GET", "/bot\(token)/getMe", at: 1000, key: token),
        ]
        let step = ContractStep(number: 1, action: "buy-stars", dialect: "sh4de", key: "k")
        var report = ScenarioReport(
            scenario: scenario, status: .failed,
            failures: [ContractFailure(kind: .rule, name: "no-duplicate-order", message: "two <orders>", step: 1, entries: [entries[0]])])
        report.evidence = RunEvidence(
            steps: [StepEvidence(step: step, result: nil, entries: entries, createdOrders: [])], journal: entries)
        let html = HTMLReport.html([report], duration: .seconds(1))
        #expect(html.contains(#"<tr class="entry broken" data-sequence="1" data-rules="no-duplicate-order">"#))
        #expect(html.contains(#"<tr class="entry" data-sequence="2">"#))
        #expect(html.contains("two &lt;orders&gt;") && html.contains("a &lt;scenario&gt;"))
        #expect(!html.contains(token) && html.contains("[REDACTED]"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=\"http"))
    }
}
