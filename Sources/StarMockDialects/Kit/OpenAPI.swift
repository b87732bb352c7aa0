import StarMockCore

/// What a dialect tells its OpenAPI document beyond its endpoint table: the credential, the
/// error body's shape, and per endpoint a summary, query parameters, a request body and the
/// success body's schema. Everything is optional: an endpoint with no entry is still
/// documented from the table (method, path, path parameters, the error shape).
package struct APIDescription: Sendable {
    /// How a request presents its credential.
    package enum Security: Sendable {
        /// In this header (`X-API-Key`).
        case header(String)
        /// `Authorization: Bearer …`.
        case bearer
        /// In the path (the Bot API's `bot{token}`): nothing to declare.
        case path
    }

    /// One endpoint's description, keyed by `"METHOD /path/template"` (`"GET /api/v1/order/{id}"`;
    /// `"* /bot{token}/getMe"` for an endpoint of any method).
    package struct Operation: Sendable {
        package var summary: String
        /// Query parameters: name, JSON Schema, required.
        package var query: [(name: String, schema: JSON, required: Bool)]
        /// The request body's JSON Schema and content type; nil: no body.
        package var body: (schema: JSON, contentType: String)?
        /// The success status and its body's JSON Schema (nil: any JSON).
        package var success: (status: Int, schema: JSON?)

        package init(
            _ summary: String, query: [(name: String, schema: JSON, required: Bool)] = [],
            body: (schema: JSON, contentType: String)? = nil, success: (status: Int, schema: JSON?) = (200, nil)
        ) {
            self.summary = summary
            self.query = query
            self.body = body
            self.success = success
        }
    }

    package var title: String
    package var security: Security
    /// The JSON Schema every error body has; nil: errors have no body (or any).
    package var errorSchema: JSON?
    /// The content type errors are sent with.
    package var errorContentType: String
    /// Per-endpoint descriptions.
    package var operations: [String: Operation]

    package init(
        title: String, security: Security, errorSchema: JSON?, errorContentType: String = "application/json",
        operations: [String: Operation] = [:]
    ) {
        self.title = title
        self.security = security
        self.errorSchema = errorSchema
        self.errorContentType = errorContentType
        self.operations = operations
    }
}

/// JSON Schema helpers for descriptions.
package enum Schema {
    package static let string: JSON = .object([("type", .string("string"))])
    package static let integer: JSON = .object([("type", .string("integer"))])
    package static let number: JSON = .object([("type", .string("number"))])
    package static let boolean: JSON = .object([("type", .string("boolean"))])
    package static let any: JSON = .object([])

    /// An object with these properties, the `required` ones required; others allowed.
    package static func object(_ properties: [(String, JSON)], required: [String] = []) -> JSON {
        var fields: [(String, JSON)] = [("type", .string("object")), ("properties", .object(properties))]
        if !required.isEmpty { fields.append(("required", .array(required.map(JSON.string)))) }
        return .object(fields)
    }

    package static func array(_ items: JSON) -> JSON { .object([("type", .string("array")), ("items", items)]) }

    package static func oneOf(_ choices: [JSON]) -> JSON { .object([("oneOf", .array(choices))]) }

    package static func enumerated(_ values: [JSON]) -> JSON { .object([("enum", .array(values))]) }
}

/// An OpenAPI 3.1 document generated from a dialect's endpoint table and its description.
package enum OpenAPIDocument {
    package static func generate(for dialect: any Dialect) -> JSON {
        let description = dialect.apiDescription
        var paths: [(String, JSON)] = []
        var index: [String: Int] = [:]
        for endpoint in dialect.endpoints.endpoints {
            let path = endpoint.path.text
            let methods = endpoint.method.map { [$0] } ?? [.get, .post]
            var operations: [(String, JSON)] = []
            for method in methods {
                let key = "\(endpoint.method?.name ?? "*") \(path)"
                let doc = description.operations[key]
                operations.append((method.name.lowercased(), operation(endpoint, method: method, doc: doc, in: description)))
            }
            if let at = index[path], case .object(let existing) = paths[at].1 {
                paths[at].1 = .object(existing + operations)
            } else {
                index[path] = paths.count
                paths.append((path, .object(operations)))
            }
        }
        var components: [(String, JSON)] = []
        var security: [JSON] = []
        switch description.security {
        case .header(let name):
            components.append(
                ("securitySchemes", .object([("credential", .object([("type", .string("apiKey")), ("in", .string("header")), ("name", .string(name))]))])))
            security = [.object([("credential", .array([]))])]
        case .bearer:
            components.append(
                ("securitySchemes", .object([("credential", .object([("type", .string("http")), ("scheme", .string("bearer"))]))])))
            security = [.object([("credential", .array([]))])]
        case .path:
            break
        }
        var document: [(String, JSON)] = [
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string(description.title)), ("version", .string("starmock")),
                    ("description", .string("Generated by StarMock from the \(dialect.id.name) dialect's endpoint table.")),
                ])
            ),
            ("paths", .object(paths)),
        ]
        if !components.isEmpty { document.append(("components", .object(components))) }
        if !security.isEmpty { document.append(("security", .array(security))) }
        return .object(document)
    }

    private static func operation(
        _ endpoint: Endpoint, method: HTTPMethod, doc: APIDescription.Operation?, in description: APIDescription
    ) -> JSON {
        var parameters: [JSON] = []
        for segment in endpoint.path.segments {
            guard case .capture(_, let name) = segment else { continue }
            parameters.append(
                .object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", Schema.string)]))
        }
        for q in doc?.query ?? [] {
            parameters.append(
                .object([("name", .string(q.name)), ("in", .string("query")), ("required", .bool(q.required)), ("schema", q.schema)]))
        }
        let success: (status: Int, schema: JSON?) = doc?.success ?? (200, nil)
        var successResponse: [(String, JSON)] = [("description", .string("Success"))]
        successResponse.append(("content", .object([("application/json", .object([("schema", success.schema ?? Schema.any)]))])))
        var errorResponse: [(String, JSON)] = [("description", .string("An error, in the dialect's own shape"))]
        if let schema = description.errorSchema {
            errorResponse.append(("content", .object([(description.errorContentType, .object([("schema", schema)]))])))
        }
        var fields: [(String, JSON)] = [
            ("operationId", .string(operationID(method, endpoint.path.text))),
            ("summary", .string(doc?.summary ?? "\(method.name) \(endpoint.path.text)")),
        ]
        if !parameters.isEmpty { fields.append(("parameters", .array(parameters))) }
        if let body = doc?.body {
            fields.append(
                ("requestBody", .object([("required", .bool(true)), ("content", .object([(body.contentType, .object([("schema", body.schema)]))]))])))
        }
        fields.append(("responses", .object([(String(success.status), .object(successResponse)), ("default", .object(errorResponse))])))
        return .object(fields)
    }

    private static func operationID(_ method: HTTPMethod, _ path: String) -> String {
        let words = path.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return method.name.lowercased() + words.joined()
    }
}
