import StarMockDialects

/// Who may call the control API over HTTP: only this machine's own clients, never a web page.
///
/// - The `Host` must name the address the server is bound to, the address the connection
///   arrived on, `localhost` or a loopback address: a DNS-rebound name (`evil.example`
///   resolving to 127.0.0.1) is refused.
/// - A browser's cross-site request is refused: an `Origin` naming another host (or `null`),
///   or `Sec-Fetch-Site: cross-site`. curl and test clients send neither.
/// - With a token, `Authorization: Bearer TOKEN` is required.
///
/// The dialects' own endpoints never pass here, and neither does the in-process
/// `Server.control(…)`.
struct AdminGuard: Sendable {
    /// The token `Authorization: Bearer …` must carry; nil: none needed.
    let token: String?
    /// The address the server is bound to.
    let boundHost: String

    /// The refusal for `request`, or nil when it may go on. `localAddress` is the IP the
    /// connection arrived on.
    func refusal(_ request: DialectRequest, localAddress: String?) -> DialectResponse? {
        var allowed: Set<String> = ["localhost", "127.0.0.1", "::1"]
        allowed.insert(Self.normalized(boundHost))
        if let localAddress { allowed.insert(Self.normalized(localAddress)) }
        if let host = request.header("Host") {
            let name = Self.hostName(host)
            guard allowed.contains(name) || Self.isLoopback(name) else {
                return Control.error(
                    403, "Host \"\(host)\" is not this server's address; the control API answers only to its own host names")
            }
        }
        if let origin = request.header("Origin") {
            let name = Self.originHost(origin)
            guard let name, allowed.contains(name) || Self.isLoopback(name) else {
                return Control.error(403, "Cross-site request refused: Origin \"\(origin)\" is not this server")
            }
        }
        if request.header("Sec-Fetch-Site")?.lowercased() == "cross-site" {
            return Control.error(403, "Cross-site request refused (Sec-Fetch-Site: cross-site)")
        }
        if let token {
            let presented = request.header("Authorization").flatMap(Self.bearer)
            guard let presented, Self.constantTimeEquals(presented, token) else {
                var response = Control.error(401, "The control API needs Authorization: Bearer <admin token>")
                response.headers.append(("WWW-Authenticate", "Bearer realm=\"starmock-admin\""))
                return response
            }
        }
        return nil
    }

    /// Whether `host` is a loopback name or address (`localhost`, 127.0.0.0/8, `::1`).
    static func isLoopback(_ host: String) -> Bool {
        let name = normalized(host)
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The host name of a `Host` header: without the port and the brackets of an IPv6 address.
    static func hostName(_ header: String) -> String {
        let value = header.trimmingSpaces
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
            return normalized(String(value[value.index(after: value.startIndex)..<close]))
        }
        if value.count(where: { $0 == ":" }) == 1, let colon = value.firstIndex(of: ":") {
            return normalized(String(value[..<colon]))
        }
        return normalized(value)
    }

    /// The host of an `Origin` (`http://127.0.0.1:8080` → `127.0.0.1`); nil for `null` or
    /// anything without a scheme.
    static func originHost(_ origin: String) -> String? {
        guard let scheme = origin.firstRange(of: "://") else { return nil }
        let rest = origin[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { return nil }
        return hostName(String(authority))
    }

    static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name.hasPrefix("::ffff:") { name.removeFirst(7) }
        return name
    }

    static func bearer(_ header: String) -> String? {
        let value = header.trimmingSpaces
        guard value.count > 7, value.prefix(7).lowercased() == "bearer " else { return nil }
        return String(value.dropFirst(7)).trimmingSpaces
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
