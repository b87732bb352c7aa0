import StarMockCore

/// A dialect's own error (sh4de's, the generic reseller's): an HTTP status, a code clients
/// read and a message, from one catalogue that also says what a scenario may script.
package protocol CatalogueError: Sendable {
    /// An error.
    init(status: Int, code: String, message: String, allow: [String]?)
    /// The HTTP status.
    var status: Int { get }
    /// The code a scenario scripts it by.
    var code: String { get }
    /// The methods a 405's path does answer, sent as `Allow`.
    var allow: [String]? { get }
    /// The codes a scenario may script, with what they render as.
    static var scriptable: [String: Self] { get }
    /// The code of the rate-limit error, scripted with a wait of 60 s.
    static var rateLimitCode: String { get }
    /// The insufficient-balance error quoting an available balance just below the cost.
    static func insufficientBalance(available: Money) -> Self
    /// No key presented (also: one in another scheme).
    static var missingAPIKey: Self { get }
    /// A key the upstream does not know.
    static var invalidAPIKey: Self { get }
    /// A key that was disabled.
    static var keyDisabled: Self { get }
}

extension CatalogueError {
    /// The body is over the server's limit (ours: `PAYLOAD_TOO_LARGE`).
    package static func payloadTooLarge(_ limit: Int) -> Self {
        Self(status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than \(limit) bytes", allow: nil)
    }

    /// No route for the path (ours: `NOT_FOUND`).
    package static var notFound: Self { Self(status: 404, code: "NOT_FOUND", message: "Unknown endpoint", allow: nil) }

    /// The path does not answer this method (ours: `METHOD_NOT_ALLOWED`, with `Allow`).
    package static func methodNotAllowed(_ allowed: [String]) -> Self {
        Self(
            status: 405, code: "METHOD_NOT_ALLOWED",
            message: "Method not allowed; use \(allowed.filter { $0 != "HEAD" }.joined(separator: ", "))", allow: allowed)
    }

    /// The error for a problem found before an endpoint could read the request.
    package init(_ problem: RequestProblem) {
        switch problem {
        case .bodyTooLarge(let limit): self = .payloadTooLarge(limit)
        case .notFound: self = .notFound
        case .methodNotAllowed(let allowed): self = .methodNotAllowed(allowed)
        case .headersTooLarge(let limit):
            self.init(
                status: 431, code: "REQUEST_HEADERS_TOO_LARGE", message: "Request headers are larger than \(limit) bytes",
                allow: nil)
        case .badRequest(let message): self.init(status: 400, code: "BAD_REQUEST", message: message, allow: nil)
        }
    }

    /// The codes a scenario may script, keyed by their code.
    package static func catalogue(_ errors: [Self]) -> [String: Self] {
        Dictionary(errors.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

extension WorldState {
    /// The available funds of the account behind a presented key (zero when there is none),
    /// for faults that quote a balance.
    package func availableFunds(presenting credential: Credential) -> Money {
        credential.secret.flatMap { keys[$0] }.flatMap { account($0.owner) }?.available ?? .zero
    }
}

/// A dialect whose errors come from one catalogue and render in one shape (sh4de, the generic
/// reseller): scripted faults, routing problems and the fault codes follow from it.
package protocol CatalogueDialect: Dialect {
    /// The catalogue's error type.
    associatedtype Failure: CatalogueError
    /// The error's body (and any header of its own), before `Allow` and `Retry-After`.
    func body(_ error: Failure) -> DialectResponse
}

extension CatalogueDialect {
    /// The catalogue's codes plus `INSUFFICIENT_BALANCE`.
    package var faultCodes: [String] { Failure.scriptable.keys.sorted() + ["INSUFFICIENT_BALANCE"] }

    /// Renders an error: its body, `Allow` on a 405, `Retry-After` when a wait is given.
    package func render(_ error: Failure, retryAfter: Duration? = nil) -> DialectResponse {
        var response = body(error)
        if let retryAfter { response.addRetryAfter(retryAfter) }
        if let allow = error.allow { response.headers.append(("Allow", allow.joined(separator: ", "))) }
        return response
    }

    package func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        if code == "INSUFFICIENT_BALANCE" {
            return render(Failure.insufficientBalance(available: world.availableFunds(presenting: credential(of: request))))
        }
        guard let error = Failure.scriptable[code] else { return nil }
        return render(error, retryAfter: code == Failure.rateLimitCode ? .seconds(60) : nil)
    }

    package func render(_ problem: RequestProblem) -> DialectResponse { render(Failure(problem)) }

    package func refuse(_ failure: AuthFailure, _ request: DialectRequest) -> DialectResponse {
        switch failure {
        case .missing, .malformed: render(Failure.missingAPIKey)
        case .unknown: render(Failure.invalidAPIKey)
        case .disabled: render(Failure.keyDisabled)
        }
    }

    /// The catalogue's rate-limit error with `Retry-After`.
    package func rateLimited(retryAfter: Duration, _ request: DialectRequest) -> DialectResponse {
        guard let error = Failure.scriptable[Failure.rateLimitCode] else { return render(Failure.notFound) }
        return render(error, retryAfter: retryAfter)
    }
}
