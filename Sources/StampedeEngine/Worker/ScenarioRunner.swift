import StampedeDSL

/// One scenario's segment on one worker: its flow (prepared for libcurl), its executor and
/// its VUs. The executor decides when VUs start; the worker runs their steps.
final class ScenarioRunner: VUPool {
    enum PlannedStep {
        case request(PreparedRequest)
        case think(nanoseconds: UInt64)
    }

    let name: String
    let steps: [PlannedStep]
    let executor: ExecutorRuntime
    private(set) var vus: [VirtualUser] = []
    /// VUs in an iteration.
    var busyCount = 0
    private unowned let worker: Worker
    /// The most VUs this segment may allocate, and what new ones need.
    private let vuLimit: Int
    private let firstVUID: Int
    private let timeoutMilliseconds: Int

    init(scenario: Scenario, segment: ExecutionSegment, baseURL: String?, worker: Worker, timeoutMilliseconds: Int) throws(PlanError) {
        name = scenario.name
        self.worker = worker
        executor = scenario.executor.makeRuntime(segment: segment)
        var steps: [PlannedStep] = []
        for step in scenario.flow {
            switch step {
            case .request(let spec):
                steps.append(.request(PreparedRequest(spec, resolvedURL: try resolve(spec.url, against: baseURL))))
            case .think(.fixed(let duration)):
                steps.append(.think(nanoseconds: UInt64(max(0, duration.nanoseconds))))
            }
        }
        self.steps = steps
        vuLimit = max(executor.vuCount, segment.share(of: scenario.executor.maxVUs))
        firstVUID = segment.firstIndex(of: scenario.executor.maxVUs) + 1
        self.timeoutMilliseconds = timeoutMilliseconds
        for _ in 0..<executor.vuCount { _ = addVU() }
    }

    /// Done: no iteration will start and none runs.
    var isFinished: Bool { busyCount == 0 && executor.isDone }

    func startIteration(vu: Int, now: UInt64) {
        worker.startIteration(vus[vu], now: now)
    }

    func isBusy(vu: Int) -> Bool { vus[vu].isBusy }

    func interrupt(vu: Int) { worker.interrupt(vus[vu]) }

    func interruptAll(now: UInt64) {
        for vu in vus where vu.isBusy { worker.interrupt(vu) }
    }

    func addVU() -> Int? {
        guard vus.count < vuLimit else { return nil }
        let index = vus.count
        vus.append(VirtualUser(id: firstVUID + index, index: index, scenario: self, timeoutMilliseconds: timeoutMilliseconds))
        worker.vuAdded()
        return index
    }

    func dropIteration() { worker.dropIteration() }
}

/// The URL a request goes to: absolute as written, or a path appended to the run's target.
func resolve(_ url: String, against baseURL: String?) throws(PlanError) -> String {
    if url.hasPrefix("http://") || url.hasPrefix("https://") { return url }
    guard let baseURL else { throw PlanError("request '\(url)' is a path, but the run has no target URL") }
    let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    return url.hasPrefix("/") ? base + url : base + "/" + url
}
