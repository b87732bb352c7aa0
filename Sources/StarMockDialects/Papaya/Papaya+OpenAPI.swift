import StarMockCore

extension Papaya {
    /// Papaya's OpenAPI description: `X-API-Key`; its errors are empty or ProblemDetails, so
    /// their body is left open.
    package var apiDescription: APIDescription {
        APIDescription(
            title: "Papaya (AzothPay) as StarMock serves it", security: .header("X-API-Key"), errorSchema: nil,
            operations: [
                "POST /api/invoice": .init(
                    "Creates an invoice",
                    body: (
                        Schema.object([("title", Schema.string), ("rate", Schema.number), ("period", Schema.string)]),
                        "application/json"
                    ),
                    success: (200, Schema.object([("id", Schema.integer), ("botUrl", Schema.string)], required: ["id"]))),
                "GET /api/invoice/{id}": .init("An invoice"),
                "GET /api/subscriptions": .init("The application's subscriptions"),
                "GET /api/subscriptions/{id}": .init("A subscription"),
            ])
    }
}
