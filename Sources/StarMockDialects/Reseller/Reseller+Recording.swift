import StarMockCore

/// How a recording of the reseller is read: `Authorization: Bearer` (as `apiDescription`
/// declares) and its money answers (`/balance`, `/topup`, `/orders/{id}`); the contract
/// protocol has no purchase action for it.
extension Reseller {
    package var recording: RecordingTraits {
        RecordingTraits(
            credential: apiDescription.security, answers: RecordedAnswers(classify: Self.recordedCall, balanceFields: ["balance_usd", "balance"]))
    }

    @Sendable static func recordedCall(_ m: String, _ p: [String]) -> RecordedCall {
        if m == "GET", p == ["balance"] { return .balance }
        if m == "POST", p == ["topup"] { return .order(kind: "stars") }
        if m == "GET", p.count == 2, p[0] == "orders" { return .status(id: Int(p[1].filter(\.isNumber)) ?? -1) }
        return .other
    }
}
