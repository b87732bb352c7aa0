import Logging
import Synchronization

/// What a `Logger` built by ``LogCapture/logger(level:)`` received.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// A logger at `level` that records into this capture.
    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "test", factory: { _ in CapturingLogHandler(capture: self) })
        logger.logLevel = level
        return logger
    }
}

/// A log handler that keeps every record in memory.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append(
            .init(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
