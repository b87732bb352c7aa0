/// The Bot API's error catalogue: HTTP status (= `error_code`) and `description`, plus
/// `retry_after` for flood control. Texts marked *real* are what the Bot API server
/// (tdlib/telegram-bot-api) or Telegram answer; the others are ours, listed in
/// docs/dialects/telegram.md.
struct TelegramError: Error, Sendable, Equatable {
    let status: Int
    let description: String
    var retryAfter: Int? = nil

    // Routing and auth (real: HttpConnection.cpp, ClientManager.cpp, Client.cpp).
    static let notFound = TelegramError(status: 404, description: "Not Found")
    static let methodNotFound = TelegramError(status: 404, description: "Not Found: method not found")
    static let invalidToken = TelegramError(status: 401, description: "Unauthorized: invalid token specified")
    static let unauthorized = TelegramError(status: 401, description: "Unauthorized")

    /// Real: `Too Many Requests: retry after N` with `parameters.retry_after` and `Retry-After`.
    static func tooManyRequests(retryAfter: Int) -> TelegramError {
        TelegramError(status: 429, description: "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter)
    }

    /// `Bad Request: …`: the Bot API prefixes 400 messages and lowercases a leading capital of
    /// a sentence (`Invalid user_id specified` → `invalid user_id specified`), never of an
    /// upper-case Telegram error code (`CHARGE_ALREADY_REFUNDED`).
    static func badRequest(_ message: String) -> TelegramError {
        TelegramError(status: 400, description: "Bad Request: " + lowercasingFirst(message))
    }

    static func lowercasingFirst(_ message: String) -> String {
        let chars = Array(message)
        guard chars.count >= 2, chars[0].isUppercase, chars[1].isLowercase else { return message }
        return chars[0].lowercased() + String(chars[1...])
    }

    // Parameters (real texts from Client.cpp's helpers).
    static func parameterRequired(_ name: String) -> TelegramError { badRequest("Parameter \"\(name)\" is required") }
    static let invalidUserID = badRequest("Invalid user_id specified")
    static let chatIDEmpty = badRequest("chat_id is empty")
    static let chatNotFound = badRequest("chat not found")
    static let pricesNotJSON = badRequest("Can't parse prices JSON object")
    static let pricesNotArray = badRequest("Expected an Array of labeled prices")
    static let noPrices = badRequest("There must be at least one price")
    static func labeledPrice(_ reason: String) -> TelegramError { badRequest("Can't parse labeled price: " + reason) }
    static let maxTipNotNumber = badRequest("Can't parse \"max_tip_amount\" as Number")
    static let totalNotPositive = badRequest("Total price must be positive")

    // Telegram's own error codes (real).
    static let chargeAlreadyRefunded = badRequest("CHARGE_ALREADY_REFUNDED")
    static let starsInvoiceInvalid = badRequest("STARS_INVOICE_INVALID")
    static let paymentProviderInvalid = badRequest("PAYMENT_PROVIDER_INVALID")
    static let currencyTotalAmountInvalid = badRequest("CURRENCY_TOTAL_AMOUNT_INVALID")
    static let userIDInvalid = badRequest("USER_ID_INVALID")

    // Updates, webhooks, payments (real texts unless listed as ours in telegram.md).
    static let conflictOtherGetUpdates = TelegramError(
        status: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
    static let conflictWebhookActive = TelegramError(
        status: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    static let conflictSetWebhook = TelegramError(status: 409, description: "Conflict: terminated by setWebhook request")
    /// What the Bot API server makes of Telegram's `QUERY_ID_INVALID`.
    static let queryIDInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")
    static let messageTextEmpty = badRequest("message text is empty")
    static let subscriptionPeriodInvalid = badRequest("SUBSCRIPTION_PERIOD_INVALID")
    static func badWebhook(_ reason: String) -> TelegramError {
        TelegramError(status: 400, description: "Bad Request: bad webhook: " + reason)
    }
    static let secretTokenInvalid = badRequest("secret token contains unallowed characters")
    static let subscriptionExpired = badRequest("SUBSCRIPTION_EXPIRED")

    // Ours: cases the sources leave open.
    static let chargeNotFound = badRequest("CHARGE_NOT_FOUND")
    static func notAnInteger(_ name: String) -> TelegramError { badRequest("parameter \"\(name)\" must be an Integer") }
    static let invalidJSONBody = badRequest("can't parse JSON encoded request body")
    static let invalidMultipartBody = badRequest("can't parse multipart/form-data request body")
    static let requestTooLarge = TelegramError(status: 413, description: "Request Entity Too Large")
    static let internalServerError = TelegramError(status: 500, description: "Internal Server Error")
    static let botBlocked = TelegramError(status: 403, description: "Forbidden: bot was blocked by the user")

    /// Codes a scenario may script (`POST /__admin/faults`), with what they render as.
    /// `TOO_MANY_REQUESTS` takes its seconds from `TelegramSetup.floodRetryAfter`.
    static let scriptable: [String: TelegramError] = [
        "UNAUTHORIZED": unauthorized,
        "INVALID_TOKEN": invalidToken,
        "METHOD_NOT_FOUND": methodNotFound,
        "CHAT_NOT_FOUND": chatNotFound,
        "BOT_BLOCKED": botBlocked,
        "CHARGE_ALREADY_REFUNDED": chargeAlreadyRefunded,
        "CHARGE_NOT_FOUND": chargeNotFound,
        "STARS_INVOICE_INVALID": starsInvoiceInvalid,
        "INTERNAL_SERVER_ERROR": internalServerError,
    ]
}
