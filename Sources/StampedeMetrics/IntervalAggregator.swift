import NIOConcurrencyHelpers

/// One worker's metrics for one interval (a second of the run, counted from its start).
public struct IntervalReport: Sendable {
    public let worker: Int
    public let index: Int
    public let metrics: MetricSet
    /// Set on the worker's final report (it reports no later interval): its gauges as it
    /// ended, which stand for it in the seconds other workers still report.
    public let gaugesAtEnd: [Gauge]?

    public init(worker: Int, index: Int, metrics: MetricSet, gaugesAtEnd: [Gauge]? = nil) {
        self.worker = worker
        self.index = index
        self.metrics = metrics
        self.gaugesAtEnd = gaugesAtEnd
    }
}

/// Collects the workers' per-second reports and merges them into whole seconds and into the
/// run's totals. Workers hand a report over once a second (one short lock); everything else
/// happens on the thread that calls `drain`.
public final class IntervalAggregator: Sendable {
    private let inbox = NIOLockedValueBox<[IntervalReport]>([])
    private let state: NIOLockedValueBox<State>

    private struct State: Sendable {
        var pending: [Int: (reporters: Set<Int>, metrics: MetricSet)] = [:]
        /// Finished workers, with their last interval and their gauges at the end.
        var finishedWorkers: [Int: (lastIndex: Int, gauges: [Gauge])] = [:]
        var totals: MetricSet
    }

    /// The number of workers whose reports make a complete second.
    public let workerCount: Int
    private let registry: MetricRegistry

    public init(registry: MetricRegistry, workerCount: Int) {
        self.registry = registry
        self.workerCount = workerCount
        state = NIOLockedValueBox(State(totals: MetricSet(registry: registry)))
    }

    /// Called by a worker thread: hands over its set for interval `index`.
    public func submit(_ report: IntervalReport) {
        inbox.withLockedValue { $0.append(report) }
    }

    /// Merges what the workers handed over, and returns each second that is now complete,
    /// in order. With `final`, every second still pending counts as complete (a worker that
    /// ended early has nothing more to add).
    public func drain(final: Bool = false) -> [(index: Int, metrics: MetricSet)] {
        let reports = inbox.withLockedValue { reports in
            defer { reports.removeAll(keepingCapacity: true) }
            return reports
        }
        return state.withLockedValue { state in
            for report in reports {
                if state.pending[report.index] == nil { state.pending[report.index] = ([], MetricSet(registry: registry)) }
                // Merged in place: a copy of the entry would copy every histogram of the second.
                state.pending[report.index]!.metrics.mergeConcurrent(report.metrics)
                state.pending[report.index]!.reporters.insert(report.worker)
                if let gauges = report.gaugesAtEnd { state.finishedWorkers[report.worker] = (report.index, gauges) }
            }
            var completed: [(index: Int, metrics: MetricSet)] = []
            for index in state.pending.keys.sorted() {
                guard var entry = state.pending[index] else { continue }
                // Workers report seconds in order, so the first incomplete second ends the scan.
                guard final || entry.reporters.union(state.finishedWorkers.keys).count == workerCount else { break }
                for (worker, end) in state.finishedWorkers where end.lastIndex < index && !entry.reporters.contains(worker) {
                    MetricSet.mergeConcurrent(&entry.metrics.gauges, end.gauges)
                }
                state.pending[index] = nil
                state.totals.append(entry.metrics)
                completed.append((index, entry.metrics))
            }
            return completed
        }
    }

    /// Everything merged so far.
    public var totals: MetricSet { state.withLockedValue { $0.totals } }

    /// The finished workers' gauges as they ended, merged as one second's.
    public var gaugesAtEnd: [Gauge] {
        state.withLockedValue { state in
            var merged = Array(repeating: Gauge(), count: registry.gaugeCount)
            for end in state.finishedWorkers.values { MetricSet.mergeConcurrent(&merged, end.gauges) }
            return merged
        }
    }
}
