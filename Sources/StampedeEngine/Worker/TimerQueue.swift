import HeapModule

/// A worker's pending wake-ups (think times), earliest first. Cancelled timers stay in the
/// heap and are skipped when they fire: cheaper than searching the heap to remove them.
struct TimerQueue {
    struct Entry: Comparable {
        let deadline: UInt64
        let vu: VirtualUser
        let generation: UInt32

        static func < (a: Entry, b: Entry) -> Bool { a.deadline < b.deadline }
        static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.vu === b.vu }
    }

    private var heap = Heap<Entry>()

    mutating func schedule(_ vu: VirtualUser, at deadline: UInt64) {
        heap.insert(Entry(deadline: deadline, vu: vu, generation: vu.timerGeneration))
    }

    var nextDeadline: UInt64 { heap.min?.deadline ?? .max }

    /// Entries in the heap, cancelled ones included.
    var count: Int { heap.count }

    /// Removes and returns the next VU whose timer is due at `now` and still current.
    mutating func popDue(now: UInt64) -> VirtualUser? {
        while let first = heap.min, first.deadline <= now {
            heap.removeMin()
            if first.generation == first.vu.timerGeneration { return first.vu }
        }
        return nil
    }
}
