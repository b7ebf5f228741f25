/// What a metric holds, as k6 names it.
public enum MetricKind: String, Sendable {
    case counter, gauge, rate, trend
}

/// What a metric's values measure, which decides how they are printed (k6's `contains`).
public enum ValueType: String, Sendable {
    /// Microseconds.
    case time
    /// Bytes.
    case data
    case `default`
}

/// One metric of a run: a built-in k6 metric, or a sub-metric of one filtered by tags.
public struct MetricDescriptor: Sendable, Equatable {
    /// k6's key: `http_req_duration`, or `http_req_duration{expected_response:true}`.
    public let name: String
    public let kind: MetricKind
    public let contains: ValueType
    /// Index of its value in the sink's array for its kind.
    public let slot: Int
    /// For a sub-metric, its parent's name and the tags it selects.
    public let parent: String?
    public let tags: [String: String]
}

/// Typed slots, so the hot path indexes arrays without looking names up.
public struct TrendID: Sendable, Equatable {
    public let slot: Int
    public init(slot: Int) { self.slot = slot }
}
public struct CounterID: Sendable, Equatable {
    public let slot: Int
    public init(slot: Int) { self.slot = slot }
}
public struct RateID: Sendable, Equatable {
    public let slot: Int
    public init(slot: Int) { self.slot = slot }
}
public struct GaugeID: Sendable, Equatable {
    public let slot: Int
    public init(slot: Int) { self.slot = slot }
}

/// One check of the test, identified by its name and the group it stands in.
public struct CheckDescriptor: Sendable, Equatable {
    public let name: String
    /// k6's group path: `""` at the root, `::checkout` inside group "checkout".
    public let groupPath: String
    /// Index of its results in `MetricSet.checkResults`.
    public let slot: Int
}

/// The metrics of a run and where each lives in a `MetricSet`. Built once before the run
/// and shared read-only by every worker.
public struct MetricRegistry: Sendable {
    public private(set) var metrics: [MetricDescriptor] = []
    public private(set) var checks: [CheckDescriptor] = []
    public private(set) var trendCount = 0
    public private(set) var counterCount = 0
    public private(set) var rateCount = 0
    public private(set) var gaugeCount = 0

    /// The built-in metrics every run has, in the slots `BuiltinMetrics` names.
    public init() {
        for trend in BuiltinMetrics.trends { addTrend(trend, contains: .time) }
        for (name, contains) in BuiltinMetrics.counters { addCounter(name, contains: contains) }
        for rate in BuiltinMetrics.rates { addRate(rate) }
        for gauge in BuiltinMetrics.gauges { addGauge(gauge) }
        addTrend(
            "http_req_duration{expected_response:true}", contains: .time,
            parent: "http_req_duration", tags: ["expected_response": "true"])
    }

    /// The slot of a check's results, registering it on first sight.
    public mutating func check(named name: String, groupPath: String) -> Int {
        if let known = checks.first(where: { $0.name == name && $0.groupPath == groupPath }) { return known.slot }
        checks.append(CheckDescriptor(name: name, groupPath: groupPath, slot: checks.count))
        return checks.count - 1
    }

    /// The sub-metric of `parent` that selects `tags`, created on first use (k6 creates
    /// sub-metrics only for the thresholds that name them). Nil if the parent is unknown.
    public mutating func submetric(of parent: String, tags: [String: String]) -> MetricDescriptor? {
        guard let base = metric(named: parent), base.parent == nil else { return nil }
        let name = parent + "{" + tags.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",") + "}"
        if let known = metric(named: name) { return known }
        switch base.kind {
        case .trend: addTrend(name, contains: base.contains, parent: parent, tags: tags)
        case .counter: addCounter(name, contains: base.contains, parent: parent, tags: tags)
        case .rate: addRate(name, parent: parent, tags: tags)
        case .gauge: addGauge(name, parent: parent, tags: tags)
        }
        return metric(named: name)
    }

    /// The descriptor named `name`, if the run has it.
    public func metric(named name: String) -> MetricDescriptor? {
        metrics.first { $0.name == name }
    }

    @discardableResult
    mutating func addTrend(_ name: String, contains: ValueType, parent: String? = nil, tags: [String: String] = [:]) -> TrendID {
        defer { trendCount += 1 }
        metrics.append(MetricDescriptor(name: name, kind: .trend, contains: contains, slot: trendCount, parent: parent, tags: tags))
        return TrendID(slot: trendCount)
    }

    @discardableResult
    mutating func addCounter(_ name: String, contains: ValueType, parent: String? = nil, tags: [String: String] = [:]) -> CounterID {
        defer { counterCount += 1 }
        metrics.append(MetricDescriptor(name: name, kind: .counter, contains: contains, slot: counterCount, parent: parent, tags: tags))
        return CounterID(slot: counterCount)
    }

    @discardableResult
    mutating func addRate(_ name: String, parent: String? = nil, tags: [String: String] = [:]) -> RateID {
        defer { rateCount += 1 }
        metrics.append(MetricDescriptor(name: name, kind: .rate, contains: .default, slot: rateCount, parent: parent, tags: tags))
        return RateID(slot: rateCount)
    }

    @discardableResult
    mutating func addGauge(_ name: String, parent: String? = nil, tags: [String: String] = [:]) -> GaugeID {
        defer { gaugeCount += 1 }
        metrics.append(MetricDescriptor(name: name, kind: .gauge, contains: .default, slot: gaugeCount, parent: parent, tags: tags))
        return GaugeID(slot: gaugeCount)
    }
}
