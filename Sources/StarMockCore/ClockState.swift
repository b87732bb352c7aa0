/// A source of real time: wall time at the start, and monotonic nanoseconds since.
public struct RealTimeSource: Sendable {
    /// Wall time now (used once, at the start of a real clock).
    public var wallNow: @Sendable () -> WorldTime
    /// Monotonic nanoseconds (elapsed time, immune to wall-clock jumps).
    public var monotonicNanoseconds: @Sendable () -> UInt64

    /// A source.
    public init(wallNow: @escaping @Sendable () -> WorldTime, monotonicNanoseconds: @escaping @Sendable () -> UInt64) {
        self.wallNow = wallNow
        self.monotonicNanoseconds = monotonicNanoseconds
    }
}

/// The world's clock: real, scaled ×N or virtual, plus any time skipped by `advance`.
struct ClockState: Sendable {
    let mode: ClockMode
    let start: WorldTime
    let realStart: UInt64
    let source: RealTimeSource
    var skipped: Int64 = 0  // milliseconds added by advance (and all of virtual time)

    init(mode: ClockMode, start: WorldTime, source: RealTimeSource) {
        self.mode = mode
        self.start = start
        self.source = source
        self.realStart = source.monotonicNanoseconds()
    }

    func now() -> WorldTime {
        WorldTime(milliseconds: start.milliseconds + elapsedMilliseconds() + skipped)
    }

    private func elapsedMilliseconds() -> Int64 {
        let realNanos = source.monotonicNanoseconds() &- realStart
        switch mode {
        case .virtual: return 0
        case .real: return Int64(realNanos / 1_000_000)
        case .scaled(let n): return Int64((Double(realNanos) * n / 1_000_000).rounded(.down))
        }
    }

    mutating func skip(by duration: Duration) { skipped += duration.wholeMilliseconds }

    /// Real nanoseconds until the world's clock reaches `due` (nil for a virtual clock).
    func realDelay(until due: WorldTime) -> UInt64? {
        let worldMillis = max(0, due.milliseconds - now().milliseconds)
        switch mode {
        case .virtual: return nil
        case .real: return UInt64(worldMillis) * 1_000_000
        case .scaled(let n): return UInt64((Double(worldMillis) * 1_000_000 / n).rounded(.up))
        }
    }
}
