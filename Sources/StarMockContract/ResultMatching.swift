import Foundation
public import StarMockCore

extension ResultMatcher {
    /// Why `value` does not match, one line per difference; empty when it matches.
    /// - Parameter path: where `value` sits in the client's result, for messages (`result.status`).
    public func mismatches(_ value: JSON?, at path: String = "result") -> [String] {
        switch self {
        case .equals(let expected):
            guard let value else { return ["\(path) is missing, expected \(expected.text())"] }
            return Self.equal(value, expected) ? [] : ["\(path) is \(value.text()), expected \(expected.text())"]
        case .oneOf(let choices):
            let list = choices.map { $0.text() }.joined(separator: ", ")
            guard let value else { return ["\(path) is missing, expected one of \(list)"] }
            return choices.contains { Self.equal(value, $0) } ? [] : ["\(path) is \(value.text()), expected one of \(list)"]
        case .object(let fields):
            guard let value else { return ["\(path) is missing, expected an object"] }
            guard case .object = value else { return ["\(path) is \(value.text()), expected an object"] }
            return fields.flatMap { $0.matcher.mismatches(value[$0.name], at: "\(path).\($0.name)") }
        }
    }

    /// JSON equality where numbers compare by value (`47` = `47.0` = `4.7e1`) and object keys
    /// in any order.
    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if x == y { return true }
            guard let dx = Decimal(string: x, locale: Locale(identifier: "en_US_POSIX")),
                let dy = Decimal(string: y, locale: Locale(identifier: "en_US_POSIX"))
            else { return false }
            return dx == dy
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { pair in y.contains { $0.0 == pair.0 && equal($0.1, pair.1) } }
        default:
            return a == b
        }
    }
}

/// The client's stdout, read by the protocol: exactly one non-empty line, a JSON object.
public enum ClientOutput {
    /// The object, or why the output breaks the protocol.
    public static func parse(_ bytes: [UInt8], truncated: Bool = false) -> Result<JSON, OutputProblem> {
        if truncated { return .failure(OutputProblem("printed more than the \(bytes.count / 1024) KiB kept of stdout")) }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return .failure(OutputProblem("printed nothing on stdout; expected one JSON line")) }
        guard lines.count == 1 else {
            let preview = lines.prefix(3).map { "    | " + Self.clip($0) }.joined(separator: "\n")
            return .failure(
                OutputProblem("printed \(lines.count) lines on stdout; expected exactly one JSON line\n\(preview)"))
        }
        let line = lines[0]
        let json: JSON
        do {
            json = try JSON.parse(line)
        } catch {
            return .failure(OutputProblem("not JSON: \(error.reason): \(Self.clip(line))"))
        }
        guard case .object = json else {
            return .failure(OutputProblem("printed a JSON \(json.typeName), not an object: \(Self.clip(line))"))
        }
        return .success(json)
    }

    static func clip(_ text: String, to limit: Int = 200) -> String { ContractText.clip(text, to: limit) }
}

enum ContractText {
    /// The text, cut to `limit` characters with `…`.
    static func clip(_ text: String, to limit: Int = 200) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// Why a client's stdout breaks the protocol.
public struct OutputProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}
