import Dispatch
import Foundation
import Synchronization

/// The simulated upstream: money, keys, users, orders and their lifecycles on a clock.
///
/// All state sits behind one lock and is changed only inside `transact`, so concurrent
/// requests never overdraw a balance. Callbacks into I/O code (held requests) run after the
/// lock is released. The world knows nothing of HTTP.
public final class World: Sendable {
    private let state: WorldLock<WorldState>
    /// When the wake-up is set to fire (nil: not set); the Dispatch timer, made on first use
    /// when no scheduler was given; the given scheduler and how to cancel what it scheduled.
    private let wakeup = Mutex<Wakeup>(Wakeup())

    private struct Wakeup {
        var armed: WorldTime?
        var timer: (any DispatchSourceTimer)?
        var scheduler: WakeScheduler?
        var cancel: (@Sendable () -> Void)?
    }

    /// Runs `fire` after `delay` nanoseconds of real time; returns what cancels it. The server
    /// gives one of its event loops' timers, so that the clock's wake-ups fire on a thread
    /// that is already running instead of waking one more (on two busy cores a woken Dispatch
    /// thread can wait a scheduling slice).
    public typealias WakeScheduler =
        @Sendable (_ delay: UInt64, _ fire: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)

    /// Wakes the world through `scheduler` from now on (nil: its own Dispatch timer again).
    public func useWakeups(_ scheduler: WakeScheduler?) {
        let pending = wakeup.withLock { w -> (@Sendable () -> Void)? in
            defer { w.cancel = nil; w.armed = nil }
            w.scheduler = scheduler
            w.timer?.schedule(deadline: .distantFuture)
            return w.cancel
        }
        pending?()
        transact { _ in }  // re-arms the next due timer through the new scheduler
    }
    private let source: RealTimeSource

    /// Wall time and the monotonic clock of this machine.
    public static let systemTime = RealTimeSource(
        wallNow: { WorldTime(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) },
        monotonicNanoseconds: { DispatchTime.now().uptimeNanoseconds })

    /// A world starting from `setup`.
    public init(_ setup: WorldSetup, time: RealTimeSource = World.systemTime) {
        self.source = time
        self.state = WorldLock(World.makeState(setup, source: time))
    }

    private static func makeState(_ setup: WorldSetup, source: RealTimeSource) -> WorldState {
        let start =
            setup.startTime ?? (setup.clock == .real ? source.wallNow() : WorldSetup.documentedStart)
        return WorldState(setup: setup, clock: ClockState(mode: setup.clock, start: start, source: source))
    }

    /// Runs `body` on the state under the lock, after letting due timers fire; then runs the
    /// callbacks the change produced, outside the lock.
    @inlinable
    public func transact<R>(_ body: (inout WorldState) throws -> R) rethrows -> R {
        // Inlined into the caller, where `R` is known; the work is the non-generic
        // `transactOnce` (unspecialised, the transaction looked a tuple's metadata up on every
        // request).
        var result: R?
        try transactOnce { result = try body(&$0) }
        return result!
    }

    /// ``transact(_:)``'s work.
    @usableFromInline
    func transactOnce(_ body: (inout WorldState) throws -> Void) rethrows {
        let (effects, wake) = try state.withLock { state -> ([@Sendable () -> Void], (WorldTime, UInt64)?) in
            state.fireDueTimers()
            try body(&state)
            state.drainSignals()
            let effects = state.effects
            state.effects.removeAll()
            let wake: (WorldTime, UInt64)? = state.nextDue.flatMap { due in
                state.clock.realDelay(until: due).map { (due, $0) }
            }
            return (effects, wake)
        }
        for effect in effects { effect() }
        if let (due, delay) = wake { arm(due: due, delay: delay) }
    }

    /// Reads the state.
    public func read<R>(_ body: (WorldState) throws -> R) rethrows -> R {
        try transact { try body($0) }
    }

    /// Moves the clock forward by `duration`, firing due timers in order.
    public func advance(by duration: Duration) {
        transact { $0.advanceClock(by: duration) }
    }

    /// Now on the world's clock.
    public var now: WorldTime { read(\.now) }

    /// Goes back to the starting world (or a new setup); held requests are cancelled.
    public func reset(to setup: WorldSetup? = nil) {
        let effects = state.withLock { state in
            state.cancelAllWaits()
            let effects = state.effects
            state = World.makeState(setup ?? state.setup, source: source)
            return effects
        }
        wakeup.withLock { $0.armed = nil }
        for effect in effects { effect() }
    }

    deinit {
        wakeup.withLock { w in
            w.timer?.cancel()
            w.cancel?()
        }
    }

    /// Real and scaled clocks: wakes up when the next timer is due so held requests and
    /// lifecycles move without anyone asking. Nothing sleeps: one Dispatch timer source, set
    /// with no leeway (`asyncAfter` lets a 200 ms wake-up drift by up to 20 ms), moved earlier
    /// when an earlier timer is added.
    private func arm(due: WorldTime, delay: UInt64) {
        wakeup.withLock { wakeup in
            if let armed = wakeup.armed, armed <= due { return }
            wakeup.armed = due
            if let scheduler = wakeup.scheduler {
                wakeup.cancel?()
                wakeup.cancel = scheduler(delay) { [weak self] in self?.wake(due) }
                return
            }
            let timer = wakeup.timer ?? makeTimer()
            wakeup.timer = timer
            timer.schedule(deadline: .now() + .nanoseconds(Int(min(delay, UInt64(Int.max)))), leeway: .nanoseconds(0))
        }
    }

    /// A scheduled wake-up for `due` fired: fires what is due and arms the next.
    private func wake(_ due: WorldTime) {
        wakeup.withLock { w in
            if w.armed == due {
                w.armed = nil
                w.cancel = nil
            }
        }
        transact { _ in }
    }

    private func makeTimer() -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "starmock.world.clock"))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.wakeup.withLock { $0.armed = nil }
            self.transact { _ in }
        }
        timer.activate()
        return timer
    }
}
