import StarMockCore

/// The TG Market dialect (tg-market.store, seed 000): `Authorization: Bearer sk-…`, base path
/// `/api/v2`, `ok: true/false` envelopes with lowercase error codes, 10 requests per second
/// per key, funds *reserved* when an order is placed and settled or released when it ends,
/// and `?wait=true` holding a purchase open until its order ends (408 after 90 s).
package struct TGMarket: Dialect {
    /// `tgmarket`.
    package static let id: DialectID = "tgmarket"
    package var id: DialectID { Self.id }

    /// The dialect.
    package init() {}

    package var endpoints: EndpointTable { Self.table }

    /// The documented endpoints (FastAPI-style: HEAD is answered as GET).
    static let table = EndpointTable(scopeDepth: 2, [
        Endpoint(.get, "/api/v2/balance") { call, world in TGMarket().balance(key: call.key, world: world) },
        Endpoint(.post, "/api/v2/stars", reply: { call, world in TGMarket().purchase(.stars, call, world: &world) }),
        Endpoint(.post, "/api/v2/premium", reply: { call, world in TGMarket().purchase(.premium, call, world: &world) }),
        Endpoint(.get, "/api/v2/stars/{id}") { call, world in TGMarket().status(.stars, call, world: &world) },
        Endpoint(.get, "/api/v2/premium/{id}") { call, world in TGMarket().status(.premium, call, world: &world) },
    ])

    /// `Authorization: Bearer <token>` (scheme case-insensitive, as RFC 9110 says); an absent or
    /// blank header is missing, any other scheme invalid.
    package func credential(of request: DialectRequest) -> Credential {
        guard let header = request.header("Authorization"), !header.trimmingSpaces.isEmpty else { return .absent }
        return request.bearerToken.map(Credential.presented) ?? .malformed
    }

    package func refuse(_ failure: AuthFailure, _ request: DialectRequest) -> DialectResponse {
        switch failure {
        case .missing: render(.missingAPIKey)
        case .malformed, .unknown, .disabled: render(.invalidAPIKey)
        }
    }

    package func rateLimited(retryAfter: Duration, _ request: DialectRequest) -> DialectResponse {
        render(.rateLimitExceeded, retryAfter: retryAfter)
    }

    /// 10 requests per second per key.
    package func defaultRateLimit(_ setup: WorldSetup) -> RateLimit? { .perSecond10 }

    package var faultCodes: [String] { TGMarketError.scriptable.keys.sorted() }

    package var priceList: PriceListRule { .documented(.tgmarket) }

    /// Purchases may be held with `?wait=true`, or polled.
    package var documentsWaiting: Bool { true }

    package func asksToWait(_ request: DialectRequest) -> Bool { Self.wantsToWait(request) }

    /// What a purchase buys: the two product paths.
    enum Product: String, Equatable {
        case stars, premium
    }

    /// `{"ok":true,"balance_usd":25.5,"locked_usd":2.0,"available_usd":23.5}`; the balance is
    /// available + locked.
    func balance(key: APIKey, world: WorldState) -> DialectResponse {
        guard let account = world.account(key.owner) else { return render(.userNotFound) }
        return ok([
            ("balance_usd", .number(account.total.shortDecimal)),
            ("locked_usd", .number(account.locked.shortDecimal)),
            ("available_usd", .number(account.available.shortDecimal)),
        ])
    }
}


extension TGMarket {
    /// `sk-demo-tgmarket`, balance 25.50; the next order is 42.
    package func addDemo(to setup: inout WorldSetup) {
        setup.keys.append(APIKey(key: "sk-demo-tgmarket", dialect: id, label: "Demo", owner: "demo-tgmarket"))
        setup.accounts["demo-tgmarket"] = Account(available: Money(cents: 2550))
        setup.firstOrderID[id] = 42
    }
}

extension PriceList {
    /// TG Market: 1.20 for 100 stars as documented; the rest is our choice (see docs).
    package static let tgmarket = PriceList(
        perStar: UnitPrice(micros: 12_000), minStars: 50,
        premium: [3: Money(cents: 499), 6: Money(cents: 899), 12: Money(cents: 1599)])
}
