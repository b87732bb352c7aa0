import StarMockCore

/// A Bot API method's parameters, wherever the client put them: the query string, then the
/// body (url-encoded form, JSON object or multipart/form-data), as the Bot API server merges
/// them. Every value is text, as there: JSON numbers and booleans become their literal text,
/// JSON objects and arrays their compact JSON (`prices` arrives the same way from every
/// encoding), JSON `null` is as if absent. The first occurrence of a name wins.
public struct TelegramParameters: Sendable {
    /// The parameters in order.
    public private(set) var pairs: [(String, String)]
    /// Names of file parts of a multipart body (uploads); their content is not kept.
    public private(set) var fileNames: [String]

    /// Parameters from pairs.
    public init(_ pairs: [(String, String)], fileNames: [String] = []) {
        self.pairs = pairs
        self.fileNames = fileNames
    }

    /// The value of `name`; nil when absent. An empty value counts as absent, as in the Bot API.
    public subscript(name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1, !value.isEmpty else { return nil }
        return value
    }

    /// Why a body could not be read.
    public enum BodyError: Error, Sendable, Equatable {
        /// `application/json` that is not a JSON object.
        case invalidJSON
        /// `multipart/form-data` that does not parse.
        case invalidMultipart
    }

    /// Reads the query and body of `request`. Bodies of other content types are ignored.
    public static func read(_ request: DialectRequest) -> Result<TelegramParameters, BodyError> {
        var pairs = request.query
        var files: [String] = []
        if !request.body.isEmpty {
            let contentType = request.header("Content-Type") ?? ""
            switch HeaderValue.main(contentType).lowercased() {
            case "application/json":
                guard let json = try? JSON.parse(request.body), let object = json.objectPairs else {
                    return .failure(.invalidJSON)
                }
                for (name, value) in object {
                    switch value {
                    case .null: continue
                    case .string(let s): pairs.append((name, s))
                    case .number(let n): pairs.append((name, n))
                    case .bool(let b): pairs.append((name, b ? "true" : "false"))
                    case .array, .object: pairs.append((name, value.text()))
                    }
                }
            case "application/x-www-form-urlencoded":
                pairs += DialectRequest.parseForm(String(decoding: request.body, as: UTF8.self))
            case "multipart/form-data":
                guard let boundary = HeaderValue.parameters(contentType)["boundary"],
                    let parts = try? MultipartForm.parse(request.body, boundary: boundary)
                else { return .failure(.invalidMultipart) }
                for part in parts {
                    if part.filename != nil {
                        files.append(part.name)
                        continue
                    }
                    guard let text = String(validating: part.content, as: UTF8.self) else {
                        return .failure(.invalidMultipart)
                    }
                    pairs.append((part.name, text))
                }
            default:
                break
            }
        }
        return .success(TelegramParameters(pairs, fileNames: files))
    }

    /// An optional integer parameter; nil when absent.
    func integer(_ name: String) -> Result<Int?, TelegramError> {
        guard let text = self[name] else { return .success(nil) }
        guard let value = Int(text.trimmingSpaces) else { return .failure(.notAnInteger(name)) }
        return .success(value)
    }

    /// A required text parameter.
    func required(_ name: String) -> Result<String, TelegramError> {
        guard let value = self[name] else { return .failure(.parameterRequired(name)) }
        return .success(value)
    }

    /// `true`, `yes` or `1` (any case), as the Bot API reads booleans.
    func bool(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return value == "true" || value == "yes" || value == "1"
    }
}
