import Foundation
import Testing

@testable import StarMockScenario
import StarMockDialects

/// The examples in docs/scenarios.md are real: every ```yaml block reads without error.
@Suite("Scenario docs")
struct ScenarioDocsTests {
    static let docs = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/scenarios.md")

    /// The ```yaml blocks, with the line each starts on.
    static func examples() -> [Example] {
        guard let text = try? String(contentsOf: docs, encoding: .utf8) else { return [] }
        var examples: [Example] = []
        var current: [String]?
        var startLine = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if current == nil, line == "```yaml" {
                current = []
                startLine = index + 2
            } else if let block = current, line == "```" {
                examples.append(Example(line: startLine, text: block.joined(separator: "\n") + "\n"))
                current = nil
            } else if current != nil {
                current!.append(String(line))
            }
        }
        return examples
    }

    struct Example: CustomTestStringConvertible, Sendable {
        var line: Int
        var text: String
        var testDescription: String { "docs/scenarios.md:\(line)" }
    }

    @Test("the docs have examples")
    func present() {
        #expect(Self.examples().count >= 8)
    }

    @Test("every yaml example in the docs reads", arguments: examples())
    func example(_ example: Example) {
        // Partial examples are read after the two required keys.
        let complete = example.text.hasPrefix("name:")
        let text = complete ? example.text : "name: docs example\ndialects: [sh4de]\n" + example.text
        do {
            _ = try Scenario.parse(yaml: text, file: "docs/scenarios.md:\(example.line)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
