/// A problem in a scenario file, at the line and column of the node that caused it.
///
/// `description` is exactly `file:line:col: message`, the shape compilers use, so editors and
/// CI annotations jump to the spot.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named (`scenarios/sh4de/charging-error.yaml`, or `scenario` for a
    /// body posted to the control API).
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1, counted in Unicode scalars (as libYAML counts).
    public var column: Int
    /// What is wrong, and when possible what would be right.
    public var message: String
    /// The file's other mistakes, after this one in the order of the file (a compiler's list).
    public var others: [ScenarioError] = []
    /// Sections not checked because a mistake above hides what they depend on (`faults` name
    /// keys of `world`, …).
    public var skipped: [String] = []

    /// An error at a position.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: message`, one line per mistake in the order of the file, then what
    /// could not be checked.
    public var description: String {
        var lines = ([self] + others).map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
        if !skipped.isEmpty {
            let what = skipped.count == 1 ? "1 more section was" : "\(skipped.count) more sections were"
            lines.append(
                "\(file): \(what) not checked, as they depend on what is wrong above: \(skipped.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// The mistakes in the order of the file: the first, with the others behind it.
    public static func collected(_ errors: [ScenarioError], skipped: [String] = []) -> ScenarioError? {
        let sorted = errors.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        guard var first = sorted.first else { return nil }
        first.others = Array(sorted.dropFirst())
        first.skipped = skipped
        return first
    }

    /// `line:col: message`, for places that name the file themselves.
    public var positionedMessage: String { "\(line):\(column): \(message)" }
}
