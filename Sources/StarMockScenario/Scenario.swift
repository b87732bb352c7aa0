import Foundation
public import StarMockCore
public import StarMockDialects
public import Yams

/// A scenario file, read: the world it sets up and the dialects it is served with.
///
/// The format is documented key by key in `docs/scenarios.md`. Every mistake in a file is a
/// `ScenarioError` at the line and column of the node that caused it.
///
/// Not `Sendable`: `contractNode` is a Yams node, which holds reference types. Pass `setup`
/// (which is) across tasks, or load the scenario where it is used.
public struct Scenario {
    /// A short name, shown by `starmock check` and the control API.
    public var name: String
    /// What the scenario reproduces.
    public var description: String
    /// The dialects it is served with, in the order the file lists them.
    public var dialects: [String]
    /// The world it starts from.
    public var setup: WorldSetup
    /// The file it was read from; nil for text given directly (the control API).
    public var path: String?
    /// The `contract:` mapping as written, for the contract suite; nil when absent. Not
    /// interpreted here.
    public var contractNode: Node?

    /// A scenario.
    public init(
        name: String, description: String = "", dialects: [String], setup: WorldSetup, path: String? = nil,
        contractNode: Node? = nil
    ) {
        self.name = name
        self.description = description
        self.dialects = dialects
        self.setup = setup
        self.path = path
        self.contractNode = contractNode
    }

    /// Reads the scenario at `path`; diagnostics name the file as `path` was written.
    /// - Parameter serving: the dialects the scenario may name; nil: every dialect StarMock knows.
    public static func load(path: String, serving: [String]? = nil) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw ScenarioError(file: path, line: 1, column: 1, message: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")
        }
        var scenario = try parse(yaml: text, file: path, serving: serving)
        scenario.path = path
        return scenario
    }

    /// Reads a scenario from YAML text; diagnostics name it `file`.
    /// - Parameter serving: the dialects the scenario may name; nil: every dialect StarMock knows.
    public static func parse(yaml: String, file: String = "scenario", serving: [String]? = nil) throws(ScenarioError)
        -> Scenario
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ScenarioError(yaml: error, file: file, text: yaml)
        } catch {
            throw ScenarioError(file: file, line: 1, column: 1, message: "cannot read the YAML: \(error)")
        }
        guard let root else {
            throw ScenarioError(
                file: file, line: 1, column: 1,
                message: "the scenario is empty; it needs at least \"name\" and \"dialects\"")
        }
        var parser = ScenarioParser(
            reader: NodeReader(file: file), known: Dictionary(uniqueKeysWithValues: Dialects.all.map { ($0.id.name, $0) }), serving: serving ?? DialectSet.allNames)
        return try parser.scenario(root)
    }
}

extension ScenarioError {
    /// A Yams syntax error, at its mark.
    init(yaml error: YamlError, file: String, text: String) {
        func context(_ context: YamlError.Context?) -> String {
            guard let context else { return "" }
            return " (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch error {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _):
            let message =
                Self.character(atLine: mark.line, column: mark.column, in: text) == "\t"
                ? "invalid YAML: a tab; YAML indents with spaces only"
                : "invalid YAML: \(problem)\(context(ctx))"
            self.init(file: file, line: mark.line, column: mark.column, message: message)
        case .composer(let ctx, let problem, let mark, _):
            let message =
                ctx?.text == "expected a single document in the stream"
                ? "a scenario file holds one YAML document; this starts a second"
                : "invalid YAML: \(problem)\(context(ctx))"
            self.init(file: file, line: mark.line, column: mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            let (line, column) = Self.position(ofCharacter: offset ?? 0, in: text)
            self.init(file: file, line: line, column: column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            // Yams marks the first occurrence; point at the repeat when it can be found.
            let name = duplicates.first ?? ""
            let first = (ctx.mark.line, ctx.mark.column)
            let (line, column) = Self.repeatedKey(name, after: first, in: text) ?? first
            let message =
                (line, column) == first
                ? "duplicate key \"\(name)\": a key may appear once in a mapping"
                : "duplicate key \"\(name)\" (first at \(first.0):\(first.1)): a key may appear once in a mapping"
            self.init(file: file, line: line, column: column, message: message)
        default:
            self.init(file: file, line: 1, column: 1, message: "cannot read the YAML: \(error)")
        }
    }

    /// The character at a line and column (from 1, in Unicode scalars).
    static func character(atLine line: Int, column: Int, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let scalars = Array(lines[line - 1].unicodeScalars)
        return column >= 1 && column <= scalars.count ? scalars[column - 1] : nil
    }

    /// Where `key` appears again in the mapping whose first occurrence is at `first`: the
    /// same column on a later line of a block mapping (before the mapping ends), or later on
    /// the same line of a flow mapping. Plain and quoted keys; nil when not found.
    static func repeatedKey(_ key: String, after first: (Int, Int), in text: String) -> (Int, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let (line, column) = first
        guard line >= 1, line <= lines.count else { return nil }
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        func keyStarts(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
            spellings.contains { spelling in
                guard index + spelling.count <= scalars.count, Array(scalars[index..<index + spelling.count]) == spelling
                else { return false }
                let rest = scalars[(index + spelling.count)...].drop { $0 == " " }
                return rest.first == ":"
            }
        }
        // Flow mapping: `{a: 1, a: 2}` on one line.
        let own = lines[line - 1]
        var i = column
        while i < own.count {
            if (own[i - 1] == "," || own[i - 1] == " " || own[i - 1] == "{"), keyStarts(own, at: i) { return (line, i + 1) }
            i += 1
        }
        // Block mapping: the same indentation on later lines.
        for next in line..<lines.count {
            let scalars = lines[next]
            guard let firstText = scalars.firstIndex(where: { $0 != " " }), scalars[firstText] != "#" else { continue }
            if firstText < column - 1 {
                // A sequence item's dash at a smaller indent ends this mapping too.
                return nil
            }
            if firstText == column - 1, keyStarts(scalars, at: firstText) { return (next + 1, column) }
        }
        return nil
    }

    /// Line and column (from 1, in Unicode scalars) of the character at `offset`.
    static func position(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }
}
