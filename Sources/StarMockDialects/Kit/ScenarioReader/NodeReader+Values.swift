import StarMockCore
import Yams

/// A time in a scenario: an instant, or an offset from the scenario's `start`.
package enum TimeSpec: Equatable {
    /// `"2026-03-28 03:00:00"`.
    case absolute(WorldTime)
    /// `"+60s"`.
    case relative(Duration)
}

extension NodeReader {
    /// `65s`, `200ms`, `1.5s`, `2m`, `1h`, `1m30s`: exact, in whole milliseconds.
    package func duration(_ node: Node, _ name: String) throws(ScenarioError) -> Duration {
        guard case .scalar(let scalar) = node, scalar.resolvedTagName == .str || scalar.resolvedTagName == .int else {
            throw error(node, "\"\(name)\" must be a duration like 65s, 200ms, 1.5s or 2m, not \(describe(node))")
        }
        if scalar.resolvedTagName == .int {
            throw error(node, "\"\(name)\" needs a unit: \(scalar.string)s, \(scalar.string)ms or \(scalar.string)m")
        }
        guard let millis = DurationText.milliseconds(scalar.string) else {
            throw error(
                node,
                "\"\(name)\" must be a duration like 65s, 200ms, 1.5s, 2m or 1h (whole milliseconds), not \"\(scalar.string)\"")
        }
        guard millis <= DurationText.maximum else {
            throw error(node, "\"\(name)\" is too long: at most 277777h (about 31 years), not \"\(scalar.string)\"")
        }
        return .milliseconds(millis)
    }

    /// A duration greater than zero.
    package func positiveDuration(_ node: Node, _ name: String) throws(ScenarioError) -> Duration {
        let d = try duration(node, name)
        guard d > .zero else { throw error(node, "\"\(name)\" must be longer than 0s") }
        return d
    }

    /// An amount of dollars written as a string with at most two decimals: `"25.50"`.
    package func money(_ node: Node, _ name: String) throws(ScenarioError) -> Money {
        let text = try decimalText(node, name, example: "\"25.50\"")
        guard let money = Money(text) else {
            throw error(node, "\"\(name)\" must be an amount with at most two decimals, like \"25.50\", not \"\(text)\"")
        }
        guard money >= .zero else { throw error(node, "\"\(name)\" must not be negative, not \"\(text)\"") }
        return money
    }

    /// A unit price written as a string with at most six decimals: `"0.013"`.
    package func unitPrice(_ node: Node, _ name: String) throws(ScenarioError) -> UnitPrice {
        let text = try decimalText(node, name, example: "\"0.013\"")
        guard let price = UnitPrice(text) else {
            throw error(node, "\"\(name)\" must be a price with at most six decimals, like \"0.013\", not \"\(text)\"")
        }
        guard price.micros >= 0 else { throw error(node, "\"\(name)\" must not be negative, not \"\(text)\"") }
        return price
    }

    /// Money is text: a bare `25.50` is a YAML float, which other YAML readers turn into a
    /// binary fraction; the quotes keep every tool exact.
    private func decimalText(_ node: Node, _ name: String, example: String) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, "\"\(name)\" must be an amount in quotes, like \(example), not \(describe(node))")
        }
        switch scalar.resolvedTagName {
        case .str: return scalar.string
        case .int, .float:
            throw error(
                node,
                "\"\(name)\" must be an amount in quotes, like \(example): write \"\(scalar.string)\" (a bare number is a YAML float, not exact money)")
        default:
            throw error(node, "\"\(name)\" must be an amount in quotes, like \(example), not \(describe(node))")
        }
    }

    /// `"2026-03-28 03:00:00"` (UTC; `T…Z` forms too) or `"+90s"` after `start`.
    package func time(_ node: Node, _ name: String, relativeAllowed: Bool = true) throws(ScenarioError) -> TimeSpec {
        guard case .scalar(let scalar) = node,
            [.str, .timestamp].contains(scalar.resolvedTagName) || scalar.resolvedTagName == .int
        else {
            throw error(node, "\"\(name)\" must be a time like \"2026-03-28 03:00:00\" or \"+60s\", not \(describe(node))")
        }
        let text = scalar.string
        if text.hasPrefix("+") && relativeAllowed {
            guard scalar.resolvedTagName != .int else {
                throw error(node, "\"\(name)\" needs a unit after the offset: \"\(text)s\"")
            }
            guard let millis = DurationText.milliseconds(String(text.dropFirst())) else {
                throw error(node, "\"\(name)\": \"\(text)\" is not an offset like \"+60s\", \"+1.5s\" or \"+2m\"")
            }
            guard millis <= DurationText.maximum else {
                throw error(node, "\"\(name)\": \"\(text)\" is too far: at most +277777h (about 31 years)")
            }
            return .relative(.milliseconds(millis))
        }
        guard let time = WorldTime(text) else {
            let also = relativeAllowed ? " or an offset after start like \"+60s\"" : ""
            throw error(
                node,
                "\"\(name)\" must be a UTC time like \"2026-03-28 03:00:00\" or \"2026-03-28T03:00:00Z\"\(also), not \"\(text)\"")
        }
        return .absolute(time)
    }

    /// A duration or a distribution: `65s`, `{fixed: 65s}`, `{uniform: {min: 1s, max: 5s}}`,
    /// `{normal: {mean: 30s, sd: 5s}}`, `{lognormal: {median: 200ms, p99: 2s}}`.
    package func delay(_ node: Node, _ name: String) throws(ScenarioError) -> DelayDistribution {
        if case .scalar = node { return .fixed(try duration(node, name)) }
        let kinds = ["fixed", "uniform", "normal", "lognormal"]
        let outer = try fields(node, "\"\(name)\"", allowed: kinds)
        guard outer.entries.count == 1, let entry = outer.entries.first else {
            throw error(
                node,
                "\"\(name)\" must name exactly one distribution (\(kinds.joined(separator: ", "))), not \(outer.entries.count)")
        }
        switch entry.name {
        case "fixed":
            return .fixed(try duration(entry.value, "fixed"))
        case "uniform":
            let f = try fields(entry.value, "uniform", allowed: ["min", "max"])
            let low = try duration(f.required("min"), "min")
            let high = try duration(f.required("max"), "max")
            guard low <= high else { throw error(try f.required("max"), "\"max\" must not be less than \"min\"") }
            return .uniform(min: low, max: high)
        case "normal":
            let f = try fields(entry.value, "normal", allowed: ["mean", "sd"])
            return .normal(mean: try duration(f.required("mean"), "mean"), standardDeviation: try duration(f.required("sd"), "sd"))
        default:
            let f = try fields(entry.value, "lognormal", allowed: ["median", "p99"])
            let median = try positiveDuration(f.required("median"), "median")
            let p99 = try duration(f.required("p99"), "p99")
            guard p99 >= median else { throw error(try f.required("p99"), "\"p99\" must not be less than \"median\"") }
            return .lognormal(median: median, p99: p99)
        }
    }
}
