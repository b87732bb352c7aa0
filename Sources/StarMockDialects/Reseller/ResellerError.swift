/// The reseller dialect's error catalogue. The seed documents none: every code, status and
/// message here is ours (docs/dialects/reseller.md).
struct ResellerError: Error, Sendable, Equatable {
    let status: Int
    let code: String
    let message: String
    /// The `Allow` header of a 405.
    var allow: String? = nil

    static let missingAPIKey = ResellerError(
        status: 401, code: "MISSING_API_KEY", message: "Send your API key as Authorization: Bearer <key>")
    static let invalidAPIKey = ResellerError(status: 401, code: "INVALID_API_KEY", message: "API key not recognised")
    static let keyDisabled = ResellerError(status: 403, code: "KEY_DISABLED", message: "API key has been disabled")
    static let invalidJSON = ResellerError(status: 400, code: "INVALID_JSON", message: "Request body must be a JSON object")
    static func missingField(_ name: String) -> ResellerError {
        ResellerError(status: 400, code: "MISSING_FIELD", message: "\(name) is required")
    }
    static let unsupportedPlatform = ResellerError(
        status: 400, code: "UNSUPPORTED_PLATFORM", message: "platform must be \"telegram\"")
    static let invalidUserID = ResellerError(
        status: 400, code: "INVALID_USER_ID", message: "user_id must be a numeric Telegram user ID")
    static func invalidPackage(_ sizes: [Int]) -> ResellerError {
        ResellerError(
            status: 400, code: "INVALID_PACKAGE",
            message: "stars must be one of \(sizes.map(String.init).joined(separator: ", "))")
    }
    static func insufficientBalance(balance: String, price: String) -> ResellerError {
        ResellerError(
            status: 402, code: "INSUFFICIENT_BALANCE",
            message: "Balance \(balance) USD is less than the package price \(price) USD")
    }
    static let userNotFound = ResellerError(
        status: 404, code: "USER_NOT_FOUND", message: "No Telegram user with this user_id")
    static let userCannotReceive = ResellerError(
        status: 422, code: "USER_CANNOT_RECEIVE", message: "This Telegram user cannot receive Stars")
    static let orderNotFound = ResellerError(status: 404, code: "ORDER_NOT_FOUND", message: "No such order")
    static let rateLimited = ResellerError(
        status: 429, code: "RATE_LIMITED", message: "Too many requests: 60 per minute per key")
    static let internalError = ResellerError(status: 500, code: "INTERNAL_ERROR", message: "Internal error, try again")
    static let supplierError = ResellerError(
        status: 502, code: "SUPPLIER_ERROR", message: "The Stars supplier did not answer, try again")
    static let serviceUnavailable = ResellerError(
        status: 503, code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable")
    static let notFound = ResellerError(status: 404, code: "NOT_FOUND", message: "Unknown endpoint")
    static func methodNotAllowed(_ allowed: [String]) -> ResellerError {
        ResellerError(
            status: 405, code: "METHOD_NOT_ALLOWED", message: "Method not allowed; use \(allowed.joined(separator: ", "))",
            allow: allowed.joined(separator: ", "))
    }
    static func payloadTooLarge(_ limit: Int) -> ResellerError {
        ResellerError(status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than \(limit) bytes")
    }

    /// Codes a scenario may script.
    static let scriptable: [String: ResellerError] = [
        missingAPIKey.code: missingAPIKey, invalidAPIKey.code: invalidAPIKey, keyDisabled.code: keyDisabled,
        userNotFound.code: userNotFound, userCannotReceive.code: userCannotReceive, orderNotFound.code: orderNotFound,
        rateLimited.code: rateLimited, internalError.code: internalError, supplierError.code: supplierError,
        serviceUnavailable.code: serviceUnavailable,
    ]
}
