public import StarMockCore
import StarMockDialects
import StarMockScenario

/// The closed vocabulary of the client's own errors: what a client puts in its result's
/// `"error"` when the failure is its own observation of the exchange rather than an error the
/// upstream answered. Each name has one meaning (docs/contract.md, "The client's own errors").
public enum ClientErrorName: String, Sendable, CaseIterable {
    /// No complete answer within the client's own deadline: connecting, waiting for the
    /// answer, reading a body that stalls, or carrying an order to its end.
    case timeout
    /// The connection could not be opened (nothing was sent).
    case connectionRefused = "connection_refused"
    /// The connection was reset or closed before a complete answer: an empty reply, a reset,
    /// or a close in the middle of the headers or the body.
    case connectionBroken = "connection_broken"
    /// An answer that started but ended short of what it announced (fewer body bytes than its
    /// `Content-Length`, a chunked body without its last chunk).
    case incompleteResponse = "incomplete_response"
    /// A complete answer the client cannot use: not HTTP, a body that is not JSON, or JSON
    /// without a field the API documents.
    case badResponse = "bad_response"

    /// Names clients used before the vocabulary was closed, and the name that replaced them.
    public static let formerNames: [String: ClientErrorName] = [
        "connection_reset": .connectionBroken, "connection_closed": .connectionBroken,
    ]

    /// Every name, in the order documented.
    public static let names = allCases.map(\.rawValue)

    /// What it means, as the protocol documents it.
    public var meaning: String {
        switch self {
        case .timeout: "no complete answer within the client's own deadline"
        case .connectionRefused: "the connection could not be opened"
        case .connectionBroken: "the connection was reset or closed before a complete answer"
        case .incompleteResponse: "the answer ended short of what it announced"
        case .badResponse: "a complete answer that is not HTTP, not JSON, or JSON without a documented field"
        }
    }
}

/// Whether a client's `"error"` is one the protocol allows: a name of the vocabulary, or an
/// error the upstream gave in this step.
public enum ClientErrorCheck {
    /// Why `error` is not allowed for a step of `dialect` whose exchanges were `entries`; nil
    /// when it is. Allowed: a `ClientErrorName`; a code of the dialect's error catalogue; text
    /// the upstream sent in one of the step's answers (TG Market's `amount must be int...`,
    /// Telegram's `description`); `http_NNN` for a status NNN answered in the step.
    public static func problem(error: String, dialect: String, entries: [JournalEntry]) -> String? {
        if ClientErrorName(rawValue: error) != nil { return nil }
        if let codes = Dialects.named(dialect)?.faultCodes, codes.contains(error) { return nil }
        if error.count >= 3, entries.contains(where: { $0.responseBody.contains(error) }) { return nil }
        if error.hasPrefix("http_"), let status = Int(error.dropFirst(5)), entries.contains(where: { $0.status == status }) {
            return nil
        }
        var message = "\"error\" is \"\(ContractText.clip(error, to: 80))\": not a name of the protocol's vocabulary ("
            + ClientErrorName.names.joined(separator: ", ") + ") nor an error the upstream gave in this step"
        if let renamed = ClientErrorName.formerNames[error] {
            message += "; it is now \"\(renamed.rawValue)\" (\(renamed.meaning))"
        } else if let close = Suggestion.closest(to: error, in: ClientErrorName.names) {
            message += "; did you mean \"\(close)\"?"
        }
        return message
    }
}
