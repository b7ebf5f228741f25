/// One scenario of a test: who the virtual users are (the executor) and what each of them
/// does in one iteration (the flow). Plain data: the engine reads it, nothing here runs.
///
/// ```swift
/// let browse = Scenario("browse", executor: .constantVUs(10, duration: .seconds(30))) {
///     Get("/products").check(.status(200))
///     Think(.milliseconds(500))
/// }
/// ```
public struct Scenario: Sendable {
    /// The name used in tags, the summary and the results folder.
    public var name: String
    /// One line for `stampede list`.
    public var description: String
    /// How VUs and iterations are scheduled over time.
    public var executor: Executor
    /// The steps one iteration runs, in order.
    public var flow: [Step]
    /// When the scenario starts, counted from the start of the test (k6's `startTime`).
    public var startTime: Duration = .zero
    /// An iteration starts at most this often per VU: a faster one waits out the rest.
    public var pacing: Duration?
    /// Tags on every request of the scenario (k6's scenario `tags`).
    public var tags: [String: String] = [:]
    /// Variables every VU of the scenario starts each iteration with (k6's scenario `env`).
    public var env: [String: String] = [:]
    /// Rows of test data: each iteration reads one into the VU's variables.
    public var feeder: Feeder?

    public init(
        _ name: String,
        description: String = "",
        executor: Executor,
        @FlowBuilder flow: () -> [Step]
    ) {
        self.name = name
        self.description = description
        self.executor = executor
        self.flow = flow()
    }

    /// A copy with `change` applied: `scenario.with { $0.startTime = .seconds(30) }`.
    public func with(_ change: (inout Scenario) -> Void) -> Scenario {
        var copy = self
        change(&copy)
        return copy
    }

    /// Checks what the type system cannot: names, executor bounds, a flow with at least one step.
    public func validate() throws(PlanError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw PlanError("scenario name '\(name)' must be letters, digits, '-' or '_'")
        }
        guard !flow.isEmpty else { throw PlanError("scenario '\(name)' has no steps") }
        guard startTime >= .zero else { throw PlanError("scenario '\(name)': startTime must not be negative") }
        if let pacing, pacing <= .zero { throw PlanError("scenario '\(name)': pacing must be longer than 0s") }
        do {
            try executor.validate()
            try validate(flow)
        } catch {
            throw PlanError("scenario '\(name)': \(error.message)")
        }
    }

    private func validate(_ spec: RequestSpec) throws(PlanError) {
        guard !spec.method.isEmpty, spec.method.allSatisfy({ $0.isLetter }) else {
            throw PlanError("'\(spec.method)' is not an HTTP method")
        }
        for template in [spec.url] + spec.headers.map(\.value) {
            guard Template(template) != nil else { throw PlanError("unclosed '{{' in '\(template)'") }
        }
    }

    private func validate(_ steps: [Step]) throws(PlanError) {
        for step in steps {
            switch step {
            case .request(let spec):
                try validate(spec)
            case .batch(let specs):
                guard !specs.isEmpty else { throw PlanError("a batch has no requests") }
                for spec in specs { try validate(spec) }
            case .think(.fixed(let d)), .think(.exponential(let d)):
                guard d >= .zero else { throw PlanError("think time must not be negative") }
            case .think(.uniform(let low, let high)):
                guard low >= .zero, low <= high else { throw PlanError("think time range \(low.humanReadable)…\(high.humanReadable) is empty") }
            case .group(let name, let inner):
                guard !name.isEmpty, !name.contains("::") else { throw PlanError("group name '\(name)' must be non-empty without '::'") }
                try validate(inner)
            case .branch(_, let then, let otherwise):
                try validate(then)
                try validate(otherwise)
            case .loop(let count, let body):
                guard count >= 0 else { throw PlanError("a loop's count must not be negative") }
                try validate(body)
            case .code:
                break
            }
        }
    }
}

/// A whole test: its scenarios, run side by side, and what runs once before and after them.
public struct TestPlan: Sendable {
    public var name: String
    public var description: String
    public var scenarios: [Scenario]
    /// Runs once, by one VU, before any scenario starts. The variables it leaves (extracted
    /// values, code steps' results) are given to every VU of every scenario.
    public var setup: [Step]
    /// Runs once after the scenarios end, also when the run was interrupted, with setup's variables.
    public var teardown: [Step]
    /// The pass/fail criteria of the run.
    public var thresholds: [Threshold]
    /// The custom metrics its code steps record (k6's `Counter`, `Gauge`, `Rate`, `Trend`):
    /// reported, exported and judged like the built-in ones. A code step may record only into
    /// these: the metrics of a run are laid out before it starts.
    public var metrics: [MetricDeclaration]
    /// How requests are made: protocol, TLS, connections, redirects, compression.
    public var http = HTTPOptions()
    /// The system under test's own metrics to read beside the load (`--scrape`).
    public var scrape = ScrapeOptions()

    public init(
        _ name: String, description: String = "", scenarios: [Scenario], setup: [Step] = [], teardown: [Step] = [],
        thresholds: [Threshold] = [], metrics: [any CustomMetric] = []
    ) {
        self.name = name
        self.description = description
        self.scenarios = scenarios
        self.setup = setup
        self.teardown = teardown
        self.thresholds = thresholds
        self.metrics = metrics.map(\.declaration)
    }

    /// A plan of one scenario, named after it.
    public init(_ scenario: Scenario) {
        self.init(scenario.name, description: scenario.description, scenarios: [scenario])
    }

    /// The most VUs running at once if every scenario peaked together.
    public var maxVUs: Int { scenarios.reduce(0) { $0 + $1.executor.maxVUs } }

    /// The longest the scenarios may run, start times and graceful stops included.
    public var maxDuration: Duration { scenarios.map { $0.startTime + $0.executor.maxDuration }.max() ?? .zero }

    public func validate() throws(PlanError) {
        guard !scenarios.isEmpty else { throw PlanError("test '\(name)' has no scenarios") }
        try http.validate()
        var names = Set<String>()
        for scenario in scenarios {
            try scenario.validate()
            guard names.insert(scenario.name).inserted else { throw PlanError("two scenarios are named '\(scenario.name)'") }
        }
        var metricNames = Set<String>()
        for metric in metrics {
            try metric.validate()
            guard metricNames.insert(metric.name).inserted else { throw PlanError("two metrics are named '\(metric.name)'") }
        }
        try scrape.validate()
    }
}

/// A plan that cannot run as written: the message names what is wrong, in one line.
public struct PlanError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Prometheus endpoints of the system under test, read each second during the run, and the
/// series of them to keep: each becomes the gauge `scrape:NAME` of the run (timeline, summary,
/// report, thresholds such as `scrape:jvm_gc_pause_seconds_max: max<0.5`).
public struct ScrapeOptions: Sendable, Equatable, Codable {
    public var urls: [String]
    /// Metric names; each series' value is the sum over its label sets.
    public var series: [String]

    public init(urls: [String] = [], series: [String] = []) {
        self.urls = urls
        self.series = series
    }

    /// The run's gauges that hold the series.
    public var metrics: [String] { series.map { "scrape:" + $0 } }

    /// A Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    public func validate() throws(PlanError) {
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.count < 9 {
            throw PlanError("scrape URL '\(url)' is not an http:// or https:// address")
        }
        for name in series {
            guard Self.isMetricName(name) else { throw PlanError("scrape series '\(name)' is not a Prometheus metric name (letters, digits, '_', ':')") }
        }
        if Set(series).count != series.count { throw PlanError("a scrape series is named twice") }
        if !series.isEmpty, urls.isEmpty { throw PlanError("scrape series are named but no endpoint to scrape (scrape URLs)") }
        if series.isEmpty, !urls.isEmpty { throw PlanError("a scrape endpoint is given but no series to keep (scrape series)") }
    }
}
