/// sh4de's error catalogue: the documented codes with their HTTP status and message, and the
/// codes we added for cases the documents leave open (marked *ours* in docs/dialects/sh4de.md).
struct Sh4deError: Error, Sendable, Equatable {
    let status: Int
    let code: String
    let message: String
    /// The methods the path does answer, sent as `Allow` (RFC 9110 requires it on a 405).
    var allow: [String]? = nil

    // Documented (seed 001, "Error Reference"); the message is the table's "Meaning".
    static let missingAPIKey = Sh4deError(status: 401, code: "MISSING_API_KEY", message: "X-API-Key header not sent")
    static let invalidAPIKey = Sh4deError(status: 401, code: "INVALID_API_KEY", message: "Key not found in system")
    static let keyDisabled = Sh4deError(status: 403, code: "KEY_DISABLED", message: "Key has been disabled")
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
    static let notFound = Sh4deError(status: 404, code: "NOT_FOUND", message: "Unknown endpoint")
    static func methodNotAllowed(_ allowed: [String]) -> Sh4deError {
        Sh4deError(
            status: 405, code: "METHOD_NOT_ALLOWED",
            message: "Method not allowed; use \(allowed.filter { $0 != "HEAD" }.joined(separator: ", "))",
            allow: allowed)
    }
    static func payloadTooLarge(_ limit: Int) -> Sh4deError {
        Sh4deError(status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than \(limit) bytes")
    }

    /// Codes a scenario may script, with what they render as.
    static let scriptable: [String: Sh4deError] = [
        missingAPIKey.code: missingAPIKey, invalidAPIKey.code: invalidAPIKey, keyDisabled.code: keyDisabled,
        invalidMonths.code: invalidMonths, userNotFound.code: userNotFound, orderNotFound.code: orderNotFound,
        forbidden.code: forbidden, rateLimitExceeded.code: rateLimitExceeded, chargingError.code: chargingError,
        serviceUnavailable.code: serviceUnavailable,
    ]
}
