/// A small `multipart/form-data` reader (RFC 7578): enough for Bot API clients, which post
/// text fields and, for uploads, files.
enum MultipartForm {
    /// One part.
    struct Part: Sendable, Equatable {
        /// The `name` of its `Content-Disposition`.
        var name: String
        /// The `filename`, for file parts.
        var filename: String?
        /// The raw content.
        var content: [UInt8]
    }

    struct Malformed: Error, Equatable {
        let reason: String
    }

    /// The parts of `body` delimited by `boundary`.
    static func parse(_ body: [UInt8], boundary: String) throws(Malformed) -> [Part] {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw Malformed(reason: "bad boundary") }
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        // The first delimiter may be preceded by a preamble; every later one by CRLF.
        guard var index = find(delimiter, in: body, from: 0) else { throw Malformed(reason: "no opening boundary") }
        index += delimiter.count
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" closes the body; otherwise optional whitespace and CRLF.
            if hasPrefix([45, 45], body, at: index) { return parts }
            while index < body.count, body[index] == 32 || body[index] == 9 { index += 1 }
            guard hasPrefix(crlf, body, at: index) else { throw Malformed(reason: "boundary not followed by CRLF") }
            index += 2
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: index) else {
                throw Malformed(reason: "unterminated part headers")
            }
            let headerText = String(decoding: body[index..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = find(crlf + delimiter, in: body, from: contentStart) else {
                throw Malformed(reason: "unterminated part")
            }
            parts.append(try part(headers: headerText, content: Array(body[contentStart..<next])))
            index = next + 2 + delimiter.count
        }
    }

    static func part(headers: String, content: [UInt8]) throws(Malformed) -> Part {
        for line in headers.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            guard line[..<colon].trimmingSpaces.lowercased() == "content-disposition" else { continue }
            let value = line[line.index(after: colon)...]
            let params = HeaderValue.parameters(String(value))
            guard HeaderValue.main(String(value)).lowercased() == "form-data", let name = params["name"] else {
                throw Malformed(reason: "part is not form-data with a name")
            }
            return Part(name: name, filename: params["filename"], content: content)
        }
        throw Malformed(reason: "part without Content-Disposition")
    }

    static func hasPrefix(_ prefix: [UInt8], _ bytes: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for i in 0..<prefix.count where bytes[index + i] != prefix[i] { return false }
        return true
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var i = max(0, start)
        let first = needle[0]
        while i <= bytes.count - needle.count {
            if bytes[i] == first, hasPrefix(needle, bytes, at: i) { return i }
            i += 1
        }
        return nil
    }
}

/// `multipart/form-data; boundary="x"` → main value and parameters.
enum HeaderValue {
    /// The value before the first `;`, trimmed.
    static func main(_ value: String) -> String {
        String(value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces
    }

    /// `name=value` pairs after the first `;`, names lowercased, quotes removed.
    static func parameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        guard let semicolon = rest.firstIndex(of: ";") else { return result }
        rest = rest[rest.index(after: semicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ";" }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let name = rest[..<eq].trimmingSpaces.lowercased()
            rest = rest[rest.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
            var val = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if c == "\\", let escaped = rest.first {
                        val.append(escaped)
                        rest = rest.dropFirst()
                    } else if c == "\"" {
                        break
                    } else {
                        val.append(c)
                    }
                }
                if let semi = rest.firstIndex(of: ";") { rest = rest[semi...] } else { rest = "" }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                val = rest[..<end].trimmingSpaces
                rest = rest[end...]
            }
            if result[name] == nil { result[name] = val }
        }
        return result
    }
}

