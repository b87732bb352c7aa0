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

    /// The tables by dialect name (DIALECTS.md sections 1–5 and docs/dialects).
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
        // `/bot<TOKEN>/<method>`: `bot*` stands for the token segment, methods as clients send them.
        "telegram": Table(
            basePath: "/bot*/",
            routes: [
                "/bot*/getMe", "/bot*/getMyStarBalance", "/bot*/getStarTransactions", "/bot*/refundStarPayment",
                "/bot*/createInvoiceLink", "/bot*/sendInvoice",
            ]),
        "papaya": Table(
            basePath: "/api/",
            routes: ["/api/invoice", "/api/invoice/*", "/api/subscriptions", "/api/subscriptions/*"]),
        "reseller": Table(
            basePath: "/",
            routes: ["/validate-user", "/topup", "/orders/*", "/balance", "/packages"]),
    ]

    /// The token segment of a telegram pattern: `bot*` (any token).
    static let tokenSegment = "bot*"

    /// Why `pattern` can never match a request of `dialect`, or nil when it can (or when the
    /// dialect has no table).
    public static func problem(pattern: String, dialect: String) -> String? {
        guard let table = tables[dialect] else { return nil }
        if dialect == "telegram", let problem = telegramTokenProblem(pattern) { return problem }
        let base = String(table.basePath.dropLast())
        guard pattern == base || pattern.hasPrefix(table.basePath) else {
            return "\(dialect) paths start with \(table.basePath), not \"\(pattern)\""
        }
        if table.routes.contains(where: { compatible(pattern: pattern, route: $0) }) { return nil }
        var message = Suggestion.message(
            "no \(dialect) route matches \"\(pattern)\"", word: pattern, candidates: table.routes, label: "Routes")
        if dialect == "telegram",
            table.routes.contains(where: { compatible(pattern: pattern.lowercased(), route: $0.lowercased()) })
        {
            message += " (method names are matched as clients send them, in camelCase)"
        }
        return message
    }

    /// A telegram pattern whose first segment names a token instead of `bot*`.
    static func telegramTokenProblem(_ pattern: String) -> String? {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments[1].hasPrefix("bot"), segments[1] != tokenSegment else { return nil }
        let rest = segments.dropFirst(2).joined(separator: "/")
        let better = "/\(tokenSegment)" + (segments.count > 2 ? "/" + rest : "")
        if segments[1].contains("*") {
            return "the token segment of a telegram path is written bot* (any token), not \"\(segments[1])\": write \"\(better)\""
        }
        return "a telegram path pattern does not name a token: write \"\(better)\" and pick the bot with key: TOKEN"
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
        // The one partial segment allowed: telegram's token, `/bot*/…`.
        let partial = segments.enumerated().contains { i, segment in
            segment != "*" && segment != "**" && segment.contains("*") && !(i == 1 && segment == tokenSegment)
        }
        if partial {
            return "\"*\" stands for a whole segment (/api/v1/order/*), not part of one as in \"\(pattern)\""
        }
        return nil
    }
}
