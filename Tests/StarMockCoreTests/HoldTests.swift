import StarMockCore
import Synchronization
import Testing

@Suite("Holds: waiting for a topic or a timeout on the world's clock")
struct HoldTests {
    static func world() -> World {
        var setup = WorldSetup()
        setup.clock = .virtual
        return World(setup)
    }

    final class Ends: Sendable {
        let ends = Mutex<[HoldEnd]>([])
        var all: [HoldEnd] { ends.withLock { $0 } }
        func add(_ end: HoldEnd) { ends.withLock { $0.append(end) } }
    }

    @Test("A signal wakes every hold on its topic once, at the end of the transaction that signalled; others keep waiting")
    func signal() {
        let world = Self.world()
        let a = Ends(), b = Ends(), other = Ends()
        world.transact { w in
            w.hold("t", timeout: .seconds(5)) { end, _ in a.add(end) }
            w.hold("t", timeout: nil) { end, _ in b.add(end) }
            w.hold("u", timeout: .seconds(5)) { end, _ in other.add(end) }
        }
        world.transact { w in
            w.signal("t")
            #expect(a.all.isEmpty, "woken only once the change is done")
        }
        #expect(a.all == [.signalled] && b.all == [.signalled] && other.all.isEmpty)
        world.transact { $0.signal("t") }
        #expect(a.all == [.signalled], "a hold is woken once")
        world.advance(by: .seconds(5))
        #expect(other.all == [.timedOut])
    }

    @Test("A timeout fires at its instant; a signal from a timer wakes holds at that timer's instant")
    func timers() {
        let world = Self.world()
        let woken = Mutex<WorldTime?>(nil)
        let start = world.now
        world.transact { w in
            w.hold("t", timeout: .seconds(60)) { _, w in woken.withLock { $0 = w.now } }
            w.schedule(at: w.now.adding(.seconds(10))) { $0.signal("t") }
        }
        world.advance(by: .seconds(30))
        #expect(woken.withLock { $0 } == start.adding(.seconds(10)))
    }

    @Test("cancelHold, reset and shutdown end holds as cancelled; a hold during shutdown is cancelled at once")
    func cancelled() {
        let world = Self.world()
        let a = Ends(), b = Ends(), late = Ends()
        let id = world.transact { w in w.hold("t", timeout: .seconds(5)) { end, _ in a.add(end) } }
        world.transact { w in if let id { w.cancelHold(id) } }
        #expect(a.all == [.cancelled])
        world.transact { w in _ = w.hold("t", timeout: nil) { end, _ in b.add(end) } }
        world.reset()
        #expect(b.all == [.cancelled])
        world.transact { $0.stopWaiting() }
        let refused = world.transact { w in w.hold("t", timeout: nil) { end, _ in late.add(end) } }
        #expect(refused == nil && late.all == [.cancelled])
    }
}
