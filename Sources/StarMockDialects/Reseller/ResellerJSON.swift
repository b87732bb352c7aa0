public import StarMockCore

extension JSON {
    /// The layout of the seed's bodies, `{ "valid": true, "username": "@username" }`: one line,
    /// a space inside braces and brackets and after every `:` and `,`; empty ones stay `{}`, `[]`.
    public var spacedText: String {
        switch self {
        case .array(let items):
            items.isEmpty ? "[]" : "[ " + items.map(\.spacedText).joined(separator: ", ") + " ]"
        case .object(let pairs):
            pairs.isEmpty
                ? "{}" : "{ " + pairs.map { JSON.string($0.0).text() + ": " + $0.1.spacedText }.joined(separator: ", ") + " }"
        default: text()
        }
    }
}
