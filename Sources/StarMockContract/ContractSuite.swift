import Foundation
public import StarMockCore
import StarMockDialects
public import StarMockScenario

/// One scenario file, ready to run: its world and its contract (nil: skipped).
public struct ContractScenario: Sendable {
    /// `sh4de/response-lost-after-commit`: the dialect folder and the file's name.
    public var id: String
    /// The scenario's `name`.
    public var title: String
    /// The file, when read from one.
    public var path: String?
    /// The dialect folder (JUnit classname): the file's directory name.
    public var group: String
    /// The dialects served.
    public var dialects: [String]
    /// The world.
    public var setup: WorldSetup
    /// What to run; nil when the file has no `contract:` section.
    public var contract: Contract?

    /// A scenario to run.
    public init(
        id: String, title: String, path: String? = nil, group: String, dialects: [String], setup: WorldSetup,
        contract: Contract?
    ) {
        self.id = id
        self.title = title
        self.path = path
        self.group = group
        self.dialects = dialects
        self.setup = setup
        self.contract = contract
    }

    /// Reads a scenario and its contract.
    public init(_ scenario: Scenario, file: String? = nil) throws(ScenarioError) {
        let path = file ?? scenario.path
        // As written: `x.yaml` has no folder (its group is its dialect), `scenarios/sh4de/x.yaml` has `sh4de`.
        let parts = path?.split(separator: "/").map(String.init) ?? []
        let folder = parts.count >= 2 ? parts[parts.count - 2] : ""
        let group = folder.isEmpty || folder == "." || folder == ".." ? scenario.dialects[0] : folder
        let file = parts.last ?? scenario.name
        let base = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file.hasSuffix(".yml") ? String(file.dropLast(4)) : file
        self.init(
            id: "\(group)/\(base)", title: scenario.name, path: path, group: group, dialects: scenario.dialects,
            setup: scenario.setup, contract: try Contract.parse(scenario, file: path))
    }

    /// Reads the scenario file at `path`.
    public static func load(path: String) throws(ScenarioError) -> ContractScenario {
        try ContractScenario(Scenario.load(path: path), file: path)
    }

    /// Reads a scenario given as YAML text; diagnostics name it `file`.
    public static func parse(yaml: String, file: String = "scenario") throws(ScenarioError) -> ContractScenario {
        var scenario = try Scenario.parse(yaml: yaml, file: file)
        scenario.path = nil
        return try ContractScenario(scenario, file: file)
    }
}

/// Finding scenario files and selecting them.
public enum ContractSuite {
    /// Why the paths cannot be used.
    public struct PathError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// The scenario files named by `paths`: files as given, directories searched recursively
    /// for `*.yaml` and `*.yml` (sorted).
    public static func files(in paths: [String]) throws(PathError) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PathError(description: "\(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            if let walker = fm.enumerator(atPath: path) {
                for case let relative as String in walker where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                    found.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
                }
            }
            files += found.sorted()
        }
        var seen: Set<String> = []
        return files.filter { seen.insert($0).inserted }
    }

    /// Whether `text` contains `pattern`, where `*` in the pattern matches any run of characters.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: true).map(String.init)
        var rest = Substring(text)
        for part in parts {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
