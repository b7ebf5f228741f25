import StampedeDSL

/// One scenario's segment on one worker: its compiled flow, its executor and its VUs. The
/// executor decides when VUs start; the worker runs their steps.
final class ScenarioRunner: VUPool {
    /// What a runner is made from: the scenario, its compiled flow, its segment and the data
    /// the run shares.
    struct Configuration {
        let scenario: Scenario
        let program: FlowProgram
        let segment: ExecutionSegment
        let feeder: FeederCursor?
        /// Variables every VU starts with: setup's results and the scenario's env.
        let initialVars: [String: String]
        /// The environment templates read as `{{env.NAME}}`.
        let env: [String: String]
        /// Tagged iteration sub-metrics (named by thresholds) this scenario feeds.
        let iterationRoutes: [SubmetricRoute]
        let settings: HTTPSettings
        /// Files multipart requests upload.
        let files: FileStore
        /// The run's request timeout, for requests without their own.
        let timeoutMilliseconds: Int
        /// The tags of its iterations' samples: `MetricRegistry.tagSets[iterationTags]`.
        let iterationTags: Int32
    }

    let configuration: Configuration
    let executor: ExecutorRuntime
    /// When the scenario starts, after the start of the run.
    let startOffset: UInt64
    let pacing: UInt64?
    private(set) var vus: [VirtualUser] = []
    var isStarted = false
    /// VUs in an iteration.
    var busyCount = 0
    /// A sequential feeder ran out: no iteration starts again.
    var feederExhausted = false
    private unowned let worker: Worker
    /// The most VUs this segment may allocate, and what new ones need.
    private let vuLimit: Int
    private let firstVUID: Int

    var program: FlowProgram { configuration.program }
    var feeder: FeederCursor? { configuration.feeder }
    var initialVars: [String: String] { configuration.initialVars }
    var env: [String: String] { configuration.env }
    var iterationRoutes: [SubmetricRoute] { configuration.iterationRoutes }
    var settings: HTTPSettings { configuration.settings }
    var files: FileStore { configuration.files }
    var timeoutMilliseconds: Int { configuration.timeoutMilliseconds }

    init(_ configuration: Configuration, worker: Worker) {
        let scenario = configuration.scenario
        self.configuration = configuration
        executor = scenario.executor.makeRuntime(segment: configuration.segment)
        startOffset = UInt64(max(0, scenario.startTime.nanoseconds))
        pacing = scenario.pacing.map { UInt64(max(0, $0.nanoseconds)) }
        self.worker = worker
        vuLimit = max(executor.vuCount, configuration.segment.share(of: scenario.executor.maxVUs))
        firstVUID = configuration.segment.firstIndex(of: scenario.executor.maxVUs) + 1
        for _ in 0..<executor.vuCount { _ = addVU() }
    }

    /// Done: started, and no iteration will start and none runs.
    var isFinished: Bool { isStarted && busyCount == 0 && (executor.isDone || feederExhausted) }

    func startIteration(vu: Int, now: UInt64, dueAt: UInt64) {
        worker.startIteration(vus[vu], now: now, dueAt: dueAt)
    }

    func isBusy(vu: Int) -> Bool { vus[vu].isBusy }

    func interrupt(vu: Int) { worker.interrupt(vus[vu]) }

    func interruptAll(now: UInt64) {
        for vu in vus where vu.isBusy { worker.interrupt(vu) }
    }

    func addVU() -> Int? {
        guard vus.count < vuLimit else { return nil }
        let index = vus.count
        vus.append(VirtualUser(id: firstVUID + index, index: index, scenario: self))
        worker.vuAdded()
        return index
    }

    func dropIteration() { worker.dropIteration() }
}
