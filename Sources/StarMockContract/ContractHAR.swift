import Foundation
public import StarMockCore
import StarMockHAR
import Synchronization

/// `starmock contract --har FILE`: each scenario run's journal as a HAR 1.2 archive. The
/// runner calls ``finished(_:baseURL:journal:)`` at one point, once a scenario's server has
/// stopped; nothing is written unless a destination was set.
public enum ContractHAR {
    private static let destination = Mutex<(path: String, scenarios: Int)?>(nil)
    private static let failures = Mutex<[String]>([])

    /// Writes one archive per scenario run from now on: to `path` itself when `scenarios` is 1,
    /// else to `path` with `-<scenario id>` before its extension (`/` in the id becomes `-`).
    public static func write(to path: String?, scenarios: Int) {
        destination.withLock { $0 = path.map { ($0, scenarios) } }
    }

    /// The file a scenario's archive goes to.
    public static func file(for scenarioID: String, path: String, scenarios: Int) -> String {
        guard scenarios > 1 else { return path }
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "har" : url.pathExtension
        let stem = url.deletingPathExtension().path
        let id = scenarioID.replacingOccurrences(of: "/", with: "-")
        return "\(stem)-\(id).\(ext)"
    }

    /// Archives that could not be written (`FILE: reason`).
    public static var writeFailures: [String] { failures.withLock { $0 } }

    /// Called by the runner when a scenario's server has stopped.
    static func finished(_ scenario: ContractScenario, baseURL: String, journal: [JournalEntry]) {
        guard let (path, count) = destination.withLock({ $0 }) else { return }
        let file = file(for: scenario.id, path: path, scenarios: count)
        let har = HAR(journal: journal, baseURL: baseURL, comment: "starmock contract: \(scenario.title)")
        do {
            try Data(har.text.utf8).write(to: URL(fileURLWithPath: file))
        } catch {
            failures.withLock { $0.append("\(file): \(error.localizedDescription)") }
        }
    }
}
