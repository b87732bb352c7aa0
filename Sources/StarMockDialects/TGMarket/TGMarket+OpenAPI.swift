import StarMockCore

extension TGMarket {
    /// TG Market's OpenAPI description: Bearer keys, `{"ok": false, "error": …}` errors.
    package var apiDescription: APIDescription {
        let user = ("username", Schema.string)
        return APIDescription(
            title: "TG Market (tg-market.store) as StarMock serves it", security: .bearer,
            errorSchema: Schema.object(
                [("ok", Schema.enumerated([.bool(false)])), ("error", Schema.string), ("order_id", Schema.oneOf([Schema.integer, .object([("type", .string("null"))])]))],
                required: ["ok", "error"]),
            operations: [
                "GET /api/v2/balance": .init("The balance, available and locked"),
                "POST /api/v2/stars": .init(
                    "Buys Stars (funds reserved until the order ends)",
                    body: (Schema.object([user, ("amount", Schema.integer)], required: ["username", "amount"]), "application/json")),
                "POST /api/v2/premium": .init(
                    "Buys Premium",
                    body: (Schema.object([user, ("duration", Schema.integer)], required: ["username", "duration"]), "application/json")),
                "GET /api/v2/stars/{id}": .init("A Stars order"),
                "GET /api/v2/premium/{id}": .init("A Premium order"),
            ])
    }
}
