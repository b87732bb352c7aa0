import Yams

/// A mapping's entries in document order, with their key nodes for positions.
struct Fields {
    /// One `key: value`.
    struct Entry {
        let name: String
        let key: Node
        let value: Node
    }

    /// The mapping node.
    let node: Node
    /// Its entries, in order.
    let entries: [Entry]
    /// What the mapping is, for messages.
    let context: String
    let reader: NodeReader

    /// The value of `name`, if present.
    subscript(name: String) -> Node? { entries.first { $0.name == name }?.value }

    /// The key node of `name`, if present.
    func keyNode(_ name: String) -> Node? { entries.first { $0.name == name }?.key }

    /// The value of `name`, or an error at the mapping saying it is missing.
    func required(_ name: String) throws(ScenarioError) -> Node {
        guard let value = self[name] else { throw reader.error(node, "missing required key \"\(name)\" in \(context)") }
        return value
    }

    /// Whether `name` is present.
    func has(_ name: String) -> Bool { self[name] != nil }
}
