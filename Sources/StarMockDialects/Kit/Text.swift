extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: String { trimmed(.http) }

    /// Without leading and trailing whitespace of this kind.
    func trimmed(_ whitespace: Whitespace) -> String {
        if whitespace == .http {
            // Spaces and tabs are single bytes: trimmed as bytes, without a copy when none.
            let string = String(self)
            let bytes = string.utf8
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
            let last = bytes.lastIndex(where: { !isSpace($0) })!
            return String(string[first...last])
        }
        let scalars = String(self).unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool =
            switch whitespace {
            case .http: { $0 == " " || $0 == "\t" }
            case .unicode: { $0.properties.isWhitespace }
            }
        let start = scalars.firstIndex { !isSpace($0) } ?? scalars.endIndex
        let end = scalars.lastIndex { !isSpace($0) }.map { scalars.index(after: $0) } ?? start
        return start < end ? String(scalars[start..<end]) : ""
    }
}

/// Which characters count as whitespace when trimming.
enum Whitespace {
    /// Spaces and tabs, as HTTP header values pad (RFC 9110 OWS).
    case http
    /// Every Unicode whitespace character, as .NET's `string.Trim()` and its number binding.
    case unicode
}
