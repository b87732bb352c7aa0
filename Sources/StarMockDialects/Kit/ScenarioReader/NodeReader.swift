import Yams

/// Reads typed values out of a composed YAML node tree, turning every mistake into a
/// `ScenarioError` at the offending node. Hand-written rather than `Codable`: a decoding
/// error from Yams carries no position, and a scenario's author needs one for every message.
package struct NodeReader {
    /// The file name put in front of every diagnostic.
    package let file: String

    /// A reader whose diagnostics name `file`.
    package init(file: String) { self.file = file }

    // MARK: Errors

    /// An error at `node`.
    package func error(_ node: Node, _ message: String) -> ScenarioError {
        let (line, column) = node.position
        return ScenarioError(file: file, line: line, column: column, message: message)
    }

    // MARK: Containers

    /// The node as a mapping with string keys, refusing keys outside `allowed`.
    /// - Parameters:
    ///   - name: what the mapping is, for messages (`"the scenario"`, `"a fault"`).
    ///   - allowed: the keys it may hold, in the order the docs list them.
    package func fields(_ node: Node, _ name: String, allowed: [String]) throws(ScenarioError) -> Fields {
        let fields = try anyFields(node, name)
        for entry in fields.entries where !allowed.contains(entry.name) {
            throw error(entry.key, unknownKeyMessage(entry.name, in: name, allowed: allowed))
        }
        return fields
    }

    /// The node as a mapping whose keys are names chosen by the author (owners, dialects, …).
    package func anyFields(_ node: Node, _ name: String) throws(ScenarioError) -> Fields {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(name) must be a mapping (key: value lines or {key: value}), not \(describe(node))")
        }
        var entries: [Fields.Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw error(key, "keys in \(name) must be plain names, not \(describe(key))")
            }
            if scalar.resolvedTagName == .merge {
                throw error(key, "YAML merge keys (<<) are not supported in scenarios; write the keys out")
            }
            entries.append(Fields.Entry(name: scalar.string, key: key, value: value))
        }
        return Fields(node: node, entries: entries, context: name, reader: self)
    }

    /// The node as a list.
    package func list(_ node: Node, _ name: String) throws(ScenarioError) -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw error(node, "\"\(name)\" must be a list (- item lines or [a, b]), not \(describe(node))")
        }
        return Array(sequence)
    }

    package func unknownKeyMessage(_ key: String, in context: String, allowed: [String]) -> String {
        Suggestion.message("unknown key \"\(key)\" in \(context)", word: key, candidates: allowed, label: "Allowed")
    }

    // MARK: Scalars

    /// A string; other scalars (numbers, booleans, null) are refused with a hint to quote them.
    package func string(_ node: Node, _ name: String) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .str else {
            throw error(node, "\"\(name)\" must be a string, not \(describe(node))\(quoteHint(node))")
        }
        return scalar.string
    }

    /// A string that is not empty.
    package func nonEmptyString(_ node: Node, _ name: String) throws(ScenarioError) -> String {
        let text = try string(node, name)
        guard !text.isEmpty else { throw error(node, "\"\(name)\" must not be empty") }
        return text
    }

    /// A whole number in `range`.
    package func int(_ node: Node, _ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(ScenarioError) -> Int {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .int else {
            throw error(node, "\"\(name)\" must be a whole number, not \(describe(node))")
        }
        guard let value = Int(scalar.string) else {
            throw error(node, "\"\(name)\" must be a whole number written in decimal, not \(scalar.string)")
        }
        guard range.contains(value) else { throw error(node, "\"\(name)\" must be \(describe(range)), not \(value)") }
        return value
    }

    /// `true` or `false` (YAML 1.1's yes/no/on/off too, as Yams resolves them).
    package func bool(_ node: Node, _ name: String) throws(ScenarioError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .bool, let value = node.bool else {
            throw error(node, "\"\(name)\" must be true or false, not \(describe(node))")
        }
        return value
    }

    /// A plain number (integer or decimal) from 0 to 1.
    package func probability(_ node: Node, _ name: String) throws(ScenarioError) -> Double {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .int || scalar.resolvedTagName == .float,
            let value = Double(scalar.string.filter { $0 != "_" }), value.isFinite
        else {
            throw error(node, "\"\(name)\" must be a number from 0 to 1, not \(describe(node))")
        }
        guard (0...1).contains(value) else {
            throw error(node, "\"\(name)\" must be from 0 to 1, not \(scalar.string)")
        }
        return value
    }

    /// One of `choices`, suggesting the closest on a typo.
    package func choice(_ node: Node, _ name: String, _ choices: [String]) throws(ScenarioError) -> String {
        let text = try string(node, name)
        guard choices.contains(text) else {
            throw error(node, "\"\(name)\" must be one of \(choices.joined(separator: ", ")), not \"\(text)\"\(didYouMean(text, choices))")
        }
        return text
    }

    /// `; did you mean "x"?` or nothing.
    package func didYouMean(_ text: String, _ candidates: [String]) -> String {
        Suggestion.closest(to: text, in: candidates).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    // MARK: Descriptions

    /// `the string "x"`, `the integer 5`, `a mapping`, … for messages.
    package func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch scalar.resolvedTagName {
            case .str: return "the string \"\(scalar.string)\""
            case .int: return "the integer \(scalar.string)"
            case .float: return "the number \(scalar.string)"
            case .bool: return "the boolean \(scalar.string)"
            case .null: return scalar.string.isEmpty ? "an empty value" : "null"
            case .timestamp: return "the timestamp \(scalar.string)"
            default: return "\"\(scalar.string)\""
            }
        }
    }

    /// ` (quote it: "on")` for scalars YAML read as something other than a string.
    private func quoteHint(_ node: Node) -> String {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName != .null, scalar.style == .plain else { return "" }
        return " (quote it: \"\(scalar.string)\")"
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): "a whole number"
        case (let low, Int.max): "at least \(low)"
        case (Int.min, let high): "at most \(high)"
        case (let low, let high): "from \(low) to \(high)"
        }
    }
}

extension Node {
    /// Line and column (from 1) where the node starts.
    package var position: (line: Int, column: Int) {
        guard let mark else { return (1, 1) }
        return (mark.line, mark.column)
    }
}

extension Node.Scalar {
    /// The tag after implicit resolution: quoted scalars are strings, plain ones are resolved
    /// by YAML 1.1's rules (`25.50` is a float, `yes` a boolean, `` empty null).
    package var resolvedTagName: Tag.Name { Tag.Name(rawValue: Node.scalar(self).tag.rawValue) }
}
