import Foundation
public import StarMockCore
import StarMockDialects
public import StarMockHAR

/// One exchange of a recording (a HAR file from any tool, or StarMock's journal JSON), in the
/// terms `scenario from` works with.
public struct RecordedExchange: Sendable {
    /// When the request started.
    public var started: WorldTime
    /// From the request's start to the answer's end, in milliseconds.
    public var duration: Int64
    public var method: String
    /// Path and query, as sent.
    public var target: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The status; nil when no answer came.
    public var status: Int?
    public var responseHeaders: [(String, String)]
    public var responseBody: [UInt8]
    /// The transport failure the client saw: `reset`, `close` or `garbage`; nil for an answer.
    public var transport: String?
    /// The dialect the recording names (`_starmock.dialect`, the journal's `dialect`).
    public var dialect: String?
    /// StarMock's own note of the fault applied, when the recording came from StarMock.
    public var fault: String?

    /// The path, without the query.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// The first response header named `name`.
    public func responseHeader(_ name: String) -> String? {
        responseHeaders.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Why a recording cannot be read or converted.
public struct RecordingError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum RecordingFile {
    /// Reads a HAR file (`{"log": …}`) or a StarMock journal (`GET /__admin/journal`:
    /// `{"entries": …}`).
    public static func load(path: String) throws(RecordingError) -> [RecordedExchange] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RecordingError("\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(Array(data), file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(RecordingError) -> [RecordedExchange] {
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            throw RecordingError("\(file): not JSON (\(error)): expected a HAR file or a StarMock journal")
        }
        if root["log"] != nil {
            do {
                return try HAR.parse(bytes).entries.map(exchange)
            } catch {
                throw RecordingError("\(file): \(error)")
            }
        }
        if root["entries"] != nil {
            do {
                return try JournalEntry.entries(fromJournalJSON: root).map(exchange)
            } catch {
                throw RecordingError("\(file): \(error)")
            }
        }
        throw RecordingError("\(file): neither a HAR file ({\"log\": …}) nor a StarMock journal ({\"entries\": …})")
    }

    static func exchange(_ e: HAREntry) -> RecordedExchange {
        var transport: String?
        if e.response.status == 0 {
            transport = e.response.error.flatMap(HARTransportFault.scenarioName(forError:)) ?? "reset"
        }
        return RecordedExchange(
            started: e.started, duration: Int64(max(0, e.time).rounded()), method: e.request.method, target: e.request.target,
            headers: e.request.headers.map { ($0.name, $0.value) }, body: e.request.body,
            status: e.response.status == 0 ? nil : e.response.status, responseHeaders: e.response.headers.map { ($0.name, $0.value) },
            responseBody: e.response.body, transport: transport, dialect: e.dialect, fault: e.fault)
    }

    /// A journal entry keeps the credential, not the headers: they are rebuilt in the
    /// dialect's own scheme (`RecordingTraits.credential`; a dialect StarMock does not know:
    /// `Authorization: Bearer`).
    static func exchange(_ e: JournalEntry) -> RecordedExchange {
        var headers: [(String, String)] = []
        if let key = e.key, let dialect = e.dialect?.name {
            let traits = RecordedDialects.traits(dialect) ?? RecordingTraits(credential: .bearer)
            if let header = traits.credentialHeader(for: key) { headers.append((header.name, header.value)) }
        }
        if e.requestBody.hasPrefix("{") { headers.append(("Content-Type", "application/json")) }
        var responseHeaders: [(String, String)] = []
        if e.responseBody.hasPrefix("{") || e.responseBody.hasPrefix("[") { responseHeaders.append(("Content-Type", "application/json")) }
        if let retry = e.retryAfter { responseHeaders.append(("Retry-After", retry)) }
        let lost = e.status == nil
        return RecordedExchange(
            started: e.receivedAt, duration: e.answeredAt.milliseconds - e.receivedAt.milliseconds, method: e.method, target: e.target,
            headers: headers, body: Array(e.requestBody.utf8), status: e.status, responseHeaders: responseHeaders,
            responseBody: Array(e.responseBody.utf8),
            transport: lost ? (HARTransportFault.scenarioName(forError: HARTransportFault.error(forFault: e.fault)) ?? "reset") : nil,
            dialect: e.dialect?.name, fault: e.fault)
    }
}
