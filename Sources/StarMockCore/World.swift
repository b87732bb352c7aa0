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
    /// When the wake-up timer is set to fire (nil: not set), and the timer, made on first use.
    private let wakeup = Mutex<(armed: WorldTime?, timer: (any DispatchSourceTimer)?)>((nil, nil))
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
    public func transact<R>(_ body: (inout WorldState) throws -> R) rethrows -> R {
        let (result, effects, wake) = try state.withLock { state in
            state.fireDueTimers()
            let result = try body(&state)
            state.drainSignals()
            let effects = state.effects
            state.effects.removeAll()
            let wake: (WorldTime, UInt64)? = state.nextDue.flatMap { due in
                state.clock.realDelay(until: due).map { (due, $0) }
            }
            return (result, effects, wake)
        }
        for effect in effects { effect() }
        if let (due, delay) = wake { arm(due: due, delay: delay) }
        return result
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
        wakeup.withLock { $0.timer?.cancel() }
    }

    /// Real and scaled clocks: wakes up when the next timer is due so held requests and
    /// lifecycles move without anyone asking. Nothing sleeps: one Dispatch timer source, set
    /// with no leeway (`asyncAfter` lets a 200 ms wake-up drift by up to 20 ms), moved earlier
    /// when an earlier timer is added.
    private func arm(due: WorldTime, delay: UInt64) {
        wakeup.withLock { wakeup in
            if let armed = wakeup.armed, armed <= due { return }
            wakeup.armed = due
            let timer = wakeup.timer ?? makeTimer()
            wakeup.timer = timer
            timer.schedule(deadline: .now() + .nanoseconds(Int(min(delay, UInt64(Int.max)))), leeway: .nanoseconds(0))
        }
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
