public import StarMockCore

extension JSON {
    /// The bytes System.Text.Json writes for this value with ASP.NET Core's defaults: compact,
    /// and every string escaped by `JavaScriptEncoder.Default`: non-ASCII as `\uXXXX` (UTF-16,
    /// upper-case hex), the HTML-sensitive `"` `&` `'` `+` `<` `>` `` ` `` as `\u0022` …,
    /// `\n` `\r` `\t` `\b` `\f` `\\` as short escapes, other controls and DEL as `\u00XX`.
    /// Numbers are written as their text (the dialect renders doubles the .NET way first).
    public var dotNetBytes: [UInt8] { Array(dotNetText.utf8) }

    /// The text of `dotNetBytes`.
    public var dotNetText: String {
        var out = ""
        writeDotNet(into: &out)
        return out
    }

    private func writeDotNet(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.writeDotNetString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeDotNet(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSON.writeDotNetString(key, into: &out)
                out += ":"
                value.writeDotNet(into: &out)
            }
            out += "}"
        }
    }

    static func writeDotNetString(_ s: String, into out: inout String) {
        out += "\""
        // Runs of characters written as they are are appended whole; only the escaped ones
        // one by one (a run is printable ASCII, so its ends are character boundaries).
        let units = s.utf16
        var run = units.startIndex
        var i = units.startIndex
        while i < units.endIndex {
            let unit = units[i]
            let escape: String? =
                switch unit {
                case 0x5C: "\\\\"
                case 0x0A: "\\n"
                case 0x0D: "\\r"
                case 0x09: "\\t"
                case 0x08: "\\b"
                case 0x0C: "\\f"
                case 0x22, 0x26, 0x27, 0x2B, 0x3C, 0x3E, 0x60: hexEscape(unit)
                case 0x20...0x7E: nil
                default: hexEscape(unit)
                }
            if let escape {
                if run < i { out += s[run..<i] }
                out += escape
                run = units.index(after: i)
            }
            i = units.index(after: i)
        }
        if run < units.endIndex { out += s[run...] }
        out += "\""
    }

    private static func hexEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
