#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libcurl, loaded with `dlopen` the first time `starmock record` needs it, so that no other
/// command links it (nor the ~30 libraries it brings: OpenSSL, GnuTLS, krb5, LDAP, ...).
/// Only the easy interface is used, one handle per request, `curl_easy_perform` blocking on
/// the caller's thread (``RecordingProxy`` runs it on a thread pool of its own).
///
/// `curl_easy_setopt` and `curl_easy_getinfo` are variadic in C; Swift cannot call a variadic
/// C function through a pointer, so each is called through fixed-arity function types, one
/// per kind of argument (long, pointer, function pointer, curl_off_t). On x86-64 and aarch64
/// Linux (System V, AAPCS64) a variadic integer or pointer argument is passed exactly like a
/// fixed one, so this is ABI-safe there. Apple's arm64 ABI passes variadic arguments on the
/// stack: six dummy register arguments put the value there (not tested here: no Mac).
///
/// The numbers below are curl's public ABI (curl/curl.h, checked against 7.88.1; they never
/// change): CURLOPTTYPE_LONG 0, _OBJECTPOINT/_STRINGPOINT/_SLISTPOINT/_CBPOINT 10000,
/// _FUNCTIONPOINT 20000, _OFF_T 30000; CURLINFO_LONG 0x200000. The build does not need curl's
/// headers.
final class Curl: @unchecked Sendable {  // immutable after `load`: function pointers only
    /// `CURLoption` values used.
    enum Option {
        static let writeData: Int32 = 10001  // CBPOINT + 1
        static let url: Int32 = 10002  // STRINGPOINT + 2
        static let errorBuffer: Int32 = 10010  // OBJECTPOINT + 10
        static let writeFunction: Int32 = 20011  // FUNCTIONPOINT + 11
        static let postFields: Int32 = 10015  // OBJECTPOINT + 15 (not copied: kept alive by `perform`)
        static let httpHeader: Int32 = 10023  // SLISTPOINT + 23
        static let headerData: Int32 = 10029  // CBPOINT + 29
        static let customRequest: Int32 = 10036  // STRINGPOINT + 36
        static let noBody: Int32 = 44  // LONG + 44: HEAD
        static let followLocation: Int32 = 52  // LONG + 52
        static let freshConnect: Int32 = 74  // LONG + 74
        static let forbidReuse: Int32 = 75  // LONG + 75
        static let headerFunction: Int32 = 20079  // FUNCTIONPOINT + 79
        static let httpVersion: Int32 = 84  // VALUES (LONG) + 84
        static let noSignal: Int32 = 99  // LONG + 99
        static let postFieldSizeLarge: Int32 = 30120  // OFF_T + 120
        static let timeoutMilliseconds: Int32 = 155  // LONG + 155
        static let pathAsIs: Int32 = 234  // LONG + 234 (7.42): `/a/../b` is sent as it came
        // Deliberately not set: CURLOPT_ACCEPT_ENCODING (10102), so the body comes as sent.
    }

    static let httpVersion1_1 = 2  // CURL_HTTP_VERSION_1_1
    static let globalDefault = 3  // CURL_GLOBAL_DEFAULT = CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32
    static let infoResponseCode: Int32 = 0x200002  // CURLINFO_LONG + 2
    static let errorSize = 256  // CURL_ERROR_SIZE

    /// `CURLcode` values the proxy tells apart.
    enum Code {
        static let ok: Int32 = 0
        static let unsupportedProtocol: Int32 = 1  // also "Received HTTP/0.9 when not allowed"
        static let couldNotResolveHost: Int32 = 6
        static let couldNotConnect: Int32 = 7
        static let weirdServerReply: Int32 = 8
        static let partialFile: Int32 = 18
        static let operationTimedOut: Int32 = 28
        static let gotNothing: Int32 = 52
        static let sendError: Int32 = 55
        static let receiveError: Int32 = 56
    }

    /// `size_t (*)(char *ptr, size_t size, size_t nmemb, void *userdata)`.
    typealias DataCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    #if canImport(Darwin) && arch(arm64)
    private typealias SetoptLong = @convention(c) (OpaquePointer?, Int32, Int, Int, Int, Int, Int, Int, Int) -> Int32
    private typealias SetoptPointer = @convention(c) (OpaquePointer?, Int32, Int, Int, Int, Int, Int, Int, UnsafeRawPointer?) -> Int32
    private typealias SetoptFunction = @convention(c) (OpaquePointer?, Int32, Int, Int, Int, Int, Int, Int, DataCallback?) -> Int32
    private typealias SetoptOffset = @convention(c) (OpaquePointer?, Int32, Int, Int, Int, Int, Int, Int, Int64) -> Int32
    private typealias GetinfoLong = @convention(c) (OpaquePointer?, Int32, Int, Int, Int, Int, Int, Int, UnsafeMutablePointer<Int>?) -> Int32
    #else
    private typealias SetoptLong = @convention(c) (OpaquePointer?, Int32, Int) -> Int32
    private typealias SetoptPointer = @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32
    private typealias SetoptFunction = @convention(c) (OpaquePointer?, Int32, DataCallback?) -> Int32
    private typealias SetoptOffset = @convention(c) (OpaquePointer?, Int32, Int64) -> Int32
    private typealias GetinfoLong = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<Int>?) -> Int32
    #endif
    private typealias GlobalInit = @convention(c) (Int) -> Int32
    private typealias EasyInit = @convention(c) () -> OpaquePointer?
    private typealias EasyPerform = @convention(c) (OpaquePointer?) -> Int32
    private typealias EasyCleanup = @convention(c) (OpaquePointer?) -> Void
    private typealias EasyStrerror = @convention(c) (Int32) -> UnsafePointer<CChar>?
    private typealias SlistAppend = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias SlistFreeAll = @convention(c) (OpaquePointer?) -> Void

    /// The file that was loaded.
    let library: String
    private let setoptLong: SetoptLong
    private let setoptPointer: SetoptPointer
    private let setoptFunction: SetoptFunction
    private let setoptOffset: SetoptOffset
    private let getinfoLong: GetinfoLong
    private let easyInit: EasyInit
    private let easyPerform: EasyPerform
    private let easyCleanup: EasyCleanup
    private let easyStrerror: EasyStrerror
    private let slistAppend: SlistAppend
    private let slistFreeAll: SlistFreeAll

    /// Why libcurl could not be used; one line, for the user.
    struct Unavailable: Error, CustomStringConvertible, Sendable {
        var description: String
    }

    /// Loaded (and `curl_global_init` called) once, on first use; never unloaded.
    static let shared: Result<Curl, Unavailable> = load()

    /// `STARMOCK_LIBCURL`, when set, is the only file tried (a libcurl elsewhere, or none: the
    /// tests use it to see the message for a missing libcurl).
    static var candidates: [String] {
        if let path = getenv("STARMOCK_LIBCURL"), path.pointee != 0 { return [String(cString: path)] }
        #if canImport(Darwin)
        return ["libcurl.4.dylib", "/usr/lib/libcurl.4.dylib", "/usr/lib/libcurl.dylib"]
        #else
        return ["libcurl.so.4", "libcurl.so"]
        #endif
    }

    private static func load() -> Result<Curl, Unavailable> {
        let names = candidates
        var handle: UnsafeMutableRawPointer?
        var loaded = ""
        var reason = ""
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil {
                loaded = name
                break
            }
            if reason.isEmpty, let e = dlerror() { reason = String(cString: e) }
        }
        guard let handle else {
            #if canImport(Darwin)
            let install = "it ships with macOS"
            #else
            let install = "apt-get install libcurl4"
            #endif
            return .failure(
                Unavailable(description: "libcurl (\(names[0])) is needed to reach the upstream: \(install)\(reason.isEmpty ? "" : " (\(reason))")"))
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(Unavailable) -> T {
            guard let pointer = dlsym(handle, name) else {
                throw Unavailable(description: "\(loaded) has no \(name): a libcurl 7.42 or later is needed to reach the upstream")
            }
            return unsafeBitCast(pointer, to: type)
        }
        do throws(Unavailable) {
            let globalInit = try symbol("curl_global_init", as: GlobalInit.self)
            let setopt = try symbol("curl_easy_setopt", as: UnsafeMutableRawPointer.self)
            let getinfo = try symbol("curl_easy_getinfo", as: UnsafeMutableRawPointer.self)
            let curl = Curl(
                library: loaded,
                setoptLong: unsafeBitCast(setopt, to: SetoptLong.self),
                setoptPointer: unsafeBitCast(setopt, to: SetoptPointer.self),
                setoptFunction: unsafeBitCast(setopt, to: SetoptFunction.self),
                setoptOffset: unsafeBitCast(setopt, to: SetoptOffset.self),
                getinfoLong: unsafeBitCast(getinfo, to: GetinfoLong.self),
                easyInit: try symbol("curl_easy_init", as: EasyInit.self),
                easyPerform: try symbol("curl_easy_perform", as: EasyPerform.self),
                easyCleanup: try symbol("curl_easy_cleanup", as: EasyCleanup.self),
                easyStrerror: try symbol("curl_easy_strerror", as: EasyStrerror.self),
                slistAppend: try symbol("curl_slist_append", as: SlistAppend.self),
                slistFreeAll: try symbol("curl_slist_free_all", as: SlistFreeAll.self))
            let code = globalInit(globalDefault)
            guard code == Code.ok else {
                return .failure(Unavailable(description: "\(loaded): curl_global_init failed: \(curl.message(code))"))
            }
            return .success(curl)
        } catch {
            return .failure(error)
        }
    }

    private init(
        library: String, setoptLong: SetoptLong, setoptPointer: SetoptPointer, setoptFunction: SetoptFunction, setoptOffset: SetoptOffset,
        getinfoLong: GetinfoLong, easyInit: EasyInit, easyPerform: EasyPerform, easyCleanup: EasyCleanup, easyStrerror: EasyStrerror,
        slistAppend: SlistAppend, slistFreeAll: SlistFreeAll
    ) {
        self.library = library
        self.setoptLong = setoptLong
        self.setoptPointer = setoptPointer
        self.setoptFunction = setoptFunction
        self.setoptOffset = setoptOffset
        self.getinfoLong = getinfoLong
        self.easyInit = easyInit
        self.easyPerform = easyPerform
        self.easyCleanup = easyCleanup
        self.easyStrerror = easyStrerror
        self.slistAppend = slistAppend
        self.slistFreeAll = slistFreeAll
    }

    /// `curl_easy_strerror`.
    func message(_ code: Int32) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "CURLcode \(code)"
    }

    // The variadic calls, one per kind of argument.
    #if canImport(Darwin) && arch(arm64)
    private func set(_ h: OpaquePointer, _ option: Int32, long value: Int) -> Int32 { setoptLong(h, option, 0, 0, 0, 0, 0, 0, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, pointer value: UnsafeRawPointer?) -> Int32 { setoptPointer(h, option, 0, 0, 0, 0, 0, 0, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, _ value: DataCallback) -> Int32 { setoptFunction(h, option, 0, 0, 0, 0, 0, 0, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, offset value: Int64) -> Int32 { setoptOffset(h, option, 0, 0, 0, 0, 0, 0, value) }
    private func get(_ h: OpaquePointer, _ info: Int32, long value: UnsafeMutablePointer<Int>) -> Int32 { getinfoLong(h, info, 0, 0, 0, 0, 0, 0, value) }
    #else
    private func set(_ h: OpaquePointer, _ option: Int32, long value: Int) -> Int32 { setoptLong(h, option, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, pointer value: UnsafeRawPointer?) -> Int32 { setoptPointer(h, option, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, _ value: DataCallback) -> Int32 { setoptFunction(h, option, value) }
    private func set(_ h: OpaquePointer, _ option: Int32, offset value: Int64) -> Int32 { setoptOffset(h, option, value) }
    private func get(_ h: OpaquePointer, _ info: Int32, long value: UnsafeMutablePointer<Int>) -> Int32 { getinfoLong(h, info, value) }
    #endif

    /// One request to send.
    struct Request: Sendable {
        var url: String
        var method: String
        /// Sent as given (an empty value is sent empty), after libcurl's own `Host`.
        var headers: [(String, String)]
        /// `nil`: no body, no `Content-Length` (a GET as usual); empty: `Content-Length: 0`.
        var body: [UInt8]?
        var timeoutMilliseconds: Int
    }

    /// The last response's status, header block (in order, repeated fields kept) and body as
    /// received (unchunked; not decoded).
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
    }

    /// A transfer that failed: the `CURLcode`, `curl_easy_strerror`'s text and the error
    /// buffer's (which says more, e.g. "Recv failure: Connection reset by peer").
    struct Failure: Error, Sendable {
        var code: Int32
        var message: String
        var detail: String

        /// Both texts, for the HAR comment.
        var text: String {
            detail.isEmpty || detail == message ? "\(message) (curl error \(code))" : "\(detail) (curl error \(code): \(message))"
        }
    }

    /// What the callbacks fill, reached through the `*DATA` pointers.
    private final class Transfer {
        var body: [UInt8] = []
        var headers: [(String, String)] = []
        /// Between a status line and the blank line ending its block: the lines after the last
        /// block (chunked trailers) are not the response's header fields.
        var inBlock = false

        /// One header line as libcurl passes it, CRLF included: a status line starts a block
        /// (so a `100 Continue`'s, or any 1xx's, is dropped when the final one comes).
        func headerLine(_ raw: UnsafeRawBufferPointer) {
            var end = raw.count
            while end > 0, raw[end - 1] == UInt8(ascii: "\n") || raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = raw[0..<end]
            if line.starts(with: "HTTP/".utf8) {
                headers = []
                inBlock = true
                return
            }
            guard inBlock else { return }
            if line.isEmpty {
                inBlock = false
                return
            }
            let isSpace = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
            if let first = line.first, isSpace(first) {
                // An obsolete folded continuation: part of the previous field's value.
                if !headers.isEmpty {
                    let more = String(decoding: line.drop(while: isSpace), as: UTF8.self)
                    headers[headers.count - 1].1 += headers[headers.count - 1].1.isEmpty ? more : " " + more
                }
                return
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
            var value = line[(colon + 1)...].drop(while: isSpace)
            while let last = value.last, isSpace(last) { value = value.dropLast() }
            headers.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
    }

    /// Sends `request` on a connection of its own (never reused: libcurl re-sends a request
    /// whose reused connection died, see ``RecordingProxy``) and waits for the whole answer.
    /// Redirects are not followed; the body is not decoded. Blocks the calling thread.
    func perform(_ request: Request) -> Result<Response, Failure> {
        guard let easy = easyInit() else { return .failure(Failure(code: 2, message: "curl_easy_init failed", detail: "")) }
        defer { easyCleanup(easy) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.errorSize)
        errorBuffer.initialize(repeating: 0, count: Self.errorSize)
        defer { errorBuffer.deallocate() }

        var headerList: OpaquePointer?
        defer { if let headerList { slistFreeAll(headerList) } }
        func header(_ line: String) { headerList = line.withCString { slistAppend(headerList, $0) } ?? headerList }
        for (name, value) in request.headers {
            // "Name:" would remove the field; "Name;" sends it empty.
            header(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        let method = request.method
        let hasBody = request.body != nil
        let bodyBytes = request.body ?? []
        // libcurl's own additions that the client did not send: a 100-continue wait for a
        // large body, and a form Content-Type for any body.
        header("Expect:")
        if hasBody, !request.headers.contains(where: { $0.0.lowercased() == "content-type" }) { header("Content-Type:") }

        // Not copied by libcurl: alive until the transfer ends (one byte at least: never NULL).
        let body = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bodyBytes.count, 1), alignment: 1)
        defer { body.deallocate() }
        body.copyBytes(from: bodyBytes)

        let transfer = Transfer()
        let box = Unmanaged.passUnretained(transfer).toOpaque()
        var code = Code.ok
        func check(_ c: Int32) { if code == Code.ok { code = c } }
        check(set(easy, Option.errorBuffer, pointer: errorBuffer))
        check(request.url.withCString { set(easy, Option.url, pointer: $0) })  // copied by libcurl
        check(set(easy, Option.noSignal, long: 1))
        check(set(easy, Option.httpVersion, long: Self.httpVersion1_1))
        check(set(easy, Option.followLocation, long: 0))
        check(set(easy, Option.freshConnect, long: 1))
        check(set(easy, Option.forbidReuse, long: 1))
        check(set(easy, Option.timeoutMilliseconds, long: max(1, request.timeoutMilliseconds)))
        _ = set(easy, Option.pathAsIs, long: 1)  // optional: an older libcurl sends the path normalized
        if method == "HEAD" {
            check(set(easy, Option.noBody, long: 1))
        } else if hasBody {
            check(set(easy, Option.postFieldSizeLarge, offset: Int64(bodyBytes.count)))
            check(set(easy, Option.postFields, pointer: UnsafeRawPointer(body.baseAddress)))
            if method != "POST" { check(method.withCString { set(easy, Option.customRequest, pointer: $0) }) }
        } else if method != "GET" {
            check(method.withCString { set(easy, Option.customRequest, pointer: $0) })
        }
        check(set(easy, Option.httpHeader, pointer: headerList.map { UnsafeRawPointer($0) }))
        check(
            set(easy, Option.headerFunction) { data, size, count, user in
                let n = size * count
                guard let data, let user, n > 0 else { return n }
                Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().headerLine(UnsafeRawBufferPointer(start: data, count: n))
                return n
            })
        check(set(easy, Option.headerData, pointer: box))
        check(
            set(easy, Option.writeFunction) { data, size, count, user in
                let n = size * count
                guard let data, let user, n > 0 else { return n }
                Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue().body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
                return n
            })
        check(set(easy, Option.writeData, pointer: box))
        guard code == Code.ok else { return .failure(Failure(code: code, message: message(code), detail: "while setting up the request")) }

        code = withExtendedLifetime(transfer) { easyPerform(easy) }
        guard code == Code.ok else {
            return .failure(Failure(code: code, message: message(code), detail: String(cString: errorBuffer)))
        }
        var status = 0
        _ = get(easy, Self.infoResponseCode, long: &status)
        guard status > 0 else {
            return .failure(Failure(code: Code.weirdServerReply, message: message(Code.weirdServerReply), detail: "no HTTP status"))
        }
        return .success(Response(status: status, headers: transfer.headers, body: transfer.body))
    }
}
