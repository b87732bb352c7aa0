public import StarMockCore

/// One upstream's API: its paths, auth, validation, error catalogue and exact response bytes.
/// A dialect turns a request plus the world into a response and changes to the world; it is
/// called under the world's lock, so a request is one atomic step. It never touches I/O.
public protocol Dialect: Sendable {
    /// The dialect's name in scenarios, keys and the journal (`sh4de`, `tgmarket`, …).
    var name: String { get }

    /// Whether this dialect serves `path` (paths of the served dialects do not collide).
    func claims(path: String) -> Bool

    /// The credential a request presents (API key or bot token), for the journal, fault
    /// selection and rate limits; nil if none.
    func credential(of request: DialectRequest) -> String?

    /// Answers one request.
    func handle(_ request: DialectRequest, in world: inout WorldState) -> DialectReply

    /// The error codes scenarios may script, in the dialect's own spelling.
    var faultCodes: [String] { get }

    /// Renders a scripted fault exactly as the upstream would; nil if `code` is not the
    /// dialect's.
    func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse?

    /// Renders a problem found before the dialect could read the request.
    func render(_ problem: RequestProblem) -> DialectResponse
}
