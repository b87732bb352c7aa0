import StarMockCore
import StarMockDialects
import Testing

/// The one request pipeline every dialect goes through: what it records and decides once.
@Suite("Pipeline")
struct PipelineTests {
    static func world(_ configure: (inout WorldSetup) -> Void = { _ in }) -> World {
        var setup = WorldSetup.demo
        setup.clock = .virtual
        configure(&setup)
        return World(setup)
    }

    @Test("the journal keeps the target exactly as sent: %26, + and %2F survive")
    func targetAsSent() {
        let world = Self.world()
        let target = "/api/v1/user/some%5Fuser?note=a%26b+c&x=%2F"
        let exchange = world.transact {
            DialectSet.everything.respond(
                to: DialectRequest(method: "GET", target: target, headers: [("X-API-Key", "sh4de_xxxx")]), in: &$0)
        }
        #expect(exchange.recorded)
        let entry = world.read { $0.journal.entries.last }
        #expect(entry?.target == target)
        #expect(entry?.dialect == "sh4de")
        #expect(entry?.method == "GET")
        // The dialect still reads the decoded path and query.
        #expect(entry?.status == 200)
    }

    @Test("the method is journaled as sent; routing compares it without case")
    func methodAsSent() {
        let world = Self.world()
        _ = world.transact {
            DialectSet.everything.respond(
                to: DialectRequest(method: "get", target: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")]), in: &$0)
        }
        let entry = world.read { $0.journal.entries.last }
        #expect(entry?.method == "get")
        #expect(entry?.status == 200)
    }

    @Test("a refused key never uses up the rate limit; an accepted one does, against the dialect's default")
    func refusalsAreFree() {
        let world = Self.world()
        let set = DialectSet.everything
        func balance(_ key: String) -> Int {
            let exchange = world.transact {
                set.respond(to: DialectRequest(method: "GET", target: "/api/v2/balance", headers: [("Authorization", "Bearer \(key)")]), in: &$0)
            }
            guard case .now(let response) = exchange.reply else { return 0 }
            return response.status
        }
        for _ in 0..<20 { #expect(balance("sk-unknown") == 401) }
        // TG Market's default: 10 per second per key.
        let statuses = (0..<11).map { _ in balance("sk-demo-tgmarket") }
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 })
        #expect(statuses[10] == 429)
    }

    @Test("one decision per request: a reset before the world leaves the dialect's scripted error unspent")
    func oneDecision() {
        let world = Self.world {
            $0.faults = [
                FaultRule(dialect: "sh4de", action: .transport(.reset), times: 1),
                FaultRule(dialect: "sh4de", code: "CHARGING_ERROR", times: 1),
                FaultRule(dialect: "sh4de", action: .delay(.fixed(.milliseconds(300)))),
            ]
        }
        let request = DialectRequest(method: "GET", target: "/api/v1/balance", headers: [("X-API-Key", "sh4de_xxxx")])
        let first = world.transact { DialectSet.everything.respond(to: request, in: &$0) }
        #expect(first.unanswered && first.transport == .reset)
        #expect(first.faults == ["reset before the world", "latency 300ms"])
        let second = world.transact { DialectSet.everything.respond(to: request, in: &$0) }
        #expect(second.faults == ["CHARGING_ERROR", "latency 300ms"])
        guard case .now(let response) = second.reply else {
            Issue.record("expected an answer")
            return
        }
        #expect(response.status == 502)
        #expect(world.read { $0.faults.map(\.fired) } == [1, 1, 2])
    }
}
