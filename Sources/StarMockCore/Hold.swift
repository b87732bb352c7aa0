/// How a hold ended.
public enum HoldEnd: Sendable, Equatable {
    /// Its topic was signalled.
    case signalled
    /// Its timeout passed on the world's clock.
    case timedOut
    /// The server is shutting down, the world was reset or the client went away.
    case cancelled
}

/// A generic wait on the world's clock: something (a held request, an outbound queue) waits
/// until a named topic is signalled or a timeout passes, whichever comes first. Nothing blocks:
/// the wake-up runs inside the world's transaction that signalled (or at the timer's instant),
/// and whatever I/O it needs goes through `afterCommit`. Topics are plain names a dialect or
/// the server chooses (`telegram.updates.123456789`); the world knows nothing of what they mean.
struct Hold {
    let topic: String
    let timerID: Int?
    let wake: @Sendable (HoldEnd, inout WorldState) -> Void
}

extension WorldState {
    /// Waits until `topic` is signalled or `timeout` passes (nil: no timeout), then calls
    /// `wake` once, inside a transaction. Returns the hold's id for `cancelHold`, or nil when
    /// the world refuses new waits (shutting down): `wake` then gets `.cancelled` at once.
    @discardableResult
    public mutating func hold(
        _ topic: String, timeout: Duration?, wake: @escaping @Sendable (HoldEnd, inout WorldState) -> Void
    ) -> Int? {
        if refusesWaits {
            wake(.cancelled, &self)
            return nil
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let timer = timeout.map { timers.add(due: now.adding($0), action: .holdTimeout(id)) }
        holds[id] = Hold(topic: topic, timerID: timer, wake: wake)
        return id
    }

    /// Wakes every hold on `topic` (as `.signalled`) once the current change is done: at the
    /// end of this transaction, or right after the timer that signalled.
    public mutating func signal(_ topic: String) {
        if !signalledTopics.contains(topic) { signalledTopics.append(topic) }
    }

    /// Ends a hold early; its `wake` gets `.cancelled`.
    public mutating func cancelHold(_ id: Int) {
        guard let hold = holds.removeValue(forKey: id) else { return }
        if let timer = hold.timerID { timers.cancel(timer) }
        hold.wake(.cancelled, &self)
    }

    /// Whether a hold is still waiting.
    public func isHolding(_ id: Int) -> Bool { holds[id] != nil }

    /// How many holds wait on `topic`.
    public func holdCount(_ topic: String) -> Int { holds.values.filter { $0.topic == topic }.count }

    /// Wakes the holds of every signalled topic, oldest hold first, until no topic is left
    /// signalled (a wake-up may signal again).
    mutating func drainSignals() {
        var rounds = 0
        while !signalledTopics.isEmpty, rounds < 1000 {
            rounds += 1
            let topics = signalledTopics
            signalledTopics.removeAll()
            for id in holds.keys.sorted() {
                guard let hold = holds[id], topics.contains(hold.topic) else { continue }
                holds[id] = nil
                if let timer = hold.timerID { timers.cancel(timer) }
                hold.wake(.signalled, &self)
            }
        }
    }

    mutating func timeOutHold(_ id: Int) {
        guard let hold = holds.removeValue(forKey: id) else { return }
        hold.wake(.timedOut, &self)
    }

    mutating func cancelAllHolds() {
        for id in holds.keys.sorted() { cancelHold(id) }
    }
}

extension WorldState {
    /// Whether the world answers new waits at once as cancelled (it is shutting down).
    public var isRefusingWaits: Bool { refusesWaits }
}
