import StarMockCore

extension Reseller {
    /// The generic reseller's OpenAPI description: Bearer keys, `{"error": {"code", "message"}}`.
    package var apiDescription: APIDescription {
        APIDescription(
            title: "The generic B2B top-up reseller as StarMock serves it", security: .bearer,
            errorSchema: Schema.object(
                [("error", Schema.object([("code", Schema.string), ("message", Schema.string)], required: ["code", "message"]))],
                required: ["error"]),
            operations: [
                "POST /validate-user": .init(
                    "Checks a Telegram user",
                    body: (Schema.object([("platform", Schema.string), ("user_id", Schema.string)], required: ["platform", "user_id"]), "application/json")),
                "POST /topup": .init(
                    "Tops a user up with Stars",
                    body: (
                        Schema.object([("platform", Schema.string), ("user_id", Schema.string), ("stars", Schema.integer)], required: ["platform", "user_id", "stars"]),
                        "application/json"
                    )),
                "GET /orders/{id}": .init("An order"),
                "GET /balance": .init("The balance"),
                "GET /packages": .init("The Stars packages and their prices"),
            ])
    }
}
