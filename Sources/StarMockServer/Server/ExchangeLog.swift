import Logging
import NIOCore
import NIOHTTP1
import StarMockCore
import StarMockDialects

/// The one log line per exchange (`starmock serve --verbose`), built from plain values so that
/// any request path can log it:
///
/// ```text
/// sh4de GET /api/v1/balance → 200 latency=200ms fault="latency 200ms"
/// sh4de POST /api/v1/order/stars → - latency=none fault="reset after commit"
/// - GET /nowhere → 404 latency=none fault=none
/// ```
///
/// Fields, in this order, separated by one space: the dialect (`-` when no dialect serves the
/// path), the method, the target as the journal has it (path and query), `→`, the status (`-`
/// when no answer was sent: a transport fault), `latency=` the injected latency (`none` or
/// `Nms`), `fault=` the scripted faults as the journal has them (`none`, or quoted).
enum ExchangeLog {
    /// The level exchanges are logged at.
    static let level = Logger.Level.info

    /// The line for one exchange.
    static func line(
        dialect: String?, method: String, target: String, status: Int?, fault: String?, latency: Duration?
    ) -> String {
        let latencyText = latency.map { $0 > .zero ? "\($0.wholeMilliseconds)ms" : "none" } ?? "none"
        let faultText = fault.map { $0.isEmpty ? "none" : quoted($0) } ?? "none"
        return "\(dialect ?? "-") \(method) \(target) → \(status.map(String.init) ?? "-")"
            + " latency=\(latencyText) fault=\(faultText)"
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

extension Logger {
    /// Logs one exchange at ``ExchangeLog/level``; builds nothing when the level is off.
    func logExchange(
        dialect: String?, method: String, target: String, status: Int?, fault: String?, latency: Duration?
    ) {
        guard logLevel <= ExchangeLog.level else { return }
        let line = ExchangeLog.line(
            dialect: dialect, method: method, target: target, status: status, fault: fault, latency: latency)
        log(level: ExchangeLog.level, "\(line)")
    }
}

extension ServerState {
    /// Logs the exchange `plan` as `response` leaves (or is lost to its transport fault). The
    /// only part of exchange logging that knows `Exchange`.
    func logExchange(_ plan: Exchange, response: DialectResponse) {
        guard logger.logLevel <= ExchangeLog.level else { return }
        let request = plan.request
        let lost = plan.unanswered || plan.transport.map { !$0.needsResponse } ?? false
        logger.logExchange(
            dialect: plan.dialect?.name, method: request.method.name,
            target: plan.credential.map { Redaction.redact($0, in: request.target) } ?? request.target,
            status: lost ? nil : response.status,
            fault: plan.faults.isEmpty ? nil : plan.faults.joined(separator: "; "), latency: plan.delay)
    }
}

extension ServerState {
    /// Logs the error that ends a connection: a client going away or sending bad HTTP at
    /// `debug`, anything else at `warning`, with the connection's addresses.
    func logConnectionError(_ error: any Error, channel: any Channel, inFlight: Bool) {
        let expected = error is IOError || error is HTTPParserError || error is ChannelError
        logger.log(
            level: expected ? .debug : .warning, "closing connection after error: \(error)",
            metadata: [
                "remote": "\(channel.remoteAddress.map { "\($0)" } ?? "-")",
                "local": "\(channel.localAddress.map { "\($0)" } ?? "-")",
                "in_flight": "\(inFlight)",
            ])
    }
}
