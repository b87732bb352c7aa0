import StarMockCore

/// The responses of an ASP.NET Core app: JSON bodies, ProblemDetails and
/// ValidationProblemDetails with a W3C `traceId`, and the empty bodies its middleware sends.
enum PapayaResponse {
    static let jsonType = "application/json; charset=utf-8"
    static let problemType = "application/problem+json; charset=utf-8"

    /// A 200 JSON body.
    static func ok(_ value: JSON) -> DialectResponse {
        DialectResponse(status: 200, headers: [("Content-Type", jsonType)], body: value.dotNetBytes)
    }

    /// A status with no body (401 from the authentication handler, 404 and 405 from routing,
    /// 413 from Kestrel, 429 and 503 from the rate limiter).
    static func empty(_ status: Int, headers: [(String, String)] = []) -> DialectResponse {
        DialectResponse(status: status, headers: headers, body: [])
    }

    /// `type` links and titles of ASP.NET Core's `ProblemDetails` defaults (.NET 8).
    static func typeAndTitle(_ status: Int) -> (String, String) {
        switch status {
        case 400: ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request")
        case 404: ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found")
        case 415: ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type")
        case 500: ("https://tools.ietf.org/html/rfc9110#section-15.6.1", "An error occurred while processing your request.")
        default: ("https://tools.ietf.org/html/rfc9110", "Error")
        }
    }

    /// `00-<32 hex>-<16 hex>-00`, from the world's seeded generator.
    static func traceID(_ world: inout WorldState) -> String {
        "00-" + world.randomHex(32) + "-" + world.randomHex(16) + "-00"
    }

    /// `{"type","title","status"[,"detail"],"traceId"}`.
    static func problem(_ status: Int, detail: String? = nil, in world: inout WorldState) -> DialectResponse {
        let (type, title) = typeAndTitle(status)
        var fields: [(String, JSON)] = [("type", .string(type)), ("title", .string(title)), ("status", .int(status))]
        if let detail { fields.append(("detail", .string(detail))) }
        fields.append(("traceId", .string(traceID(&world))))
        return DialectResponse(
            status: status, headers: [("Content-Type", problemType)], body: JSON.object(fields).dotNetBytes)
    }

    /// `{"type","title":"One or more validation errors occurred.","status":400,"errors":{…},"traceId"}`.
    static func validation(_ errors: [(String, [String])], in world: inout WorldState) -> DialectResponse {
        let body = JSON.object([
            ("type", .string("https://tools.ietf.org/html/rfc9110#section-15.5.1")),
            ("title", .string("One or more validation errors occurred.")),
            ("status", .int(400)),
            ("errors", .object(errors.map { ($0.0, .array($0.1.map(JSON.string))) })),
            ("traceId", .string(traceID(&world))),
        ])
        return DialectResponse(status: 400, headers: [("Content-Type", problemType)], body: body.dotNetBytes)
    }
}
