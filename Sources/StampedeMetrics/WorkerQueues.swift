/// The sizes of a worker's queues at the end of a second, so a long run can show that none
/// of them grows (timeline.ndjson, `bench/soak`). A worker reads them once a second, when it
/// hands over its metrics, never on the request path.
public struct WorkerQueues: Sendable, Equatable {
    /// Entries in the timer heap: think times and pacing, cancelled ones included until due.
    public var timers = 0
    /// Requests handed to libcurl and not yet complete.
    public var transfers = 0
    /// What executors hold for later: arrival-rate iterations waiting for a free VU, and
    /// ramped-down VUs waiting for the end of `gracefulRampDown`.
    public var executorQueue = 0

    public init(timers: Int = 0, transfers: Int = 0, executorQueue: Int = 0) {
        (self.timers, self.transfers, self.executorQueue) = (timers, transfers, executorQueue)
    }

    /// Two workers' queues in the same second add up.
    public mutating func add(_ other: WorkerQueues) {
        timers += other.timers
        transfers += other.transfers
        executorQueue += other.executorQueue
    }
}
