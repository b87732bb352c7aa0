import StarMockCore

/// One endpoint of the control API (`/__admin/…`): plain JSON, no credential, one transaction.
package struct ControlEndpoint: Sendable {
    /// The method it answers.
    package let method: HTTPMethod
    /// The path template, under `/__admin`.
    package let path: PathTemplate
    /// What it does, inside one world transaction.
    package let handler: @Sendable (ControlCall, inout WorldState) -> DialectResponse

    /// An endpoint.
    package init(
        _ method: HTTPMethod, _ path: PathTemplate,
        _ handler: @escaping @Sendable (ControlCall, inout WorldState) -> DialectResponse
    ) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

/// A control-API request and its path captures.
package struct ControlCall: Sendable {
    /// The request.
    package let request: DialectRequest
    /// Captured path segments by name.
    package let captures: [String: String]

    /// A call.
    package init(request: DialectRequest, captures: [String: String]) {
        self.request = request
        self.captures = captures
    }

    /// A captured path segment.
    package subscript(_ name: String) -> String { captures[name] ?? "" }

    /// The body as a JSON object, or the control API's 400 saying why not.
    package func object() -> Result<JSON, ControlFailure> { Control.parseObject(request) }
}

/// A control-API answer that ends the handler early.
package struct ControlFailure: Error, Sendable {
    /// The answer.
    package let response: DialectResponse
}

/// The control API's bodies: `{"error": "…"}` for mistakes, plain objects otherwise.
package enum Control {
    /// `200` with these fields.
    package static func ok(_ fields: [(String, JSON)]) -> DialectResponse { .json(200, .object(fields)) }

    /// `{"error": message}` with this status.
    package static func error(_ status: Int, _ message: String) -> DialectResponse {
        .json(status, .object([("error", .string(message))]))
    }

    /// The body as a JSON object.
    package static func parseObject(_ request: DialectRequest) -> Result<JSON, ControlFailure> {
        do {
            let body = try JSON.parse(request.body)
            guard body.objectPairs != nil else {
                return .failure(ControlFailure(response: error(400, "Body must be a JSON object")))
            }
            return .success(body)
        } catch {
            return .failure(ControlFailure(response: Self.error(400, "Body is not JSON: \(error)")))
        }
    }
}
