import StarMockCore

/// How a recording of sh4de is read: `X-API-Key` (as `apiDescription` declares), its money
/// answers under `/api/v1/…`, its price list (`GET /api/v1/prices`), and purchases sized by
/// `quantity` (stars) and `months` (premium).
extension Sh4de {
    package var recording: RecordingTraits {
        RecordingTraits(
            credential: apiDescription.security,
            answers: RecordedAnswers(classify: Self.recordedCall, balanceFields: ["balance_usd", "balance"], prices: Self.recordedPrices),
            purchase: PurchaseFields(stars: "quantity", premium: "months"))
    }

    @Sendable static func recordedCall(_ m: String, _ p: [String]) -> RecordedCall {
        if m == "GET", p == ["api", "v1", "balance"] { return .balance }
        if m == "GET", p == ["api", "v1", "prices"] { return .prices }
        if m == "GET", p.count == 4, p[0...2] == ["api", "v1", "user"] { return .user(p[3]) }
        if m == "POST", p.count == 4, p[0...2] == ["api", "v1", "order"], p[3] == "stars" || p[3] == "premium" { return .order(kind: p[3]) }
        if m == "GET", p.count == 4, p[0...2] == ["api", "v1", "order"], let id = Int(p[3]) { return .status(id: id) }
        return .other
    }

    /// `{"stars": {"price_per_star": 0.013, "min_quantity": 50, …}, "premium": {"3_months": 4.99, …}}`.
    @Sendable static func recordedPrices(_ json: JSON?) -> RecordedPrices {
        var pr = RecordedPrices()
        let stars = json?["stars"]
        pr.perStar = stars?["price_per_star"]?.numberText ?? stars?["price_per_star"]?.stringValue
        pr.minStars = stars?["min_quantity"]?.intValue
        for (k, v) in json?["premium"]?.objectPairs ?? [] {
            if let months = Int(k.prefix { $0.isNumber }), let text = v.numberText ?? v.stringValue { pr.premium.append((months, text)) }
        }
        return pr
    }
}
