import StarMockCore

extension TGMarket {
    /// `{"ok":true, …}`, compact, as the service's page shows.
    func ok(_ fields: [(String, JSON)]) -> DialectResponse {
        .json(200, .object([("ok", .bool(true))] + fields))
    }

    /// `{"ok":false,"error":"<code>"}`; the 408 also carries `order_id`, a 429 `Retry-After`
    /// and a 405 `Allow`.
    func render(_ error: TGMarketError, orderID: Int?? = nil, retryAfter: Duration? = nil) -> DialectResponse {
        var fields: [(String, JSON)] = [("ok", .bool(false)), ("error", .string(error.code))]
        if let orderID { fields.append(("order_id", orderID.map { .int($0) } ?? .null)) }
        var response = DialectResponse.json(error.status, .object(fields))
        if let retryAfter { response.addRetryAfter(retryAfter) }
        return response
    }

    package func renderFault(code: String, request: DialectRequest, in world: inout WorldState) -> DialectResponse? {
        guard let error = TGMarketError.scriptable[code] else { return nil }
        switch error {
        case .timeout:
            // Meant for the purchase paths in phase `after`: the order this request placed
            // exists and stays pending. Otherwise the key's latest order, or null.
            let key = credential(of: request).secret
            let latest = world.orders.values.filter { $0.ref.dialect == id && $0.key == key }.max { $0.ref.id < $1.ref.id }
            return render(.timeout, orderID: .some(latest?.ref.id))
        case .rateLimitExceeded:
            return render(error, retryAfter: .seconds(1))
        default:
            return render(error)
        }
    }

    package func render(_ problem: RequestProblem) -> DialectResponse {
        switch problem {
        case .bodyTooLarge: return render(TGMarketError.payloadTooLarge)
        case .notFound: return render(TGMarketError.notFound)
        case .methodNotAllowed(let allowed):
            var response = render(TGMarketError.methodNotAllowed)
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return response
        case .headersTooLarge: return render(TGMarketError(status: 431, code: "request_headers_too_large"))
        case .badRequest: return render(TGMarketError(status: 400, code: "bad_request"))
        }
    }
}
