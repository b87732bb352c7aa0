/// An HTTP method as a client sent it. Compared case-insensitively, as every upstream's
/// framework here routes (`get` is GET); `name` keeps the spelling for the journal.
public struct HTTPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// As sent.
    public let name: String
    /// Upper-cased, for comparison.
    public let normalized: String

    /// A method.
    public init(_ name: String) {
        self.name = name
        self.normalized = name.uppercased()
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { name }

    public static func == (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool { lhs.normalized == rhs.normalized }
    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let patch = HTTPMethod("PATCH")
    public static let delete = HTTPMethod("DELETE")
    public static let options = HTTPMethod("OPTIONS")

    /// The methods a scenario may name.
    public static let known: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]
}
