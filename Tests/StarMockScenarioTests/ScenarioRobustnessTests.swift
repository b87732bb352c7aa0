import Foundation
import StarMockCore
import StarMockDialects
import Testing

@testable import StarMockScenario

/// The reader never crashes and never loses a position: mutated library files either read or
/// fail with a diagnostic that points inside the text.
@Suite("Scenario files: robustness")
struct ScenarioRobustnessTests {
    static let alphabet: [Character] = Array(":-{}[]\"' \t#&*!|>,?%@`0123456789.+sm\n")

    @Test("1,000 seeded mutations of a library file read or fail with a position")
    func mutations() throws {
        let url = ScenarioLibraryTests.root.appendingPathComponent("sh4de/charging-error-then-refund.yaml")
        let original = Array(try String(contentsOf: url, encoding: .utf8))
        var random = SeededRandom(seed: 2026)
        var failures = 0
        for _ in 0..<1000 {
            var text = original
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let i = Int(random.next() % UInt64(text.count))
                switch random.next() % 3 {
                case 0: text.remove(at: i)
                case 1: text.insert(Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))], at: i)
                default: text[i] = Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))]
                }
            }
            let yaml = String(text)
            do {
                _ = try Scenario.parse(yaml: yaml, file: "m.yaml")
            } catch {
                failures += 1
                let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect(error.line >= 1 && error.line <= lines + 1, "\(error)")
                #expect(error.column >= 1, "\(error)")
                #expect(!error.message.isEmpty)
            }
        }
        // Most mutations break something; the loop must have exercised the error paths.
        #expect(failures > 250)
    }
}
