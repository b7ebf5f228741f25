import Foundation
import NIOConcurrencyHelpers
import StampedeDSL
import StampedeMetrics
import Synchronization

/// How a run is carried out, beyond what the plan says.
public struct RunOptions: Sendable {
    /// Worker threads; each drives its own libcurl multi handle.
    public var workers: Int
    /// The base URL that request paths are resolved against.
    public var target: String?
    /// How long one request may take before it fails with `timeout` (k6's default: 60s).
    public var requestTimeout: Duration
    /// The environment templates read as `{{env.NAME}}`.
    public var env: [String: String]
    /// Where relative feeder paths are found.
    public var baseDirectory: URL?
    /// The part of the test this process runs: the whole test, or a remote worker's segment.
    public var segment: ExecutionSegment
    /// Where every sample goes, for outputs that write each one (`--out json`); none: no
    /// sample is kept.
    public var samples: [any SampleSink]
    /// Gauges measured outside the load (`--scrape`), taken into each second.
    public var gauges: (any GaugeSource)?

    public init(
        workers: Int = LoadRun.defaultWorkerCount, target: String? = nil, requestTimeout: Duration = .seconds(60),
        env: [String: String] = [:], baseDirectory: URL? = nil, segment: ExecutionSegment = .full, samples: [any SampleSink] = [],
        gauges: (any GaugeSource)? = nil
    ) {
        self.samples = samples
        self.gauges = gauges
        self.workers = workers
        self.target = target
        self.requestTimeout = requestTimeout
        self.env = env
        self.baseDirectory = baseDirectory
        self.segment = segment
    }
}

/// What a finished run measured, and its verdict.
public struct RunOutcome: Sendable {
    public let totals: MetricSet
    public let startedAt: Date
    public let endedAt: Date
    /// True when `stop()` ended the run before its executors did.
    public let wasInterrupted: Bool
    /// True when an abortOnFail threshold failed and stopped the run.
    public let abortedByThreshold: Bool
    /// What a scenario's code did wrong, when it stopped the run (k6's script error).
    public let codeFault: String?
    /// Every threshold, judged on the final totals.
    public let thresholds: [ThresholdVerdict]

    /// True when every threshold passed.
    public var thresholdsPassed: Bool { thresholds.allSatisfy(\.passed) }
}

/// One load test run on this machine: setup, the scenarios on their workers, teardown, and
/// the stop switch. Setup and teardown run through the same workers and metrics as the
/// load, as one VU doing one iteration.
///
/// ```swift
/// let run = try LoadRun(plan: TestPlan(scenario), options: RunOptions(target: "http://127.0.0.1:8080"))
/// let outcome = run.run { second, metrics in print(second, metrics[BuiltinMetrics.httpReqs]) }
/// ```
public final class LoadRun: Sendable {
    /// The CPUs this process may run on.
    public static var defaultWorkerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public let plan: TestPlan
    public let registry: MetricRegistry
    /// Every file the test reads (feeders, multipart files), by the path its plan gives.
    public let inputFiles: [String]
    private let options: RunOptions
    private let programs: [FlowProgram]
    private let setupProgram: FlowProgram
    private let teardownProgram: FlowProgram
    private let feeders: [FeederCursor?]
    private let iterationRoutes: [[SubmetricRoute]]
    /// Each scenario's iteration samples' tags, and setup's and teardown's.
    private let iterationTags: [Int32]
    private let onceTags: (setup: Int32, teardown: Int32)
    private let settings: HTTPSettings
    private let files: FileStore
    private let judge: ThresholdJudge
    private let current = NIOLockedValueBox<(any LoadPhase)?>(nil)
    private let stopped = Atomic<Bool>(false)
    private let abortedByThreshold = Atomic<Bool>(false)
    private let codeFault = NIOLockedValueBox<String?>(nil)

    public init(plan: TestPlan, options: RunOptions) throws(PlanError) {
        guard options.workers > 0 else { throw PlanError("--workers must be at least 1, got \(options.workers)") }
        try plan.validate()
        for scenario in plan.scenarios {
            // Shared iterations are split by segment, VUs too: a segment with iterations and no
            // VU would never finish them, and its run would wait out maxDuration.
            guard case .sharedIterations(let executor) = scenario.executor,
                  options.segment.share(of: executor.vus) == 0, options.segment.share(of: executor.iterations) > 0
            else { continue }
            throw PlanError("scenario '\(scenario.name)' has too few VUs (\(executor.vus)) to share among the workers: this one would hold \(options.segment.share(of: executor.iterations)) iterations and no VU; give at least one VU per worker")
        }
        var registry = MetricRegistry()
        // Custom metrics first: thresholds may name them.
        for metric in plan.scrape.metrics {
            guard registry.declare(metric, .gauge, contains: .default) != nil else {
                throw PlanError("scrape series '\(metric.dropFirst("scrape:".count))' is named twice")
            }
        }
        for metric in plan.metrics {
            guard registry.declare(metric.name, MetricKind(metric.kind), contains: metric.isTime ? .time : .default) != nil else {
                throw PlanError("metric '\(metric.name)' is built in; a custom metric needs a name of its own")
            }
        }
        let settings = HTTPSettings(plan.http)
        self.settings = settings
        judge = try ThresholdJudge(plan.thresholds, registry: &registry)
        // With several scenarios, each gets its own requests, latency and failures, for the
        // progress lines and the summary's per-scenario breakdown.
        if plan.scenarios.count > 1 {
            for scenario in plan.scenarios {
                for metric in ["http_reqs", "http_req_duration", "http_req_failed", "iterations"] {
                    _ = registry.submetric(of: metric, tags: ["scenario": scenario.name])
                }
            }
        }
        var programs: [FlowProgram] = []
        var feeders: [FeederCursor?] = []
        var fileSources: [(name: String, flow: [Step], rows: [[String: String]])] = [("setup/teardown", plan.setup + plan.teardown, [])]
        var iterationRoutes: [[SubmetricRoute]] = []
        var iterationTags: [Int32] = []
        for scenario in plan.scenarios {
            let tags = scenario.tags.merging(["scenario": scenario.name]) { $1 }
            iterationRoutes.append(SubmetricRoutes.routes(from: SubmetricRoutes.iterationMetrics, tags: tags, registry: registry))
            iterationTags.append(registry.tagSet(tags.merging(["group": ""]) { $1 }))
            do {
                programs.append(try FlowProgram(scenario.flow, baseURL: options.target, tags: tags, settings: settings, registry: &registry))
                feeders.append(try scenario.feeder.map { feeder throws(PlanError) in
                    let rows = try feeder.load(relativeTo: options.baseDirectory)
                    if feeder.strategy == .uniquePerVU, rows.count < scenario.executor.maxVUs {
                        throw PlanError("feeder has \(rows.count) rows, unique-per-vu needs one for each of \(scenario.executor.maxVUs) VUs")
                    }
                    return FeederCursor(rows: rows, strategy: feeder.strategy)
                })
                fileSources.append((scenario.name, scenario.flow, feeders.last??.rows ?? []))
            } catch {
                throw PlanError("scenario '\(scenario.name)': \(error.message)")
            }
        }
        setupProgram = try FlowProgram(plan.setup, baseURL: options.target, tags: ["scenario": "setup"], settings: settings, registry: &registry)
        onceTags = (registry.tagSet(["scenario": "setup", "group": ""]), registry.tagSet(["scenario": "teardown", "group": ""]))
        teardownProgram = try FlowProgram(
            plan.teardown, baseURL: options.target, tags: ["scenario": "teardown"], settings: settings, registry: &registry)
        files = try FileStore(scenarios: fileSources, env: options.env, baseDirectory: options.baseDirectory)
        inputFiles = Set(plan.scenarios.compactMap(\.feeder?.source.path) + files.paths).sorted()
        let limit = FileLimit.raiseToHard()
        // Each VU may hold a connection; each worker and libcurl need a few descriptors more.
        let needed = plan.maxVUs + 16 * options.workers + 64
        guard needed <= limit else {
            throw PlanError("the plan needs up to \(needed) open files (one connection per VU) but this process may open \(limit); raise the hard limit (ulimit -Hn)")
        }
        self.plan = plan
        self.options = options
        self.registry = registry
        self.programs = programs
        self.feeders = feeders
        self.iterationRoutes = iterationRoutes
        self.iterationTags = iterationTags
    }

    /// Runs setup, the load to its end (or until `stop()`), and teardown, calling `onSecond`
    /// on this thread with each completed second of the load as it comes in. The load runs
    /// on this process's threads, or on `load` (remote workers).
    public func run(load: (any LoadPhase)? = nil, onSecond: (Int, MetricSet) -> Void = { _, _ in }) -> RunOutcome {
        let startedAt = Date()
        var totals = MetricSet(registry: registry)
        var shared: [String: String] = [:]
        let thresholds = Dictionary(plan.thresholds.map { ($0.metric, [$0.expression.text]) }, uniquingKeysWith: +)
        for sink in options.samples { sink.begin(registry: registry, thresholds: thresholds) }
        if !plan.setup.isEmpty {
            let setup = runOnce("setup", setupProgram, vars: [:])
            totals.absorb(setup.totals)
            shared = setup.vars
        }
        if !stopped.load(ordering: .relaxed) {
            let loadStart = Date()
            let phase = load ?? localLoad()
            totals.append(drive(phase, vars: shared) { second, metrics, sofar in
                onSecond(second, metrics)
                abortIfFailing(sofar, seconds: Date().timeIntervalSince(loadStart))
            }.totals)
        }
        if !plan.teardown.isEmpty {
            // Teardown runs even after a stop: it cleans up what setup made.
            let wasStopped = stopped.exchange(false, ordering: .relaxed)
            totals.absorb(runOnce("teardown", teardownProgram, vars: shared).totals)
            if wasStopped { stopped.store(true, ordering: .relaxed) }
        }
        let endedAt = Date()
        let fault = codeFault.withLockedValue { $0 }
        return RunOutcome(
            totals: totals, startedAt: startedAt, endedAt: endedAt,
            wasInterrupted: stopped.load(ordering: .relaxed) && !abortedByThreshold.load(ordering: .relaxed) && fault == nil,
            abortedByThreshold: abortedByThreshold.load(ordering: .relaxed), codeFault: fault,
            thresholds: judge.judge(totals, seconds: max(endedAt.timeIntervalSince(startedAt), 1e-9)))
    }

    /// Runs only this process's segment of the load (`RunOptions.segment`), starting every VU
    /// with `vars`: what a remote worker does. No setup, no teardown and no threshold: those
    /// belong to the coordinator, which judges the merged metrics.
    public func runSegment(vars: [String: String], onSecond: (Int, MetricSet) -> Void) -> SegmentOutcome {
        guard !stopped.load(ordering: .relaxed) else {
            return SegmentOutcome(gaugesAtEnd: MetricSet(registry: registry).gauges, lastIndex: -1, codeFault: nil)
        }
        var lastIndex = -1
        let gauges = drive(localLoad(), vars: vars) { second, metrics, _ in
            lastIndex = second
            onSecond(second, metrics)
        }.gaugesAtEnd
        return SegmentOutcome(gaugesAtEnd: gauges, lastIndex: lastIndex, codeFault: codeFault.withLockedValue { $0 })
    }

    /// The thresholds judged on `totals` measured over `seconds`, by the judge that gives
    /// the run's verdict: for a live view of how they stand while the run goes.
    public func judgeThresholds(_ totals: MetricSet, seconds: Double) -> [ThresholdVerdict] {
        judge.judge(totals, seconds: seconds)
    }

    /// The VUs this process makes for its segment, over all scenarios (at their most).
    public var segmentVUs: Int {
        plan.scenarios.reduce(0) { $0 + options.segment.share(of: $1.executor.maxVUs) }
    }

    /// Stops the run when an abortOnFail threshold fails on the metrics so far.
    private func abortIfFailing(_ sofar: () -> MetricSet, seconds: Double) {
        guard judge.hasAbortOnFail, !stopped.load(ordering: .relaxed) else { return }
        if judge.judge(sofar(), seconds: seconds, abortingOnly: true).contains(where: { !$0.passed }) {
            abortedByThreshold.store(true, ordering: .relaxed)
            stop()
        }
    }

    /// Stops the run for a mistake in a scenario's code that no check before the load can
    /// see (a Code step recording into a metric the test does not declare); the first one
    /// is kept for the verdict. Safe from any thread.
    private func fault(_ message: String) {
        let first = codeFault.withLockedValue { fault -> Bool in
            guard fault == nil else { return false }
            fault = message
            return true
        }
        if first { stop() }
    }

    /// Interrupts every VU and ends the run; the metrics measured so far are kept. Safe from
    /// any thread, e.g. a signal handler's queue.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        current.withLockedValue { $0 }?.stop()
    }

    /// The libcurl in use, for run metadata.
    public static var httpEngineVersion: String { CurlGlobal.version }

    private var timeoutMilliseconds: Int { Int(max(1, options.requestTimeout.nanoseconds / 1_000_000)) }

    /// Runs one iteration of `program` on one VU (setup, teardown); returns its metrics and
    /// the VU's variables afterwards.
    private func runOnce(_ name: String, _ program: FlowProgram, vars: [String: String]) -> (totals: MetricSet, vars: [String: String]) {
        let scenario = Scenario(name, executor: .perVUIterations(1, iterations: 1)) {}
        let worker = NIOLockedValueBox<Worker?>(nil)
        let tags = name == "setup" ? onceTags.setup : onceTags.teardown
        let once = LocalLoad(workerCount: 1, registry: registry, settings: settings, sampling: !options.samples.isEmpty, onCodeFault: fault) {
            [self] workers, _ in
            workers[0].add(ScenarioRunner.Configuration(
                scenario: scenario, program: program, segment: .full, feeder: nil, initialVars: vars, env: options.env,
                iterationRoutes: [], settings: settings, files: files, timeoutMilliseconds: timeoutMilliseconds, iterationTags: tags))
            worker.withLockedValue { $0 = workers[0] }
        }
        let totals = drive(once, vars: vars) { _, _, _ in }.totals
        return (totals, worker.withLockedValue { $0 }?.scenarios.first?.vus.first?.vars ?? vars)
    }

    /// This process's threads, each given its part of this process's segment.
    private func localLoad() -> LocalLoad {
        let assignments = Planner.assign(plan.scenarios, workers: options.workers, within: options.segment)
        return LocalLoad(
            workerCount: (assignments.map(\.worker).max() ?? 0) + 1, registry: registry, settings: settings, sampling: !options.samples.isEmpty,
            onCodeFault: fault
        ) { [self] workers, shared in
            for assignment in assignments {
                let index = plan.scenarios.firstIndex { $0.name == assignment.scenario.name }!
                let scenario = assignment.scenario
                workers[assignment.worker].add(ScenarioRunner.Configuration(
                    scenario: scenario, program: programs[index], segment: assignment.segment, feeder: feeders[index],
                    initialVars: shared.merging(scenario.env) { _, own in own },
                    env: options.env.merging(scenario.env) { _, own in own }, iterationRoutes: iterationRoutes[index],
                    settings: settings, files: files, timeoutMilliseconds: timeoutMilliseconds, iterationTags: iterationTags[index]))
            }
        }
    }

    /// Starts `phase`, merges what its reporters hand over until each has finished, and
    /// returns the totals and the reporters' gauges as they ended. `onSecond` gets each
    /// completed second, and a way to read the totals so far.
    private func drive(
        _ phase: any LoadPhase, vars: [String: String], onSecond: (Int, MetricSet, () -> MetricSet) -> Void
    ) -> (totals: MetricSet, gaugesAtEnd: [Gauge]) {
        let aggregator = IntervalAggregator(registry: registry, workerCount: phase.reporterCount)
        let finished = DispatchSemaphore(value: 0)
        let startedAt = UInt64(UnixClock.nanoseconds())
        // Gauges from outside the load, as each second had them and as they stand over the phase.
        var outside = Array(repeating: Gauge(), count: registry.gaugeCount)
        func withOutside(_ totals: MetricSet) -> MetricSet {
            var totals = totals
            for slot in outside.indices where outside[slot].isSet { totals.gauges[slot] = outside[slot] }
            return totals
        }
        func deliver(_ completed: [(index: Int, metrics: MetricSet)]) {
            for (index, var metrics) in completed {
                let end = min(UInt64(UnixClock.nanoseconds()), startedAt &+ UInt64(index + 1) &* 1_000_000_000)
                for (name, value) in options.gauges?.values(endingAt: end) ?? [] {
                    guard let metric = registry.metric(named: name), metric.kind == .gauge else { continue }
                    metrics.gauges[metric.slot].set(value)
                    outside[metric.slot].set(value)
                }
                // Samples go to the sinks second by second, in order; the seconds go on without them.
                if !options.samples.isEmpty {
                    for sink in options.samples { sink.write(metrics, endingAt: end) }
                    metrics.samples = nil
                }
                onSecond(index, metrics, { withOutside(aggregator.totals) })
            }
        }
        current.withLockedValue { $0 = phase }
        phase.start(sharedVars: vars, aggregator: aggregator, finished: finished)
        if stopped.load(ordering: .relaxed) { phase.stop() }
        var running = phase.reporterCount
        while running > 0 {
            if finished.wait(timeout: .now() + .milliseconds(200)) == .success { running -= 1 }
            deliver(aggregator.drain())
        }
        deliver(aggregator.drain(final: true))
        current.withLockedValue { $0 = nil }
        return (withOutside(aggregator.totals), aggregator.gaugesAtEnd)
    }
}

/// How one process's segment of a distributed run ended (its seconds went to `onSecond`).
public struct SegmentOutcome: Sendable {
    /// The segment's gauges as its threads ended (VUs busy, VUs made).
    public let gaugesAtEnd: [Gauge]
    /// The last second it reported, -1 for none.
    public let lastIndex: Int
    /// What a scenario's code did wrong, when it stopped the segment.
    public let codeFault: String?
}

extension MetricKind {
    init(_ kind: MetricDeclaration.Kind) {
        switch kind {
        case .counter: self = .counter
        case .gauge: self = .gauge
        case .rate: self = .rate
        case .trend: self = .trend
        }
    }
}
