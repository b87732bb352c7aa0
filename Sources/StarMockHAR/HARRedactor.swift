/// Takes the credentials out of an archive: `X-API-Key`, `Authorization` (the part after the
/// scheme), bot tokens in `/bot<TOKEN>/` paths, and the same strings wherever else they
/// appear (URLs, any header, request and response bodies). Each secret gets one stable
/// placeholder shaped like it, so one key stays one key and the dialect still accepts it:
/// `sh4de_…` → `sh4de_redacted_1`, `sk-…` → `sk-redacted-2`, a bot token `123:AA…` →
/// `123:REDACTED_3` (the bot's id is public: `getMe` answers it), anything else `REDACTED_4`.
public struct HARRedactor: Sendable {
    /// Secret → placeholder, in the order found.
    public private(set) var placeholders: [(secret: String, placeholder: String)] = []

    public init() {}

    /// The placeholder of `secret`, made on first sight.
    public mutating func placeholder(for secret: String) -> String {
        if let known = placeholders.first(where: { $0.secret == secret }) { return known.placeholder }
        let n = placeholders.count + 1
        let made: String
        if let colon = secret.firstIndex(of: ":"), !secret[..<colon].isEmpty, secret[..<colon].allSatisfy(\.isNumber) {
            made = "\(secret[..<colon]):REDACTED_\(n)"
        } else if let cut = secret.firstIndex(where: { $0 == "_" || $0 == "-" }), secret.distance(from: secret.startIndex, to: cut) <= 8,
            secret[..<cut].allSatisfy({ $0.isLetter || $0.isNumber })
        {
            let sep = secret[cut]
            made = "\(secret[...cut])redacted\(sep)\(n)"
        } else {
            made = "REDACTED_\(n)"
        }
        placeholders.append((secret, made))
        return made
    }

    /// The credentials one request presents.
    public static func secrets(of request: HARRequest) -> [String] {
        var found: [String] = []
        for h in request.headers {
            switch h.name.lowercased() {
            case "x-api-key", "api-key", "x-auth-token":
                let v = h.value.trimmingSpaces
                if !v.isEmpty { found.append(v) }
            case "authorization", "proxy-authorization":
                let v = h.value.trimmingSpaces
                if let space = v.firstIndex(of: " ") {
                    let rest = v[v.index(after: space)...].trimmingSpaces
                    if !rest.isEmpty { found.append(rest) }
                } else if !v.isEmpty {
                    found.append(v)
                }
            default: break
            }
        }
        // /bot<TOKEN>/method (the Bot API's token is part of the path).
        let target = request.target
        let path = target.prefix { $0 != "?" }
        for segment in path.split(separator: "/") where segment.hasPrefix("bot") && segment.count > 3 {
            let token = String(segment.dropFirst(3))
            if token.contains(":") { found.append(token.removingPercentEscapes) ; if token.removingPercentEscapes != token { found.append(token) } }
        }
        return found.filter { $0.count >= 4 }
    }

    /// Redacts every entry, learning the secrets of all of them first (a key seen late is
    /// also taken out of the earlier entries' bodies).
    public mutating func redact(_ har: HAR) -> HAR {
        for entry in har.entries {
            for secret in Self.secrets(of: entry.request) { _ = placeholder(for: secret) }
        }
        var out = har
        out.entries = har.entries.map(redact)
        return out
    }

    /// Replaces every known secret in one entry.
    public func redact(_ entry: HAREntry) -> HAREntry {
        var e = entry
        e.request.url = replace(e.request.url)
        e.request.headers = e.request.headers.map { HARField($0.name, replace($0.value)) }
        e.request.body = replace(e.request.body)
        e.response.headers = e.response.headers.map { HARField($0.name, replace($0.value)) }
        e.response.body = replace(e.response.body)
        e.comment = e.comment.map(replace)
        e.fault = e.fault.map(replace)
        return e
    }

    /// Longest secrets first, so that a secret containing another is replaced whole.
    private var ordered: [(secret: String, placeholder: String)] {
        placeholders.sorted { $0.secret.utf8.count > $1.secret.utf8.count }
    }

    public func replace(_ text: String) -> String {
        String(decoding: replace(Array(text.utf8)), as: UTF8.self)
    }

    public func replace(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for (secret, placeholder) in ordered {
            out = Self.replacing(Array(secret.utf8), with: Array(placeholder.utf8), in: out)
        }
        return out
    }

    static func replacing(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        let last = haystack.count - needle.count
        while i < haystack.count {
            if i <= last, haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: replacement)
                i += needle.count
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return out
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }

    /// `%3A` → `:` (percent escapes decoded; invalid ones kept).
    var removingPercentEscapes: String {
        var bytes: [UInt8] = []
        let u = Array(self.utf8)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: b - 48
            case 65...70: b - 55
            case 97...102: b - 87
            default: nil
            }
        }
        while i < u.count {
            if u[i] == 37, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
