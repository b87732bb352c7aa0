public import StarMockCore

extension JSON {
    /// The layout of the seed's bodies, `{ "valid": true, "username": "@username" }`: one line,
    /// a space inside braces and brackets and after every `:` and `,`; empty ones stay `{}`, `[]`.
    public var spacedText: String { String(decoding: spacedBytes, as: UTF8.self) }

    /// The UTF-8 bytes of `spacedText`, written in one pass.
    public var spacedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeSpaced(into: &out)
        return out
    }

    private func writeSpaced(into out: inout [UInt8]) {
        switch self {
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(contentsOf: "[ ".utf8)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                item.writeSpaced(into: &out)
            }
            out.append(contentsOf: " ]".utf8)
        case .object(let pairs):
            if pairs.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(contentsOf: "{ ".utf8)
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                JSON.writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                value.writeSpaced(into: &out)
            }
            out.append(contentsOf: " }".utf8)
        case .string(let s): JSON.writeString(s, into: &out)
        default: out.append(contentsOf: bytes())
        }
    }
}
