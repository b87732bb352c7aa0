import StarMockCore
import StarMockDialects

/// A scenario's path patterns checked against the dialects' endpoint tables, the same tables
/// the server routes with, so a pattern that can never match is refused before it silently
/// never fires.
package enum RouteCheck {
    /// Why `pattern` can never match a request of `dialect`, or nil when it can.
    package static func problem(pattern: String, dialect: any Dialect) -> String? {
        let table = dialect.endpoints
        let name = dialect.id.name
        let routes = table.patterns
        if let problem = capturePrefixProblem(pattern, table: table, name: name) { return problem }
        let base = table.basePattern
        guard pattern == String(base.dropLast()) || pattern.hasPrefix(base) else {
            return "\(name) paths start with \(base), not \"\(pattern)\""
        }
        if routes.contains(where: { PathPattern.overlaps(pattern, $0) }) { return nil }
        var message = Suggestion.message(
            "no \(name) route matches \"\(pattern)\"", word: pattern, candidates: routes, label: "Routes")
        if let note = table.caseNote, routes.contains(where: { PathPattern.overlaps(pattern, $0, caseInsensitive: true) }) {
            message += " (\(note))"
        }
        return message
    }

    /// A pattern whose first segment names a value where the table captures one behind a
    /// prefix (`/bot123:AA…/getMe` instead of `/bot*/getMe`).
    package static func capturePrefixProblem(_ pattern: String, table: EndpointTable, name: String) -> String? {
        guard case .capture(let prefix, _)? = table.endpoints.first?.path.segments.first, !prefix.isEmpty else {
            return nil
        }
        let wildcard = prefix + "*"
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments[1].hasPrefix(prefix), segments[1] != wildcard else { return nil }
        let rest = segments.dropFirst(2).joined(separator: "/")
        let better = "/\(wildcard)" + (segments.count > 2 ? "/" + rest : "")
        if segments[1].contains("*") {
            return "the token segment of a \(name) path is written \(wildcard) (any token), not \"\(segments[1])\": write \"\(better)\""
        }
        return "a \(name) path pattern does not name a token: write \"\(better)\" and pick the bot with key: TOKEN"
    }

    /// A pattern's own shape problems (not starting with `/`, a query, `**` not at the end, a
    /// partial `*` other than a capture's prefix such as `bot*`).
    package static func syntaxProblem(_ pattern: String, dialects: [any Dialect]) -> String? {
        guard pattern.hasPrefix("/") else { return "a path pattern starts with /, not \"\(pattern)\"" }
        if pattern.contains("?") {
            return "a path pattern matches the path without its query: drop \"\(pattern.drop { $0 != "?" })\""
        }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        if let i = segments.firstIndex(of: "**"), i != segments.count - 1 {
            return "\"**\" matches the rest of the path, so it can only be the last segment of \"\(pattern)\""
        }
        // The partial segments allowed: a capture behind a prefix, where a table has one.
        let prefixed: Set<String> = Set(dialects.flatMap { d in
            d.endpoints.endpoints.flatMap { e in
                e.path.segments.enumerated().compactMap { i, s -> String? in
                    if case .capture(let prefix, _) = s, !prefix.isEmpty { return "\(i + 1):\(prefix)*" }
                    return nil
                }
            }
        })
        let partial = segments.enumerated().contains { i, segment in
            segment != "*" && segment != "**" && segment.contains("*") && !prefixed.contains("\(i):\(segment)")
        }
        if partial {
            return "\"*\" stands for a whole segment (/api/v1/order/*), not part of one as in \"\(pattern)\""
        }
        return nil
    }
}
