import StarMockCore

/// How a recording of TG Market is read: `Authorization: Bearer` (as `apiDescription`
/// declares), its money answers under `/api/v2/…` (the balance in `balance_usd` only), and
/// purchases sized by `amount` (stars) and `duration` (premium).
extension TGMarket {
    package var recording: RecordingTraits {
        RecordingTraits(
            credential: apiDescription.security,
            answers: RecordedAnswers(classify: Self.recordedCall, balanceFields: ["balance_usd"]),
            purchase: PurchaseFields(stars: "amount", premium: "duration"))
    }

    @Sendable static func recordedCall(_ m: String, _ p: [String]) -> RecordedCall {
        if m == "GET", p == ["api", "v2", "balance"] { return .balance }
        if m == "POST", p.count == 3, p[0...1] == ["api", "v2"], p[2] == "stars" || p[2] == "premium" { return .order(kind: p[2]) }
        if m == "GET", p.count == 4, p[0...1] == ["api", "v2"], p[2] == "stars" || p[2] == "premium", let id = Int(p[3]) { return .status(id: id) }
        return .other
    }
}
