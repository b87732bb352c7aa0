import Foundation
import Testing

@testable import StarMockCore

@Suite("Rate limiter")
struct RateLimiterTests {
    let t0 = WorldTime("2026-03-28 03:00:00")!

    func at(_ ms: Int64) -> WorldTime { t0.adding(.milliseconds(ms)) }

    @Test("30/min: 30 allowed, the 31st limited until the oldest leaves the window")
    func perMinute() {
        var limiter = RateLimiter()
        let limit = RateLimit.perMinute30
        #expect(limit == RateLimit(limit: 30, window: .seconds(60)))
        // One request every 100 ms: the first at t0, the 30th at 2.9 s.
        for i in 0..<30 {
            #expect(limiter.admit(key: "k", at: at(Int64(i) * 100), limit: limit) == .allowed)
        }
        let decision = limiter.admit(key: "k", at: at(3_000), limit: limit)
        #expect(decision == .limited(retryAfter: .milliseconds(57_000)))
        // Just before the oldest leaves: still limited, and the wait shrinks accordingly.
        #expect(limiter.admit(key: "k", at: at(59_999), limit: limit) == .limited(retryAfter: .milliseconds(1)))
        // retryAfter after the 31st request points exactly here.
        #expect(limiter.admit(key: "k", at: at(3_000 + 57_000), limit: limit) == .allowed)
        // Only one slot freed: the next one waits for the second-oldest (t0 + 100 ms).
        #expect(limiter.admit(key: "k", at: at(60_000), limit: limit) == .limited(retryAfter: .milliseconds(100)))
        #expect(limiter.admit(key: "k", at: at(60_100), limit: limit) == .allowed)
    }

    @Test("retryAfter always frees a slot exactly then, never earlier", arguments: [UInt64(1), 2, 3])
    func retryAfterIsExact(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var limiter = RateLimiter()
        let limit = RateLimit(limit: 5, window: .seconds(2))
        var now: Int64 = 0
        var limitedCount = 0
        for _ in 0..<2000 {
            now += Int64.random(in: 0...300, using: &rng)
            if case .limited(let wait) = limiter.admit(key: "k", at: at(now), limit: limit) {
                limitedCount += 1
                let ms = wait.wholeMilliseconds
                #expect(ms > 0 && ms <= 2000)
                var probe = limiter
                if ms > 1 {
                    #expect(probe.admit(key: "k", at: at(now + ms - 1), limit: limit) != .allowed)
                }
                probe = limiter
                #expect(probe.admit(key: "k", at: at(now + ms), limit: limit) == .allowed)
            }
        }
        #expect(limitedCount > 100)
    }

    @Test("the window slides: a request exactly one window later is admitted")
    func sliding() {
        var limiter = RateLimiter()
        let limit = RateLimit(limit: 3, window: .seconds(10))
        #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(4_000), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(8_000), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(9_000), limit: limit) == .limited(retryAfter: .seconds(1)))
        #expect(limiter.admit(key: "k", at: at(10_000), limit: limit) == .allowed)  // t=0 left
        #expect(limiter.admit(key: "k", at: at(13_999), limit: limit) == .limited(retryAfter: .milliseconds(1)))
        #expect(limiter.admit(key: "k", at: at(14_000), limit: limit) == .allowed)  // t=4 left
        // In any 10 s window there are never more than 3 admissions.
        #expect(limiter.admit(key: "k", at: at(17_999), limit: limit) == .limited(retryAfter: .milliseconds(1)))
        // After a long pause the whole budget is back.
        for i in 0..<3 { #expect(limiter.admit(key: "k", at: at(100_000 + Int64(i)), limit: limit) == .allowed) }
        #expect(limiter.admit(key: "k", at: at(100_003), limit: limit) != .allowed)
    }

    @Test("10/s: ten in one instant, the eleventh waits a full second")
    func perSecond() {
        var limiter = RateLimiter()
        let limit = RateLimit.perSecond10
        #expect(limit == RateLimit(limit: 10, window: .seconds(1)))
        for _ in 0..<10 { #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .allowed) }
        #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .limited(retryAfter: .seconds(1)))
        #expect(limiter.admit(key: "k", at: at(999), limit: limit) == .limited(retryAfter: .milliseconds(1)))
        for _ in 0..<10 { #expect(limiter.admit(key: "k", at: at(1_000), limit: limit) == .allowed) }
        #expect(limiter.admit(key: "k", at: at(1_000), limit: limit) == .limited(retryAfter: .seconds(1)))
    }

    @Test("keys are limited independently")
    func perKey() {
        var limiter = RateLimiter()
        let limit = RateLimit(limit: 2, window: .seconds(60))
        #expect(limiter.admit(key: "a", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "a", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "a", at: at(0), limit: limit) != .allowed)
        #expect(limiter.admit(key: "b", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "b", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "b", at: at(0), limit: limit) != .allowed)
        #expect(limiter.admit(key: "c", at: at(0), limit: limit) == .allowed)
    }

    @Test("refused requests do not count")
    func refusedDoNotCount() {
        var limiter = RateLimiter()
        let limit = RateLimit(limit: 2, window: .seconds(10))
        #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(1_000), limit: limit) == .allowed)
        // Hammering while limited does not push the window back.
        for ms in stride(from: Int64(1_001), to: 10_000, by: 7) {
            #expect(limiter.admit(key: "k", at: at(ms), limit: limit) != .allowed)
        }
        #expect(limiter.admit(key: "k", at: at(10_000), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(11_000), limit: limit) == .allowed)
    }

    @Test("a zero limit refuses everything; reset forgets")
    func zeroAndReset() {
        var limiter = RateLimiter()
        #expect(limiter.admit(key: "k", at: at(0), limit: RateLimit(limit: 0, window: .seconds(5))) == .limited(retryAfter: .seconds(5)))
        let limit = RateLimit(limit: 1, window: .seconds(60))
        #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .allowed)
        #expect(limiter.admit(key: "k", at: at(1), limit: limit) != .allowed)
        limiter.reset()
        #expect(limiter.admit(key: "k", at: at(2), limit: limit) == .allowed)
    }

    @Test("a huge limit on a clock that does not move keeps one instant, and still counts exactly")
    func hugeLimitStaysSmall() {
        var limiter = RateLimiter()
        let limit = RateLimit(limit: 200_000, window: .seconds(1))
        let allowed = (0..<200_000).filter { _ in limiter.admit(key: "k", at: at(0), limit: limit) == .allowed }.count
        #expect(allowed == 200_000)
        #expect(limiter.storedInstants(for: "k") == 1)
        #expect(limiter.admit(key: "k", at: at(0), limit: limit) == .limited(retryAfter: .seconds(1)))
        // On a moving clock the store is bounded by the window's milliseconds, not the limit.
        var refused = 0
        for ms in Int64(1_000)..<Int64(5_000) {
            for _ in 0..<3 where limiter.admit(key: "k", at: at(ms), limit: limit) != .allowed { refused += 1 }
        }
        #expect(refused == 0)
        #expect(limiter.storedInstants(for: "k") <= 2 * 1_001)
        // 4001…4999 ms are in the window at 5000 ms: 2,997 admissions; under a limit lowered to
        // that, the next slot frees when 4001 ms leaves.
        #expect(limiter.admit(key: "k", at: at(5_000), limit: RateLimit(limit: 2_997, window: .seconds(1)))
            == .limited(retryAfter: .milliseconds(1)))
    }

    @Test("a limit lowered at run time applies at once")
    func loweredLimit() {
        var limiter = RateLimiter()
        for i in 0..<10 { #expect(limiter.admit(key: "k", at: at(Int64(i)), limit: .perSecond10) == .allowed) }
        let lower = RateLimit(limit: 3, window: .seconds(1))
        // Ten in the window, three allowed: eight must leave (t = 0…7 ms) before one more fits.
        #expect(limiter.admit(key: "k", at: at(500), limit: lower) == .limited(retryAfter: .milliseconds(507)))
        #expect(limiter.admit(key: "k", at: at(1_006), limit: lower) == .limited(retryAfter: .milliseconds(1)))
        #expect(limiter.admit(key: "k", at: at(1_007), limit: lower) == .allowed)
    }

    @Test("the world limits by the dialect's default, with per-key overrides, on its own clock")
    func worldLimits() {
        var setup = WorldSetup()
        setup.clock = .virtual
        setup.keyRateLimits = ["vip": RateLimit(limit: 1, window: .seconds(60))]
        let world = World(setup)
        let sh4de = world.transact { state in (0..<31).map { _ in state.admit(key: "k", dialect: "sh4de", default: .perMinute30) } }
        #expect(sh4de.prefix(30).allSatisfy { $0 == .allowed })
        #expect(sh4de[30] == .limited(retryAfter: .seconds(60)))
        let tg = world.transact { state in (0..<11).map { _ in state.admit(key: "t", dialect: "tgmarket", default: .perSecond10) } }
        #expect(tg.prefix(10).allSatisfy { $0 == .allowed })
        #expect(tg[10] == .limited(retryAfter: .seconds(1)))
        #expect(world.transact { $0.admit(key: "vip", dialect: "tgmarket", default: .perSecond10) } == .allowed)
        #expect(world.transact { $0.admit(key: "vip", dialect: "tgmarket", default: .perSecond10) } == .limited(retryAfter: .seconds(60)))
        // No limit configured for a dialect: always allowed.
        #expect(world.transact { state in (0..<100).allSatisfy { _ in state.admit(key: "x", dialect: "generic", default: nil) == .allowed } })
        world.advance(by: .seconds(1))
        #expect(world.transact { $0.admit(key: "t", dialect: "tgmarket", default: .perSecond10) } == .allowed)
        #expect(world.transact { $0.admit(key: "k", dialect: "sh4de", default: .perMinute30) } == .limited(retryAfter: .seconds(59)))
        world.advance(by: .seconds(59))
        #expect(world.transact { $0.admit(key: "k", dialect: "sh4de", default: .perMinute30) } == .allowed)
    }

    @Test("RateLimit Codable uses milliseconds")
    func codable() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(RateLimit.perMinute30)
        #expect(String(decoding: data, as: UTF8.self) == #"{"limit":30,"windowMilliseconds":60000}"#)
        #expect(try JSONDecoder().decode(RateLimit.self, from: data) == .perMinute30)
    }
}
