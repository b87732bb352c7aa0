import Foundation
import StarMockCore
import StarMockDialects
import StarMockServer
import Testing

@Suite("Live socket: injected latency", .timeLimit(.minutes(1)))
struct LatencyTests {
    static let key = [("X-API-Key", "sh4de_xxxx")]

    /// Fires `count` concurrent GETs and returns the wall time they took and their statuses.
    func fire(_ count: Int, port: Int, path: String) async throws -> (Duration, [Int?]) {
        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await RawHTTP.send(port: port, method: "GET", path: path, headers: Self.key).status
                }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        return (ContinuousClock.now - started, statuses)
    }

    @Test("1,000 concurrent requests with 200 ms latency do not queue behind each other")
    func concurrentLatency() async throws {
        var setup = WorldSetup.demo
        setup.clock = .real
        setup.rateLimits = Dictionary(uniqueKeysWithValues: DialectSet.allNames.map { (DialectID($0), .unlimited) })
        setup.faults = [FaultRule(dialect: "sh4de", action: .delay(.fixed(.milliseconds(200))), path: "/api/v1/prices")]
        // All 1,000 may be open at once: above the default connection cap (512), which is not
        // what this test is about.
        try await withServer(setup, maxConnections: 2000) { server in
            // The same 1,000 requests without latency, in the same run: what the machine
            // needs for the connections alone (shared machines are noisy).
            let (baseline, plain) = try await fire(1000, port: server.port, path: "/api/v1/balance")
            let (delayed, statuses) = try await fire(1000, port: server.port, path: "/api/v1/prices")
            #expect(plain.allSatisfy { $0 == 200 })
            #expect(statuses.count == 1000)
            #expect(statuses.allSatisfy { $0 == 200 })
            // Queued delays would add up to 200 s; concurrent ones add 200 ms to the baseline.
            #expect(delayed >= .milliseconds(200))
            #expect(
                delayed < baseline + .milliseconds(400),
                "1,000 requests took \(delayed) with 200 ms latency, \(baseline) without")
            let faults = server.world.read { $0.journal.entries.compactMap(\.fault) }
            #expect(faults.count == 1000)
            #expect(faults.allSatisfy { $0 == "latency 200ms" })
        }
    }

    @Test("On a virtual clock a delayed answer leaves only when the clock is moved past it")
    func virtualLatency() async throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.faults = [FaultRule(dialect: "sh4de", action: .delay(.fixed(.seconds(30))), path: "/api/v1/balance")]
        try await withServer(setup) { server in
            async let response = RawHTTP.send(port: server.port, method: "GET", path: "/api/v1/balance", headers: Self.key)
            // Wait until the request is in (journal empty, one timer pending), then move the clock.
            // Bounded (20 s), and it ends as soon as the answer has left.
            for _ in 0..<4000 where server.world.read({ $0.journal.recorded }) == 0 {
                server.world.advance(by: .seconds(10))
                try await Task.sleep(for: .milliseconds(5))
            }
            let result = try await response
            #expect(result.status == 200)
            let entry = try #require(server.world.read { $0.journal.entries.last })
            #expect(entry.answeredAt.since(entry.receivedAt) >= .seconds(30))
        }
    }
}

@Suite("Live socket: shutdown with delayed answers", .timeLimit(.minutes(1)))
struct ShutdownTests {
    @Test("A delayed answer still pending on a virtual clock is sent when the server shuts down")
    func shutdownFlushesDelayedAnswers() async throws {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        setup.faults = [FaultRule(dialect: "sh4de", action: .delay(.fixed(.seconds(3600))), path: "/api/v1/balance")]
        let server = try await Server.start(world: World(setup), configuration: .init(port: 0))
        async let response = RawHTTP.send(
            port: server.port, method: "GET", path: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        // Wait (briefly, bounded) until the request has been planned: its timer is pending.
        for _ in 0..<4000 where server.world.read({ !$0.hasTimers }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(server.world.read { $0.hasTimers }, "the request never arrived")
        try await server.shutdown()
        let result = try await response
        #expect(result.status == 200)
        #expect(server.world.read { $0.journal.recorded } == 1)
    }
}
