import StarMockCore

/// The invoice parameters `createInvoiceLink` and `sendInvoice` share, read and checked in the
/// Bot API server's order (required texts, then `prices`), then Telegram's Stars rules.
struct StarsInvoice: Equatable {
    var title: String
    var description: String
    var payload: String
    var startParameter: String
    var stars: Int

    static func read(_ p: TelegramParameters, maxStars: Int) -> Result<StarsInvoice, TelegramError> {
        var texts: [String] = []
        for name in ["title", "description", "payload", "currency", "prices"] {
            guard let value = p[name] else { return .failure(.parameterRequired(name)) }
            texts.append(value)
        }
        let (title, description, payload, currency, pricesText) = (texts[0], texts[1], texts[2], texts[3], texts[4])
        let amounts: [Int]
        switch labeledPrices(pricesText) {
        case .success(let a): amounts = a
        case .failure(let e): return .failure(e)
        }
        var maxTip = 0
        if let tipText = p["max_tip_amount"] {
            guard let tip = Int(tipText) else { return .failure(.maxTipNotNumber) }
            maxTip = tip
        }
        // TDLib's own checks, then Telegram's: Stars invoices have one price, no provider and
        // no tips; any other currency needs a payment provider, and this world has none.
        let total = amounts.reduce(0, +)
        guard total > 0 else { return .failure(.totalNotPositive) }
        guard currency == "XTR" else { return .failure(.paymentProviderInvalid) }
        guard p["provider_token"] == nil, amounts.count == 1, maxTip == 0, p["suggested_tip_amounts"] == nil else {
            return .failure(.starsInvoiceInvalid)
        }
        guard total <= maxStars else { return .failure(.currencyTotalAmountInvalid) }
        return .success(
            StarsInvoice(
                title: title, description: description, payload: payload, startParameter: p["start_parameter"] ?? "",
                stars: total))
    }

    /// `[{"label":"…","amount":N}, …]` → the amounts, with the Bot API server's messages.
    static func labeledPrices(_ text: String) -> Result<[Int], TelegramError> {
        guard let json = try? JSON.parse(text) else { return .failure(.pricesNotJSON) }
        guard let items = json.arrayValue else { return .failure(.pricesNotArray) }
        var amounts: [Int] = []
        for item in items {
            guard item.objectPairs != nil else { return .failure(.labeledPrice("LabeledPrice must be an Object")) }
            switch item["label"] {
            case nil: return .failure(.labeledPrice("Can't find field \"label\""))
            case .string(let s)?:
                if s.isEmpty { return .failure(.labeledPrice("LabeledPrice label must be non-empty")) }
            case .number?: break
            default: return .failure(.labeledPrice("Field \"label\" must be of type String"))
            }
            switch item["amount"] {
            case nil: return .failure(.labeledPrice("Can't find field \"amount\""))
            case .number(let n)?, .string(let n)?:
                guard let amount = Int(n) else {
                    return .failure(.labeledPrice("Field \"amount\" must be a valid Number"))
                }
                amounts.append(amount)
            default: return .failure(.labeledPrice("Field \"amount\" must be a Number"))
            }
        }
        guard !amounts.isEmpty else { return .failure(.noPrices) }
        return .success(amounts)
    }
}
