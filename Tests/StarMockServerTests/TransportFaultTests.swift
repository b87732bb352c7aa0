import Foundation
import NIOCore
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

/// One test per transport fault against a real socket (as WireMock's FaultsAcceptanceTest):
/// what matters is what a client sees.
@Suite("Live socket: transport faults", .timeLimit(.minutes(1)))
struct TransportFaultTests {
    static let key = [("X-API-Key", "sh4de_xxxx")]
    static let order = #"{"username":"some_user","quantity":100}"#

    func setup(_ fault: TransportFault, phase: FaultRule.Phase = .after, path: String = "/api/v1/balance") -> WorldSetup {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.faults = [FaultRule(dialect: "sh4de", action: .transport(fault), path: path, times: 1, phase: phase)]
        return setup
    }

    @Test("reset: the client sees ECONNRESET, and the next request is served normally")
    func reset() async throws {
        try await withServer(setup(.reset, phase: .before)) { server in
            await #expect(throws: IOError.self) {
                _ = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            }
            let next = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            #expect(next.status == 200)
        }
    }

    @Test("reset reports errno ECONNRESET")
    func resetErrno() async throws {
        try await withServer(setup(.reset, phase: .before)) { server in
            do {
                _ = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
                Issue.record("expected a reset")
            } catch let error as IOError {
                #expect(error.errnoCode == ECONNRESET)
            }
        }
    }

    @Test("close: the connection ends without a byte (curl's 'empty reply')")
    func close() async throws {
        try await withServer(setup(.close)) { server in
            let bytes = try await RawHTTP.exchange(
                port: server.port,
                bytes: Array("GET /api/v1/balance HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\n\r\n".utf8))
            #expect(bytes.isEmpty)
        }
    }

    @Test("garbage: bytes that are not HTTP, then close")
    func garbage() async throws {
        try await withServer(setup(.garbage(Array("NOT HTTP\u{0}".utf8)))) { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            #expect(response.bytes == Array("NOT HTTP\u{0}".utf8))
            #expect(response.status == nil)
        }
    }

    @Test("truncate: only the first N bytes arrive, then the connection closes")
    func truncate() async throws {
        try await withServer(setup(.truncate(afterBytes: 40))) { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            #expect(response.bytes.count == 40)
            #expect(String(decoding: response.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test("truncate after the headers: Content-Length promises more body than arrives")
    func truncateBody() async throws {
        try await withServer(setup(.truncate(afterBytes: 120))) { server in
            let response = try await RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            let promised = try #require(response.header("Content-Length").flatMap(Int.init))
            #expect(response.body.count < promised)
        }
    }

    @Test("dribble: the whole response arrives, in several pieces")
    func dribble() async throws {
        try await withServer(setup(.dribble(chunkBytes: 16, over: .seconds(1)))) { server in
            let (bytes, pieces) = try await RawHTTP.exchangeCountingReads(
                port: server.port,
                bytes: Array("GET /api/v1/balance HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\nConnection: close\r\n\r\n".utf8))
            let response = RawResponse(bytes: bytes)
            #expect(response.status == 200)
            #expect(response.bodyText.contains("\"balance_usd\": 25.50"))
            // ~12 pieces 90 ms apart; even a starved reader sees more than one.
            #expect(pieces >= 2)
        }
    }

    @Test("reset after commit: the order exists and was charged, though the client saw only a reset")
    func resetAfterCommit() async throws {
        try await withServer(setup(.reset, phase: .after, path: "/api/v1/order/stars")) { server in
            await #expect(throws: IOError.self) {
                _ = try await RawHTTP.send(
                    port: server.port, method: "POST", path: "/api/v1/order/stars", headers: Self.key, body: Self.order)
            }
            let (orders, available, journal) = server.world.read { w in
                (w.orders.count, w.account("demo-sh4de")!.available, w.journal.entries)
            }
            #expect(orders == 1)
            #expect(available == Money(cents: 2420))
            #expect(journal.last?.status == nil)
            #expect(journal.last?.fault == "reset after commit")
        }
    }

    @Test("reset before the world: nothing was charged")
    func resetBeforeWorld() async throws {
        try await withServer(setup(.reset, phase: .before, path: "/api/v1/order/stars")) { server in
            await #expect(throws: IOError.self) {
                _ = try await RawHTTP.send(
                    port: server.port, method: "POST", path: "/api/v1/order/stars", headers: Self.key, body: Self.order)
            }
            let orders = server.world.read { $0.orders.count }
            #expect(orders == 0)
        }
    }
}
