import StarMockCore

extension Sh4de {
    /// sh4de's OpenAPI description: `X-API-Key`, its one error shape, the order bodies.
    package var apiDescription: APIDescription {
        let order = { (field: String) -> JSON in
            Schema.object([("username", Schema.string), (field, Schema.integer)], required: ["username", field])
        }
        return APIDescription(
            title: "sh4de (docs.sh4de.space) as StarMock serves it", security: .header("X-API-Key"),
            errorSchema: Schema.object(
                [("status", Schema.enumerated([.string("error")])), ("code", Schema.string), ("message", Schema.string)],
                required: ["status", "code", "message"]),
            operations: [
                "GET /api/v1/prices": .init("The price list"),
                "GET /api/v1/balance": .init(
                    "The key's balance",
                    success: (200, Schema.object([("balance_usd", Schema.number), ("total_orders", Schema.integer)], required: ["balance_usd"]))),
                "GET /api/v1/user/{username}": .init("Whether a Telegram user can receive Stars and Premium"),
                "POST /api/v1/order/stars": .init("Buys Stars", body: (order("quantity"), "application/json")),
                "POST /api/v1/order/premium": .init("Buys Premium", body: (order("months"), "application/json")),
                "GET /api/v1/order/{id}": .init("An order's status (the body has \"status\" twice)"),
            ])
    }
}
