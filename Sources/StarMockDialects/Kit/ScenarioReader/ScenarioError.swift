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

    /// An error at a position.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: message`.
    public var description: String { "\(file):\(line):\(column): \(message)" }

    /// `line:col: message`, for places that name the file themselves.
    public var positionedMessage: String { "\(line):\(column): \(message)" }
}
