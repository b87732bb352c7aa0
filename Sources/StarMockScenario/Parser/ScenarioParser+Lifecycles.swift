import StarMockCore
import StarMockDialects
import Yams

extension ScenarioParser {
    /// Order kinds a lifecycle can be given for; `default` covers kinds not listed.
    static let lifecycleKinds = LifecycleKind.allCases.map(\.rawValue)
    static let lifecycleKeys = ["pending", "outcome", "failure_message", "script", "complete_after_polls"]
    static let outcomeNames = ["completed", "failed", "stuck"]
    /// The message of a failed order when the lifecycle gives none.
    static let defaultFailureMessage = "Order failed"

    /// `lifecycles: {stars: {pending: 65s, outcome: completed}, premium: {...}, default: {...}}`
    mutating func lifecycles(_ node: Node) throws(ScenarioError) {
        for entry in try reader.fields(node, "lifecycles", allowed: Self.lifecycleKinds).entries {
            setup.lifecycles[LifecycleKind(rawValue: entry.name)!] = try lifecycle(entry.value, entry.name)
        }
    }

    func lifecycle(_ node: Node, _ kind: String) throws(ScenarioError) -> Lifecycle {
        let f = try reader.fields(node, "the \(kind) lifecycle", allowed: Self.lifecycleKeys)
        var lifecycle = Lifecycle()
        var message = Self.defaultFailureMessage
        if let node = f["failure_message"] { message = try reader.nonEmptyString(node, "failure_message") }
        if let node = f["pending"] {
            if case .scalar(let scalar) = node, scalar.resolvedTagName == .str, scalar.string == "never" {
                lifecycle.pending = nil
            } else if case .scalar(let scalar) = node, scalar.resolvedTagName == .str,
                DurationText.milliseconds(scalar.string) == nil
            {
                throw reader.error(
                    node,
                    "\"pending\" must be a duration like 65s, a distribution like {lognormal: {median: 20s, p99: 2m}}, or never, not \"\(scalar.string)\"")
            } else {
                lifecycle.pending = try reader.delay(node, "pending")
            }
        }
        if let node = f["outcome"] {
            if case .scalar = node {
                lifecycle.outcomes = [(try outcome(node, "outcome", message: message), 1)]
            } else {
                let weights = try reader.fields(node, "\"outcome\"", allowed: ["weights"])
                let weightsNode = try weights.required("weights")
                let entries = try reader.anyFields(weightsNode, "weights").entries
                guard !entries.isEmpty else { throw reader.error(weightsNode, "\"weights\" must name at least one outcome") }
                lifecycle.outcomes = []
                for entry in entries {
                    let name = try outcome(entry.key, "weights", message: message)
                    guard case .scalar(let scalar) = entry.value, scalar.resolvedTagName == .int,
                        let weight = Int(scalar.string)
                    else {
                        throw reader.error(
                            entry.value, "the weight of \"\(entry.name)\" must be a whole number, not \(reader.describe(entry.value))")
                    }
                    guard weight > 0 else {
                        throw reader.error(
                            entry.value,
                            "the weight of \"\(entry.name)\" must be at least 1, not \(weight); leave the outcome out to never pick it")
                    }
                    lifecycle.outcomes.append((name, weight))
                }
            }
        }
        if let node = f["script"] {
            lifecycle.script = []
            for item in try reader.list(node, "script") {
                lifecycle.script.append(try outcome(item, "script", message: message))
            }
        }
        if let node = f["complete_after_polls"] {
            lifecycle.completeAfterPolls = try reader.int(node, "complete_after_polls", in: 1...Int.max)
        }
        return lifecycle
    }

    /// `completed`, `failed` (with the lifecycle's message) or `stuck`.
    func outcome(_ node: Node, _ name: String, message: String) throws(ScenarioError) -> OrderOutcome {
        let text = try reader.string(node, name)
        switch text {
        case "completed": return .completed
        case "failed": return .failed(message: message)
        case "stuck": return .stuck
        default:
            throw reader.error(
                node,
                Suggestion.message("unknown outcome \"\(text)\"", word: text, candidates: Self.outcomeNames, label: "Outcomes"))
        }
    }
}
