import Foundation
public import StarMockCore

/// An HTTP Archive (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/): what
/// `starmock record` writes, `GET /__admin/journal.har` and `--har` export, and
/// `starmock scenario from` reads.
///
/// It lives in its own target because both the server (export, the recording proxy) and the
/// scenario code (import) need it, and the world (`StarMockCore`) knows nothing of HTTP. It
/// depends on Core only for the ordered `JSON` value and `WorldTime`.
public struct HAR: Sendable, Equatable {
    /// `log.creator`.
    public var creator: String
    /// `log.creator.version`.
    public var creatorVersion: String
    /// `log.comment`, if any.
    public var comment: String?
    /// The exchanges, oldest first.
    public var entries: [HAREntry]

    /// An archive.
    public init(creator: String = "StarMock", creatorVersion: String = HAR.starmockVersion, comment: String? = nil, entries: [HAREntry]) {
        self.creator = creator
        self.creatorVersion = creatorVersion
        self.comment = comment
        self.entries = entries
    }

    /// The version written in `log.creator.version`.
    public static let starmockVersion = "0.1"
}

/// One header (or query) field.
public struct HARField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One exchange.
public struct HAREntry: Sendable, Equatable {
    /// When the request started (`startedDateTime`), in milliseconds since 1970.
    public var started: WorldTime
    /// From the request's start to the answer's end (or the connection's), in milliseconds.
    public var time: Double
    /// The request.
    public var request: HARRequest
    /// The answer; `status` 0 and `error` set when none came (a transport failure).
    public var response: HARResponse
    /// `comment`.
    public var comment: String?
    /// StarMock's own: the fault the server applied (`_starmock.fault`), when known.
    public var fault: String?
    /// StarMock's own: the dialect that answered (`_starmock.dialect`).
    public var dialect: String?

    public init(
        started: WorldTime, time: Double, request: HARRequest, response: HARResponse, comment: String? = nil,
        fault: String? = nil, dialect: String? = nil
    ) {
        self.started = started
        self.time = time
        self.request = request
        self.response = response
        self.comment = comment
        self.fault = fault
        self.dialect = dialect
    }
}

/// `request`.
public struct HARRequest: Sendable, Equatable {
    public var method: String
    /// The absolute URL (`http://host/path?query`).
    public var url: String
    public var httpVersion: String
    public var headers: [HARField]
    /// The body's bytes (decoded from base64 when the archive says so).
    public var body: [UInt8]
    /// `postData.mimeType`, or the `Content-Type` header.
    public var mimeType: String?

    public init(method: String, url: String, httpVersion: String = "HTTP/1.1", headers: [HARField] = [], body: [UInt8] = [], mimeType: String? = nil) {
        self.method = method
        self.url = url
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.mimeType = mimeType
    }

    /// The path and query of `url` (`/api/v1/order/47?x=1`), `/` when there is none.
    public var target: String { HARURL.target(of: url) }

    /// The first header named `name` (any case).
    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

/// `response`.
public struct HARResponse: Sendable, Equatable {
    /// 0 when no answer came.
    public var status: Int
    public var statusText: String
    public var httpVersion: String
    public var headers: [HARField]
    /// The body's bytes (decoded from base64 when the archive says so).
    public var body: [UInt8]
    public var mimeType: String
    /// Why no (whole) answer came, in Chromium's words: `net::ERR_CONNECTION_RESET`,
    /// `net::ERR_EMPTY_RESPONSE`, `net::ERR_INVALID_HTTP_RESPONSE`, … (`_error`).
    public var error: String?

    public init(
        status: Int, statusText: String = "", httpVersion: String = "HTTP/1.1", headers: [HARField] = [], body: [UInt8] = [],
        mimeType: String = "", error: String? = nil
    ) {
        self.status = status
        self.statusText = statusText.isEmpty ? HARStatus.reason(status) : statusText
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.mimeType = mimeType
        self.error = error
    }

    /// The first header named `name` (any case).
    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The body as text (lossy UTF-8).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// How a failed exchange is named in HAR, and back.
public enum HARTransportError {
    /// The connection was reset (RST).
    public static let reset = "net::ERR_CONNECTION_RESET"
    /// Closed without an answer.
    public static let empty = "net::ERR_EMPTY_RESPONSE"
    /// Bytes that were not HTTP.
    public static let invalid = "net::ERR_INVALID_HTTP_RESPONSE"
    /// Closed part-way through the answer.
    public static let incomplete = "net::ERR_CONTENT_LENGTH_MISMATCH"
    /// Could not connect at all.
    public static let refused = "net::ERR_CONNECTION_REFUSED"
    /// The client gave up waiting.
    public static let timedOut = "net::ERR_TIMED_OUT"
}

/// Reason phrases.
public enum HARStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 0: ""
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}

/// URL pieces, without Foundation's URL (which rewrites what it parses).
public enum HARURL {
    /// `/path?query` of an absolute or relative URL.
    public static func target(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            rest = rest[slash...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if rest.first == "?" { return "/" + rest }
        return rest.isEmpty ? "/" : String(rest)
    }

    /// The query fields of a target, split but not decoded (HAR's `queryString`).
    public static func query(of target: String) -> [HARField] {
        guard let q = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: q)...].split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return HARField(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
