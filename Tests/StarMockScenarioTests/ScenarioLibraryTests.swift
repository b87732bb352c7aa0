import Foundation
import StarMockDialects
import Testing

@testable import StarMockScenario

/// The scenario library under `scenarios/<dialect>/` stays valid. Folders of dialects this
/// build does not know (yet) are skipped; they are checked once the dialect is merged.
@Suite("Scenario library")
struct ScenarioLibraryTests {
    /// The repository's `scenarios/` folder, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scenarios")

    /// The dialect folders under `scenarios/`.
    static func folders() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// `(dialect, file name)` for every scenario of a dialect this build knows.
    static func files() -> [String] {
        folders().filter { DialectSet.all[$0] != nil }.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test("every library scenario of a known dialect reads, says what it reproduces, and serves its folder's dialect", arguments: files())
    func scenario(file: String) throws {
        let path = Self.root.appendingPathComponent(file).path
        let scenario: Scenario
        do {
            scenario = try Scenario.load(path: path)
        } catch {
            Issue.record("\(error)")
            return
        }
        let folder = String(file.prefix { $0 != "/" })
        #expect(scenario.dialects.contains(folder))
        #expect(scenario.description.count >= 20, "\(file) needs a description saying what it reproduces")
    }

    @Test("the library has scenarios for every known dialect it has a folder for")
    func library() {
        let folders = Self.folders()
        #expect(folders.contains("sh4de"))
        for folder in folders where DialectSet.all[folder] != nil {
            #expect(Self.files().contains { $0.hasPrefix(folder + "/") }, "scenarios/\(folder) is empty")
        }
    }

    @Test("every sh4de error code of the documented table has a library scenario that scripts or provokes it")
    func sh4deErrorCases() throws {
        let texts = try Self.files().filter { $0.hasPrefix("sh4de/") }.map {
            try String(contentsOf: Self.root.appendingPathComponent($0), encoding: .utf8)
        }
        for code in [
            "MISSING_API_KEY", "INVALID_API_KEY", "KEY_DISABLED", "INSUFFICIENT_BALANCE", "INVALID_MONTHS", "USER_NOT_FOUND",
            "ORDER_NOT_FOUND", "FORBIDDEN", "RATE_LIMIT_EXCEEDED", "CHARGING_ERROR", "SERVICE_UNAVAILABLE",
        ] {
            #expect(texts.contains { $0.contains(code) }, "no sh4de scenario mentions \(code)")
        }
    }
}
