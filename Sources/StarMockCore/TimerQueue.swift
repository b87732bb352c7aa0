/// Timers on the world's clock, earliest first (ties in the order they were added).
struct TimerQueue: Sendable {
    enum Action: Sendable {
        case finishOrder(OrderRef)
        case waitTimeout(Int)
        case custom(@Sendable (inout WorldState) -> Void)
        case holdTimeout(Int)
    }

    struct Timer: Sendable {
        let id: Int
        let due: WorldTime
        let action: Action
    }

    private var timers: [Timer] = []  // sorted by (due, id)
    private var nextID = 1

    var nextDue: WorldTime? { timers.first?.due }
    var count: Int { timers.count }

    @discardableResult
    mutating func add(due: WorldTime, action: Action) -> Int {
        let id = nextID
        nextID += 1
        // Binary search for the first timer due strictly later: equal times keep insertion order.
        var lo = 0
        var hi = timers.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timers[mid].due <= due { lo = mid + 1 } else { hi = mid }
        }
        timers.insert(Timer(id: id, due: due, action: action), at: lo)
        return id
    }

    mutating func cancel(_ id: Int) {
        if let i = timers.firstIndex(where: { $0.id == id }) { timers.remove(at: i) }
    }

    mutating func popDue(by limit: WorldTime) -> Timer? {
        guard let first = timers.first, first.due <= limit else { return nil }
        return timers.removeFirst()
    }
}
