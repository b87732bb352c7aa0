import Yams

/// A mapping's entries in document order, with their key nodes for positions.
package struct Fields {
    /// One `key: value`.
    package struct Entry {
        package let name: String
        package let key: Node
        package let value: Node
    }

    /// The mapping node.
    package let node: Node
    /// Its entries, in order.
    package let entries: [Entry]
    /// What the mapping is, for messages.
    package let context: String
    package let reader: NodeReader

    /// The value of `name`, if present.
    package subscript(name: String) -> Node? { entries.first { $0.name == name }?.value }

    /// The key node of `name`, if present.
    package func keyNode(_ name: String) -> Node? { entries.first { $0.name == name }?.key }

    /// The value of `name`, or an error at the mapping saying it is missing.
    package func required(_ name: String) throws(ScenarioError) -> Node {
        guard let value = self[name] else { throw reader.error(node, "missing required key \"\(name)\" in \(context)") }
        return value
    }

    /// Whether `name` is present.
    package func has(_ name: String) -> Bool { self[name] != nil }
}
