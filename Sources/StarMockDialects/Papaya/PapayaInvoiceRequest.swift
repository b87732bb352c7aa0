import StarMockCore

/// Papaya's `InvoiceRequest {title?, message?, rate: double, period, metadata?}`, read the way
/// ASP.NET Core's System.Text.Json input formatter reads it (web defaults: property names
/// case-insensitive, the last duplicate wins, numbers may come as strings, unknown properties
/// ignored, enum names case-insensitive), then validated like data annotations would.
struct PapayaInvoiceRequest: Equatable {
    var title: String?
    var message: String?
    var rate: PapayaRate
    var period: PapayaPeriod
    var metadata: JSON?

    /// Longest `title` (ours, `[StringLength(256)]`).
    static let maximumTitleLength = 256
    /// Longest `message` (ours, `[StringLength(4096)]`).
    static let maximumMessageLength = 4096
    /// Allowed rates (ours, `[Range(0.000001, 1000000000)]`).
    static let minimumRate = PapayaRate("0.000001")!
    static let maximumRate = PapayaRate("1000000000")!

    /// The model-state errors, in the order ASP.NET lists them.
    typealias Errors = [(String, [String])]

    static let requestRequired = ("request", ["The request field is required."])

    /// Reads and validates a body; the errors are a ValidationProblemDetails' `errors`.
    static func read(_ body: [UInt8]) -> Result<PapayaInvoiceRequest, ValidationFailure> {
        guard !body.isEmpty else {
            return .failure(ValidationFailure(errors: [("", ["A non-empty request body is required."])]))
        }
        let json: JSON
        do {
            json = try JSON.parse(body)
        } catch {
            let (line, column) = position(of: error.offset, in: body)
            return .failure(
                ValidationFailure(errors: [
                    ("$", ["The JSON is invalid: \(error.reason). Path: $ | LineNumber: \(line) | BytePositionInLine: \(column)."]),
                    requestRequired,
                ]))
        }
        guard let pairs = json.objectPairs else { return .failure(conversion(path: "$", type: "InvoiceRequest")) }

        var title: String?
        var message: String?
        var rate: PapayaRate?
        var period: PapayaPeriod?
        var metadata: JSON?
        for (name, value) in pairs {
            let path = "$." + name
            switch name.lowercased() {
            case "title", "message":
                let text: String?
                switch value {
                case .null: text = nil
                case .string(let s): text = s
                default: return .failure(conversion(path: path, type: "System.String"))
                }
                if name.lowercased() == "title" { title = text } else { message = text }
            case "rate":
                let literal: String
                switch value {
                case .number(let n): literal = n
                case .string(let s): literal = s  // JsonNumberHandling.AllowReadingFromString
                default: return .failure(conversion(path: path, type: "System.Double"))
                }
                guard let r = try? PapayaRate(literal: literal) else {
                    return .failure(conversion(path: path, type: "System.Double"))
                }
                rate = r
            case "period":
                switch value {
                case .null: period = nil
                case .string(let s):
                    guard let p = PapayaPeriod(name: s) else { return .failure(conversion(path: path, type: "InvoicePeriod")) }
                    period = p
                case .number:
                    guard let n = value.intValue, let p = PapayaPeriod(rawValue: n) else {
                        return .failure(conversion(path: path, type: "InvoicePeriod"))
                    }
                    period = p
                default: return .failure(conversion(path: path, type: "InvoicePeriod"))
                }
            case "metadata":
                switch value {
                case .null: metadata = nil
                case .object: metadata = value
                default: return .failure(conversion(path: path, type: "System.Text.Json.Nodes.JsonObject"))
                }
            default: continue
            }
        }

        // Data annotations, in property order. A missing rate is 0, as a .NET double defaults.
        var errors: Errors = []
        if let title, title.utf16.count > maximumTitleLength {
            errors.append(("Title", ["The field Title must be a string with a maximum length of \(maximumTitleLength)."]))
        }
        if let message, message.utf16.count > maximumMessageLength {
            errors.append(
                ("Message", ["The field Message must be a string with a maximum length of \(maximumMessageLength)."]))
        }
        let givenRate = rate ?? PapayaRate("0")!
        var rateErrors: [String] = []
        if givenRate < minimumRate || maximumRate < givenRate {
            rateErrors.append(
                "The field Rate must be between \(minimumRate.dotNetText) and \(maximumRate.dotNetText).")
        }
        if givenRate.significantDigits > PapayaRate.maximumSignificantDigits {
            rateErrors.append("The field Rate must have at most \(PapayaRate.maximumSignificantDigits) significant digits.")
        }
        if !rateErrors.isEmpty { errors.append(("Rate", rateErrors)) }
        if period == nil { errors.append(("Period", ["The Period field is required."])) }
        guard errors.isEmpty, let period else { return .failure(ValidationFailure(errors: errors)) }
        return .success(
            PapayaInvoiceRequest(title: title, message: message, rate: givenRate, period: period, metadata: metadata))
    }

    struct ValidationFailure: Error {
        let errors: Errors
    }

    static func conversion(path: String, type: String) -> ValidationFailure {
        ValidationFailure(errors: [
            (path, ["The JSON value could not be converted to \(type). Path: \(path)."]), requestRequired,
        ])
    }

    /// System.Text.Json's `LineNumber` and `BytePositionInLine`, both 0-based.
    static func position(of offset: Int, in body: [UInt8]) -> (Int, Int) {
        let before = body.prefix(offset)
        let line = before.count(where: { $0 == 0x0A })
        let column = before.count - ((before.lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0)
        return (line, column)
    }
}
