import Foundation
import NIOConcurrencyHelpers
import StampedeMetrics

/// Who carries out the load of a run: this process's worker threads (`LocalLoad`), or a
/// coordinator's remote workers. Either way each reporter hands its seconds to the
/// aggregator it is given and signals `finished` once when it ends, and `LoadRun` merges
/// them, judges them and reports them the same way.
public protocol LoadPhase: Sendable {
    /// How many reporters make a complete second.
    var reporterCount: Int { get }
    /// Starts the load; every VU starts with `sharedVars` (what setup made).
    func start(sharedVars: [String: String], aggregator: IntervalAggregator, finished: DispatchSemaphore)
    /// Interrupts the load; reporters still hand over their last seconds and finish. Safe from
    /// any thread, before or after `start`.
    func stop()
}

/// The load on this process's threads: one `Worker` each, given its scenarios' segments by
/// `assign` once the shared variables are known.
final class LocalLoad: LoadPhase {
    let reporterCount: Int
    private let registry: MetricRegistry
    private let settings: HTTPSettings
    /// Workers keep every sample (`RunOptions.samples`).
    private let sampling: Bool
    private let onCodeFault: @Sendable (String) -> Void
    private let assign: @Sendable ([Worker], [String: String]) -> Void
    private let workers = NIOLockedValueBox<[Worker]>([])

    init(
        workerCount: Int, registry: MetricRegistry, settings: HTTPSettings, sampling: Bool, onCodeFault: @escaping @Sendable (String) -> Void,
        assign: @escaping @Sendable ([Worker], [String: String]) -> Void
    ) {
        reporterCount = workerCount
        self.registry = registry
        self.settings = settings
        self.sampling = sampling
        self.onCodeFault = onCodeFault
        self.assign = assign
    }

    func start(sharedVars: [String: String], aggregator: IntervalAggregator, finished: DispatchSemaphore) {
        let created = (0..<reporterCount).map {
            Worker(id: $0, registry: registry, aggregator: aggregator, settings: settings, sampling: sampling, finished: finished,
                   onCodeFault: onCodeFault)
        }
        assign(created, sharedVars)
        workers.withLockedValue { $0 = created }
        let runStart = MonotonicClock.now()
        for worker in created { worker.start(runStart: runStart) }
    }

    func stop() {
        for worker in workers.withLockedValue({ $0 }) { worker.stop() }
    }
}
