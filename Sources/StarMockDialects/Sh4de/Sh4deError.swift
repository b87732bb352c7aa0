import StarMockCore

/// sh4de's error catalogue: the documented codes with their HTTP status and message, and the
/// codes we added for cases the documents leave open (marked *ours* in docs/dialects/sh4de.md).
package struct Sh4deError: Error, Sendable, Equatable, CatalogueError {
    package let status: Int
    package let code: String
    let message: String
    /// The methods the path does answer, sent as `Allow` (RFC 9110 requires it on a 405).
    package let allow: [String]?

    /// An error.
    package init(status: Int, code: String, message: String, allow: [String]? = nil) {
        (self.status, self.code, self.message, self.allow) = (status, code, message, allow)
    }

    // Documented (seed 001, "Error Reference"); the message is the table's "Meaning".
    package static let missingAPIKey = Sh4deError(status: 401, code: "MISSING_API_KEY", message: "X-API-Key header not sent")
    package static let invalidAPIKey = Sh4deError(status: 401, code: "INVALID_API_KEY", message: "Key not found in system")
    package static let keyDisabled = Sh4deError(status: 403, code: "KEY_DISABLED", message: "Key has been disabled")
    static let invalidMonths = Sh4deError(status: 400, code: "INVALID_MONTHS", message: "months must be 3, 6, or 12")
    static let userNotFound = Sh4deError(status: 404, code: "USER_NOT_FOUND", message: "Telegram username not found")
    static let orderNotFound = Sh4deError(status: 404, code: "ORDER_NOT_FOUND", message: "Order ID doesn't exist")
    static let forbidden = Sh4deError(status: 403, code: "FORBIDDEN", message: "Order belongs to another key")
    static let rateLimitExceeded = Sh4deError(status: 429, code: "RATE_LIMIT_EXCEEDED", message: "30 req/min exceeded")
    static let chargingError = Sh4deError(status: 502, code: "CHARGING_ERROR", message: "Upstream charging error")
    static let serviceUnavailable = Sh4deError(
        status: 503, code: "SERVICE_UNAVAILABLE", message: "Service temporarily disabled")

    /// The documented example: "Your balance ($1.20) is less than the order cost ($1.30)."
    static func insufficientBalance(balance: String, cost: String) -> Sh4deError {
        Sh4deError(
            status: 400, code: "INSUFFICIENT_BALANCE",
            message: "Your balance ($\(balance)) is less than the order cost ($\(cost)).")
    }

    // Ours: undocumented validation and routing.
    static let invalidJSON = Sh4deError(status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object")
    static func missingField(_ name: String) -> Sh4deError {
        Sh4deError(status: 400, code: "MISSING_FIELD", message: "\(name) is required")
    }
    static func invalidField(_ name: String, _ expected: String) -> Sh4deError {
        Sh4deError(status: 400, code: "INVALID_FIELD", message: "\(name) must be \(expected)")
    }
    static func invalidQuantity(minimum: Int, maximum: Int) -> Sh4deError {
        Sh4deError(
            status: 400, code: "INVALID_QUANTITY", message: "quantity must be an integer from \(minimum) to \(maximum)")
    }
    static let cannotReceiveStars = Sh4deError(
        status: 400, code: "USER_CANNOT_RECEIVE", message: "This user cannot receive Stars")
    static let cannotReceivePremium = Sh4deError(
        status: 400, code: "USER_CANNOT_RECEIVE", message: "This user cannot receive Premium")

    /// Codes a scenario may script, with what they render as.
    package static let scriptable = catalogue([
        missingAPIKey, invalidAPIKey, keyDisabled, invalidMonths, userNotFound,
        orderNotFound, forbidden, rateLimitExceeded, chargingError, serviceUnavailable,
    ])
    package static let rateLimitCode = "RATE_LIMIT_EXCEEDED"
}

extension Sh4deError {
    /// The balance quoted is the key's own; the cost just above it.
    package static func insufficientBalance(available: Money) -> Sh4deError {
        insufficientBalance(balance: available.twoDecimals, cost: (available + Money(cents: 10)).twoDecimals)
    }
}
