import StarMockCore

/// The paths each known dialect serves, so a scenario's path pattern can be checked before
/// it silently never matches. Dialects missing here accept any path.
public enum DialectRoutes {
    /// A dialect's base path and route templates (`*` is one segment).
    public struct Table: Sendable, Equatable {
        /// Every path starts with this (`/api/v1/`).
        public var basePath: String
        /// The routes, as `/api/v1/order/*`.
        public var routes: [String]
    }

    /// The tables by dialect name (DIALECTS.md sections 1 and 2).
    public static let tables: [String: Table] = [
        "sh4de": Table(
            basePath: "/api/v1/",
            routes: [
                "/api/v1/prices", "/api/v1/balance", "/api/v1/user/*", "/api/v1/order/stars", "/api/v1/order/premium",
                "/api/v1/order/*",
            ]),
        "tgmarket": Table(
            basePath: "/api/v2/",
            routes: [
                "/api/v2/balance", "/api/v2/stars", "/api/v2/premium", "/api/v2/stars/*", "/api/v2/premium/*",
            ]),
    ]

    /// Why `pattern` can never match a request of `dialect`, or nil when it can (or when the
    /// dialect has no table).
    public static func problem(pattern: String, dialect: String) -> String? {
        guard let table = tables[dialect] else { return nil }
        let base = String(table.basePath.dropLast())
        guard pattern == base || pattern.hasPrefix(table.basePath) else {
            return "\(dialect) paths start with \(table.basePath), not \"\(pattern)\""
        }
        if table.routes.contains(where: { compatible(pattern: pattern, route: $0) }) { return nil }
        return Suggestion.message(
            "no \(dialect) route matches \"\(pattern)\"", word: pattern, candidates: table.routes, label: "Routes")
    }

    /// Whether some request path could match both the pattern and the route template.
    static func compatible(pattern: String, route: String) -> Bool {
        let p = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let r = route.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in p.enumerated() {
            if part == "**" { return true }
            guard i < r.count else { return false }
            if part != "*" && r[i] != "*" && part != r[i] { return false }
        }
        return p.count == r.count
    }

    /// A pattern's own shape problems (not starting with `/`, a query, `**` not at the end).
    package static func syntaxProblem(_ pattern: String) -> String? {
        guard pattern.hasPrefix("/") else { return "a path pattern starts with /, not \"\(pattern)\"" }
        if pattern.contains("?") {
            return "a path pattern matches the path without its query: drop \"\(pattern.drop { $0 != "?" })\""
        }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        if let i = segments.firstIndex(of: "**"), i != segments.count - 1 {
            return "\"**\" matches the rest of the path, so it can only be the last segment of \"\(pattern)\""
        }
        if segments.contains(where: { $0 != "*" && $0 != "**" && $0.contains("*") }) {
            return "\"*\" stands for a whole segment (/api/v1/order/*), not part of one as in \"\(pattern)\""
        }
        return nil
    }
}
