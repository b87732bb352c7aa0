/// TG Market's error catalogue: the documented codes (seed 000) with their HTTP status, and
/// the codes we added for cases the documents leave open (marked *ours* in
/// docs/dialects/tgmarket.md). Rendered as `{"ok":false,"error":"<code>"}`.
struct TGMarketError: Error, Sendable, Equatable {
    let status: Int
    let code: String

    // Documented (seed 000 and the service's own page). Two codes are free-text sentences,
    // reproduced as written, dots included.
    static let missingAPIKey = TGMarketError(status: 401, code: "missing_api_key")
    static let invalidAPIKey = TGMarketError(status: 401, code: "invalid_api_key")
    static let rateLimitExceeded = TGMarketError(status: 429, code: "rate_limit_exceeded")
    static let userNotFound = TGMarketError(status: 404, code: "user_not_found")
    static let usernameRequired = TGMarketError(status: 400, code: "username_required")
    static let invalidAmount = TGMarketError(status: 400, code: "amount must be int...")
    static let invalidDuration = TGMarketError(status: 400, code: "duration must be 3, 6, or 12")
    static let insufficientBalance = TGMarketError(status: 400, code: "insufficient_balance")
    static let reservationFailed = TGMarketError(status: 400, code: "reservation_failed")
    static let orderCreationFailed = TGMarketError(status: 500, code: "order_creation_failed")
    static let timeout = TGMarketError(status: 408, code: "timeout")
    static let orderNotFound = TGMarketError(status: 404, code: "order_not_found")

    // Ours: routing and validation the documents do not cover.
    static let invalidJSON = TGMarketError(status: 400, code: "invalid_json")
    static let userCannotReceive = TGMarketError(status: 400, code: "user_cannot_receive")
    static let notFound = TGMarketError(status: 404, code: "not_found")
    static let methodNotAllowed = TGMarketError(status: 405, code: "method_not_allowed")
    static let payloadTooLarge = TGMarketError(status: 413, code: "payload_too_large")

    /// Every documented code, in the order of the documentation's tables.
    static let documented: [TGMarketError] = [
        missingAPIKey, invalidAPIKey, rateLimitExceeded, userNotFound, usernameRequired, invalidAmount,
        invalidDuration, insufficientBalance, reservationFailed, orderCreationFailed, timeout, orderNotFound,
    ]

    /// Codes a scenario or the control API may script, with what they render as.
    static let scriptable: [String: TGMarketError] = Dictionary(
        uniqueKeysWithValues: documented.map { ($0.code, $0) })
}
