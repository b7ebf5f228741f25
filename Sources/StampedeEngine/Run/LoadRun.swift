import Foundation
import StampedeDSL
import StampedeMetrics
import Synchronization

/// How a run is carried out, beyond what the scenarios say.
public struct RunOptions: Sendable {
    /// Worker threads; each drives its own libcurl multi handle.
    public var workers: Int
    /// The base URL that request paths are resolved against.
    public var target: String?
    /// How long one request may take before it fails with `timeout` (k6's default: 60s).
    public var requestTimeout: Duration

    public init(workers: Int = LoadRun.defaultWorkerCount, target: String? = nil, requestTimeout: Duration = .seconds(60)) {
        self.workers = workers
        self.target = target
        self.requestTimeout = requestTimeout
    }
}

/// What a finished run measured.
public struct RunOutcome: Sendable {
    public let totals: MetricSet
    public let startedAt: Date
    public let endedAt: Date
    /// True when `stop()` ended the run before its executors did.
    public let wasInterrupted: Bool
}

/// One load test run on this machine: its workers, their metrics, and the stop switch.
///
/// ```swift
/// let run = try LoadRun(scenarios: [scenario], options: RunOptions(target: "http://127.0.0.1:8080"))
/// let outcome = run.run { second, metrics in print(second, metrics[BuiltinMetrics.httpReqs]) }
/// ```
public final class LoadRun: Sendable {
    /// The CPUs this process may run on.
    public static var defaultWorkerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public let registry: MetricRegistry
    public let scenarios: [Scenario]
    private let workers: [Worker]
    private let aggregator: IntervalAggregator
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    public init(scenarios: [Scenario], options: RunOptions) throws(PlanError) {
        guard options.workers > 0 else { throw PlanError("--workers must be at least 1, got \(options.workers)") }
        for scenario in scenarios { try scenario.validate() }
        self.scenarios = scenarios
        registry = MetricRegistry()
        let assignments = Planner.assign(scenarios, workers: options.workers)
        let workerCount = (assignments.map(\.worker).max() ?? 0) + 1
        aggregator = IntervalAggregator(registry: registry, workerCount: workerCount)
        workers = (0..<workerCount).map { [registry, aggregator, finished] in
            Worker(id: $0, registry: registry, aggregator: aggregator, finished: finished)
        }
        let timeout = Int(max(1, options.requestTimeout.nanoseconds / 1_000_000))
        for assignment in assignments {
            try workers[assignment.worker].add(
                assignment.scenario, segment: assignment.segment, baseURL: options.target, timeoutMilliseconds: timeout)
        }
    }

    /// Runs the test to its end (or until `stop()`), calling `onSecond` on this thread with
    /// each completed second's metrics as it comes in.
    public func run(onSecond: (Int, MetricSet) -> Void = { _, _ in }) -> RunOutcome {
        let startedAt = Date()
        let runStart = MonotonicClock.now()
        for worker in workers { worker.start(runStart: runStart) }
        var running = workers.count
        while running > 0 {
            if finished.wait(timeout: .now() + .milliseconds(200)) == .success { running -= 1 }
            for (index, metrics) in aggregator.drain() { onSecond(index, metrics) }
        }
        for (index, metrics) in aggregator.drain(final: true) { onSecond(index, metrics) }
        return RunOutcome(
            totals: aggregator.totals, startedAt: startedAt, endedAt: Date(),
            wasInterrupted: stopped.load(ordering: .relaxed))
    }

    /// Interrupts every VU and ends the run; the metrics measured so far are kept. Safe from
    /// any thread, e.g. a signal handler's queue.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        for worker in workers { worker.stop() }
    }

    /// The libcurl in use, for run metadata.
    public static var httpEngineVersion: String { CurlGlobal.version }
}
