import StampedeDSL

/// The contract every executor keeps on a worker: it owns the decision of *when* each of
/// its segment's VUs starts an iteration; the worker owns *how* an iteration runs.
///
/// All calls come from the worker's thread; times are `MonotonicClock` nanoseconds.
protocol ExecutorRuntime: AnyObject {
    /// The VUs this executor needs on this segment; the worker creates them up front.
    var vuCount: Int { get }
    /// Starts the executor at `now`.
    func start(now: UInt64, vus: VUPool)
    /// VU `vu` finished an iteration: start another, or leave it idle. (An interrupted
    /// iteration does not end here: interrupts come from the executor itself or a stop.)
    func iterationEnded(vu: Int, now: UInt64, vus: VUPool)
    /// When `wake` should next be called; `UInt64.max` for never.
    var nextWake: UInt64 { get }
    func wake(now: UInt64, vus: VUPool)
    /// True once no iteration will start again; the scenario ends when its VUs are idle too.
    var isDone: Bool { get }
    /// Entries the executor holds for later (iterations waiting for a VU, VUs waiting for
    /// their interrupt), for `WorkerQueues`; read once a second.
    var queued: Int { get }
}

extension ExecutorRuntime {
    var queued: Int { 0 }
}

/// What an executor may do with its VUs.
protocol VUPool: AnyObject {
    /// Starts an iteration that was due at `dueAt`; its first request's latency counts from then.
    func startIteration(vu: Int, now: UInt64, dueAt: UInt64)
    func isBusy(vu: Int) -> Bool
    /// Cuts one VU's running iteration short (the end of a graceful ramp-down).
    func interrupt(vu: Int)
    /// Cuts every running iteration short (the end of a graceful stop).
    func interruptAll(now: UInt64)
    /// Allocates one more VU, if the segment's share of `maxVUs` allows; returns its index.
    func addVU() -> Int?
    /// Counts an iteration that was due but found no VU (`dropped_iterations`).
    func dropIteration()
}

extension VUPool {
    /// Starts an iteration that is due now (the closed-model executors).
    func startIteration(vu: Int, now: UInt64) { startIteration(vu: vu, now: now, dueAt: now) }
}

/// The end every executor shares: no iteration starts after `end`, and what still runs at
/// `end + gracefulStop` is interrupted.
struct StopWindow {
    private let duration: UInt64
    private let gracefulStop: UInt64
    private(set) var end: UInt64 = .max
    private(set) var hardEnd: UInt64 = .max
    private(set) var isPastEnd = false

    init(duration: Duration, gracefulStop: Duration) {
        self.duration = UInt64(max(0, duration.nanoseconds))
        self.gracefulStop = UInt64(max(0, gracefulStop.nanoseconds))
    }

    mutating func begin(at now: UInt64) {
        end = now &+ duration
        hardEnd = end &+ gracefulStop
    }

    @inline(__always)
    func mayStart(at now: UInt64) -> Bool { now < end }

    var nextWake: UInt64 { isPastEnd ? hardEnd : end }

    /// Called from the executor's `wake`: passes the end, then interrupts at the hard end.
    mutating func wake(now: UInt64, vus: VUPool) {
        if now >= end { isPastEnd = true }
        if now >= hardEnd { vus.interruptAll(now: now) }
    }
}

extension Executor {
    /// The runtime of this executor for one segment of the test.
    func makeRuntime(segment: ExecutionSegment) -> ExecutorRuntime {
        switch self {
        case .constantVUs(let config): ConstantVUsRuntime(config, segment: segment)
        case .rampingVUs(let config): RampingVUsRuntime(config, segment: segment)
        case .perVUIterations(let config): PerVUIterationsRuntime(config, segment: segment)
        case .sharedIterations(let config): SharedIterationsRuntime(config, segment: segment)
        case .constantArrivalRate(let config):
            ArrivalRateRuntime(
                schedule: ArrivalSchedule(startRate: config.rate, stages: [Stage(config.duration, target: config.rate)], timeUnit: config.timeUnit),
                preAllocatedVUs: config.preAllocatedVUs, gracefulStop: config.gracefulStop, segment: segment)
        case .rampingArrivalRate(let config):
            ArrivalRateRuntime(
                schedule: ArrivalSchedule(startRate: config.startRate, stages: config.stages, timeUnit: config.timeUnit),
                preAllocatedVUs: config.preAllocatedVUs, gracefulStop: config.gracefulStop, segment: segment)
        }
    }
}
