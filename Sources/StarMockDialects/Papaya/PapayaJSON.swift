public import StarMockCore

extension JSON {
    /// The bytes System.Text.Json writes for this value with ASP.NET Core's defaults: compact,
    /// and every string escaped by `JavaScriptEncoder.Default`: non-ASCII as `\uXXXX` (UTF-16,
    /// upper-case hex), the HTML-sensitive `"` `&` `'` `+` `<` `>` `` ` `` as `\u0022` …,
    /// `\n` `\r` `\t` `\b` `\f` `\\` as short escapes, other controls and DEL as `\u00XX`.
    /// Numbers are written as their text (the dialect renders doubles the .NET way first).
    public var dotNetBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeDotNet(into: &out)
        return out
    }

    /// The text of `dotNetBytes`.
    public var dotNetText: String { String(decoding: dotNetBytes, as: UTF8.self) }

    private func writeDotNet(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSON.writeDotNetString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeDotNet(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeDotNetString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.writeDotNet(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// One string, by UTF-16 unit: printable ASCII as is (but the HTML-sensitive ones), the
    /// short escapes, everything else `\uXXXX`.
    static func writeDotNetString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for unit in s.utf16 {
            switch unit {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x22, 0x26, 0x27, 0x2B, 0x3C, 0x3E, 0x60: hexEscape(unit, into: &out)
            case 0x20...0x7E: out.append(UInt8(truncatingIfNeeded: unit))
            default: hexEscape(unit, into: &out)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexEscape(_ unit: UInt16, into out: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(unit >> UInt16(shift) & 0xF)]) }
    }
}
