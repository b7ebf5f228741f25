import StampedeDSL
import StampedeMetrics
import StampedeReports

/// One worker of a distributed run as the dashboard shows it: its counts so far, sampled
/// when a merged second comes in.
public struct DashboardWorker: Sendable {
    public let name: String
    public let requests: UInt64
    public let failedRequests: UInt64
    /// Where it is in the test (`running`, `done`, `lost`).
    public let state: String

    public init(name: String, requests: UInt64, failedRequests: UInt64, state: String) {
        (self.name, self.requests, self.failedRequests, self.state) = (name, requests, failedRequests, state)
    }
}

/// How a run ended, for the dashboard's last event: the summary the run printed, and its
/// verdict as the exit code says it.
public struct DashboardOutcome: Sendable {
    public let summary: RunSummary
    public let exitCode: Int32
    /// The verdict in words: `passed`, `thresholds failed (99)`, ….
    public let verdict: String
    /// The results folder.
    public let results: String
    /// report.html's text, when it was written: the page offers it as a link.
    public let report: String?

    public init(summary: RunSummary, exitCode: Int32, verdict: String, results: String, report: String?) {
        (self.summary, self.exitCode, self.verdict, self.results, self.report) = (summary, exitCode, verdict, results, report)
    }
}

/// What the page is sent, as JSON: `Hello` once per connection, then for each second a
/// `Point` (that second alone, for the charts) and the `State` (the run so far, for the
/// figures and tables), and at the end `Final`. Times are milliseconds; a trend with no
/// value in the span is null. docs/dashboard.md lists the fields.
enum Snapshot {
    struct Hello: Encodable {
        struct Scenario: Encodable {
            let name: String
            let executor: String
        }
        struct Group: Encodable {
            let name: String
            /// `scenario`, or `tag` for a tagged sub-metric's tags.
            let kind: String
        }
        let test: String
        let scenarios: [Scenario]
        let maxVUs: Int
        let maxDurationSeconds: Double
        /// The rows of `groups` in every point and state, in this order.
        let groups: [Group]
        /// The workers of a distributed run, in the order of `workers` in every point and state.
        let workers: [String]?
        /// The system under test's scraped series (`--scrape`), in the order of `scrape` in every point.
        let scrape: [String]
        /// How many seconds a page that connects late is sent, at most.
        let historyLimit: Int
    }

    /// Requests, failures and latency percentiles of a span; nil where the group has no
    /// such metric (a tag that only a latency threshold names has no request counter).
    struct Figures: Encodable {
        let requests: UInt64?
        let failed: UInt64?
        let p50: Double?
        let p95: Double?
        let p99: Double?
    }

    struct Point: Encodable {
        /// Seconds of load at the end of this one (timeline.ndjson's `t`).
        let t: Int
        let requests: UInt64
        let failed: UInt64
        let iterations: UInt64
        let vus: Double
        let p50: Double?
        let p95: Double?
        let p99: Double?
        let groups: [Figures]
        /// Each worker's requests and failures in this second, as the workers reported them.
        let workers: [WorkerCounts]?
        /// Each scraped series' value in this second; null where its endpoint gave none.
        let scrape: [Double?]
    }

    struct WorkerCounts: Encodable {
        let requests: UInt64
        let failed: UInt64
    }

    struct Threshold: Encodable {
        let metric: String
        let expression: String
        let passed: Bool
        let observed: Double
        /// As the summary prints it: `1.35ms`, `0.50%`.
        let observedText: String
        let abortOnFail: Bool
    }

    struct Worker: Encodable {
        let name: String
        let state: String
        let requests: UInt64
        let failed: UInt64
    }

    struct State: Encodable {
        /// Seconds of load so far.
        let t: Int
        let requests: UInt64
        let failed: UInt64
        let failedRate: Double
        let requestsPerSecond: Double
        let iterations: UInt64
        let vus: Double
        let vusMax: Double
        let avg: Double?
        let p50: Double?
        let p95: Double?
        let p99: Double?
        let max: Double?
        let groups: [Figures]
        /// Judged on the totals so far by the run's own judge; at the end, the run's verdicts.
        let thresholds: [Threshold]
        let workers: [Worker]?
    }

    struct Final: Encodable {
        let exitCode: Int32
        let verdict: String
        let state: State
        let results: String
        let report: String?
    }
}

/// Turns each merged second into the dashboard's point and state: keeps the run's totals so
/// far (its own copy, merged on the dashboard's thread, not the run's) and judges the
/// thresholds on them with the judge the run uses for its verdict.
struct SnapshotBuilder {
    /// Where one row of the groups table finds its figures.
    struct Group {
        let name: String
        let kind: String
        let requests: CounterID?
        let failed: RateID?
        let duration: TrendID?
    }

    let hello: Snapshot.Hello
    private let registry: MetricRegistry
    private let groups: [Group]
    /// The scraped series' gauges (`scrape:NAME`).
    private let scraped: [MetricDescriptor]
    private let judge: @Sendable (MetricSet, Double) -> [ThresholdVerdict]
    private var totals: MetricSet
    private var lastVUs = 0.0
    /// Each worker's counts at the previous second, to give the counts of this one.
    private var previousWorkers: [String: DashboardWorker] = [:]

    init(plan: TestPlan, registry: MetricRegistry, workers: [String]?, historyLimit: Int,
         judge: @escaping @Sendable (MetricSet, Double) -> [ThresholdVerdict]) {
        self.registry = registry
        self.judge = judge
        totals = MetricSet(registry: registry)
        groups = Self.groups(plan: plan, registry: registry)
        let scraped = plan.scrape.metrics.compactMap { registry.metric(named: $0) }
        self.scraped = scraped
        hello = Snapshot.Hello(
            test: plan.name, scenarios: plan.scenarios.map { .init(name: $0.name, executor: $0.executor.summary) },
            maxVUs: plan.maxVUs, maxDurationSeconds: Double(plan.maxDuration.nanoseconds) / 1e9,
            groups: groups.map { .init(name: $0.name, kind: $0.kind) }, workers: workers,
            scrape: scraped.map { String($0.name.dropFirst("scrape:".count)) }, historyLimit: historyLimit)
    }

    /// The scenarios (each with its own metrics when the run registered them, or the run's
    /// when it has one scenario), then each tag set that a sub-metric of http_reqs,
    /// http_req_failed or http_req_duration selects (thresholds create these).
    static func groups(plan: TestPlan, registry: MetricRegistry) -> [Group] {
        var groups: [Group] = []
        let scenarioNames = Set(plan.scenarios.map(\.name))
        if plan.scenarios.count == 1 {
            groups.append(Group(name: plan.scenarios[0].name, kind: "scenario", requests: BuiltinMetrics.httpReqs,
                                failed: BuiltinMetrics.httpReqFailed, duration: BuiltinMetrics.httpReqDuration))
        } else {
            for scenario in plan.scenarios {
                guard let metrics = registry.metrics(ofScenario: scenario.name) else { continue }
                groups.append(Group(name: scenario.name, kind: "scenario", requests: CounterID(slot: metrics.requests.slot),
                                    failed: RateID(slot: metrics.failed.slot), duration: TrendID(slot: metrics.duration.slot)))
            }
        }
        var byTags: [String: (requests: CounterID?, failed: RateID?, duration: TrendID?)] = [:]
        var order: [String] = []
        for metric in registry.metrics where ["http_reqs", "http_req_failed", "http_req_duration"].contains(metric.parent ?? "") {
            if metric.tags.count == 1, let scenario = metric.tags["scenario"], scenarioNames.contains(scenario) { continue }
            let name = metric.tags.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
            if byTags[name] == nil { order.append(name) }
            var slots = byTags[name] ?? (nil, nil, nil)
            switch metric.kind {
            case .counter: slots.requests = CounterID(slot: metric.slot)
            case .rate: slots.failed = RateID(slot: metric.slot)
            case .trend: slots.duration = TrendID(slot: metric.slot)
            case .gauge: break
            }
            byTags[name] = slots
        }
        for name in order {
            let slots = byTags[name]!
            groups.append(Group(name: name, kind: "tag", requests: slots.requests, failed: slots.failed, duration: slots.duration))
        }
        return groups
    }

    /// Takes second `index` (from 0) of the load and the workers' counts sampled with it.
    mutating func add(second index: Int, _ metrics: MetricSet, workers: [DashboardWorker]?) -> (point: Snapshot.Point, state: Snapshot.State) {
        totals.append(metrics)
        let vus = metrics[BuiltinMetrics.vus]
        // A second in which no worker reported VUs (the last, partial one) shows the VUs before it.
        if vus.isSet { lastVUs = vus.value }
        let duration = metrics[BuiltinMetrics.httpReqDuration]
        let workerCounts = workers.map { workers in
            workers.map { worker in
                let before = previousWorkers[worker.name]
                return Snapshot.WorkerCounts(requests: worker.requests &- (before?.requests ?? 0),
                                             failed: worker.failedRequests &- (before?.failedRequests ?? 0))
            }
        }
        for worker in workers ?? [] { previousWorkers[worker.name] = worker }
        let point = Snapshot.Point(
            t: index + 1, requests: metrics[BuiltinMetrics.httpReqs], failed: metrics[BuiltinMetrics.httpReqFailed].trues,
            iterations: metrics[BuiltinMetrics.iterations], vus: lastVUs,
            p50: Self.ms(duration, 50), p95: Self.ms(duration, 95), p99: Self.ms(duration, 99),
            groups: groups.map { Self.figures($0, metrics) }, workers: workerCounts,
            scrape: scraped.map { metrics.gauges[$0.slot].isSet ? metrics.gauges[$0.slot].value : nil })
        let seconds = Double(index + 1)
        let state = state(totals, t: index + 1, seconds: seconds, vus: lastVUs, thresholds: judge(totals, seconds), workers: workers?.map {
            Snapshot.Worker(name: $0.name, state: $0.state, requests: $0.requests, failed: $0.failedRequests)
        })
        return (point, state)
    }

    /// The last event's contents: the summary's figures and verdicts, which are the run's own.
    func final(_ outcome: DashboardOutcome, t: Int) -> Snapshot.Final {
        let summary = outcome.summary
        let workers = summary.distribution?.workers.map {
            Snapshot.Worker(name: $0.name, state: $0.completed ? "done" : "lost", requests: $0.totals.requests, failed: $0.totals.failed.trues)
        }
        // Rates over the run's whole time, as the summary gives them.
        let state = state(summary.totals, t: t, seconds: summary.duration, vus: lastVUs, thresholds: summary.thresholds, workers: workers)
        return Snapshot.Final(exitCode: outcome.exitCode, verdict: outcome.verdict, state: state, results: outcome.results, report: outcome.report)
    }

    /// The figures of `totals` at `t` seconds of load; counts per second over `seconds`.
    private func state(_ totals: MetricSet, t: Int, seconds: Double, vus: Double, thresholds: [ThresholdVerdict],
                       workers: [Snapshot.Worker]?) -> Snapshot.State {
        let duration = totals[BuiltinMetrics.httpReqDuration]
        let failed = totals[BuiltinMetrics.httpReqFailed]
        let requests = totals[BuiltinMetrics.httpReqs]
        let vusMax = totals[BuiltinMetrics.vusMax]
        return Snapshot.State(
            t: t, requests: requests, failed: failed.trues, failedRate: failed.value,
            requestsPerSecond: Double(requests) / max(seconds, 1e-9), iterations: totals[BuiltinMetrics.iterations],
            vus: vus, vusMax: vusMax.isSet ? vusMax.max : 0,
            avg: duration.count > 0 ? duration.mean / Trend.scale : nil, p50: Self.ms(duration, 50), p95: Self.ms(duration, 95),
            p99: Self.ms(duration, 99), max: Self.ms(duration, 100), groups: groups.map { Self.figures($0, totals) },
            thresholds: thresholds.map {
                Snapshot.Threshold(metric: $0.metric, expression: $0.expression, passed: $0.passed, observed: $0.observed,
                                   observedText: RunSummary.observedValueText($0, registry: registry), abortOnFail: $0.abortOnFail)
            },
            workers: workers)
    }

    private static func figures(_ group: Group, _ metrics: MetricSet) -> Snapshot.Figures {
        let trend = group.duration.map { metrics[$0] }
        return Snapshot.Figures(
            requests: group.requests.map { metrics[$0] }, failed: group.failed.map { metrics[$0].trues },
            p50: trend.flatMap { ms($0, 50) }, p95: trend.flatMap { ms($0, 95) }, p99: trend.flatMap { ms($0, 99) })
    }

    /// A percentile in milliseconds as the summary computes it (`RunSummary.trendStat`), or
    /// nil for an empty trend.
    private static func ms(_ trend: Trend, _ p: Double) -> Double? {
        trend.count > 0 ? trend.percentile(p) / Trend.scale : nil
    }
}
