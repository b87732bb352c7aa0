import StarMockCore

/// The reseller dialect's error catalogue. The seed documents none: every code, status and
/// message here is ours (docs/dialects/reseller.md).
package struct ResellerError: Error, Sendable, Equatable, CatalogueError {
    package let status: Int
    package let code: String
    let message: String
    /// The `Allow` header of a 405.
    package let allow: [String]?

    /// An error.
    package init(status: Int, code: String, message: String, allow: [String]? = nil) {
        (self.status, self.code, self.message, self.allow) = (status, code, message, allow)
    }

    package static let missingAPIKey = ResellerError(
        status: 401, code: "MISSING_API_KEY", message: "Send your API key as Authorization: Bearer <key>")
    package static let invalidAPIKey = ResellerError(status: 401, code: "INVALID_API_KEY", message: "API key not recognised")
    package static let keyDisabled = ResellerError(status: 403, code: "KEY_DISABLED", message: "API key has been disabled")
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

    /// Codes a scenario may script.
    package static let scriptable = catalogue([
        missingAPIKey, invalidAPIKey, keyDisabled, userNotFound, userCannotReceive,
        orderNotFound, rateLimited, internalError, supplierError, serviceUnavailable,
    ])
    package static let rateLimitCode = "RATE_LIMITED"
}

extension ResellerError {
    /// The balance quoted is the key's own; the cost just above it.
    package static func insufficientBalance(available: Money) -> ResellerError {
        insufficientBalance(balance: available.twoDecimals, price: (available + Money(cents: 1)).twoDecimals)
    }
}
