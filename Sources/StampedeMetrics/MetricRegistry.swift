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

/// One metric of a run: a built-in k6 metric, a custom metric the test declared, or a
/// sub-metric of either filtered by tags.
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
    /// Declared by the test (k6's custom metrics), or a sub-metric of such a metric.
    public let isCustom: Bool
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

/// Where one scenario's own figures live, when a run registered them (several scenarios).
public struct ScenarioMetrics: Sendable {
    public let name: String
    public let requests: MetricDescriptor
    public let duration: MetricDescriptor
    public let failed: MetricDescriptor
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
    /// The distinct tag sets samples carry (a request's scenario, group, method, url and
    /// name; a check's name): a sample holds its set's index.
    public private(set) var tagSets: [[String: String]] = []

    /// The built-in metrics every run has, in the slots `BuiltinMetrics` names.
    public init() {
        for trend in BuiltinMetrics.trends { add(trend, .trend, contains: .time) }
        for (name, contains) in BuiltinMetrics.counters { add(name, .counter, contains: contains) }
        for rate in BuiltinMetrics.rates { add(rate, .rate) }
        for gauge in BuiltinMetrics.gauges { add(gauge, .gauge) }
        add("http_req_duration{expected_response:true}", .trend, contains: .time,
            parent: "http_req_duration", tags: ["expected_response": "true"])
    }

    /// Registers a custom metric the test declared, after the built-in ones; nil when a
    /// metric of that name exists.
    public mutating func declare(_ name: String, _ kind: MetricKind, contains: ValueType) -> MetricDescriptor? {
        guard metric(named: name) == nil else { return nil }
        return add(name, kind, contains: contains, isCustom: true)
    }

    /// The custom metrics the test declared, in the order it declared them (no sub-metrics).
    public var customMetrics: [MetricDescriptor] { metrics.filter { $0.isCustom && $0.parent == nil } }

    /// The index of `tags` in `tagSets`, adding it on first sight.
    public mutating func tagSet(_ tags: [String: String]) -> Int32 {
        if let known = tagSets.firstIndex(of: tags) { return Int32(known) }
        tagSets.append(tags)
        return Int32(tagSets.count - 1)
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
        return metric(named: name) ?? add(name, base.kind, contains: base.contains, parent: parent, tags: tags, isCustom: base.isCustom)
    }

    /// The per-scenario `http_reqs`, `http_req_duration` and `http_req_failed` of `scenario`,
    /// if the run registered them.
    public func metrics(ofScenario scenario: String) -> ScenarioMetrics? {
        func slot(_ metric: String) -> MetricDescriptor? { self.metric(named: "\(metric){scenario:\(scenario)}") }
        guard let requests = slot("http_reqs"), let duration = slot("http_req_duration"), let failed = slot("http_req_failed") else {
            return nil
        }
        return ScenarioMetrics(name: scenario, requests: requests, duration: duration, failed: failed)
    }

    /// Every metric in registration order (each kind's slots in order), then every check:
    /// what another process needs to lay out a metric set like this one.
    public var layout: [(kind: String, name: String)] {
        metrics.map { ($0.kind.rawValue, $0.name) } + checks.map { ("check", "\($0.groupPath)::\($0.name)") }
    }

    /// A digest of `layout`: two processes whose fingerprints match lay out their metric
    /// sets alike, so one can merge the other's (FNV-1a, 64 bits, of "KIND:NAME" lines).
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in layout.map({ "\($0.kind):\($0.name)" }).joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// The descriptor named `name`, if the run has it.
    public func metric(named name: String) -> MetricDescriptor? {
        metrics.first { $0.name == name }
    }

    /// Appends a metric in the next free slot of its kind.
    @discardableResult
    private mutating func add(
        _ name: String, _ kind: MetricKind, contains: ValueType = .default, parent: String? = nil, tags: [String: String] = [:],
        isCustom: Bool = false
    ) -> MetricDescriptor {
        let slot: Int
        switch kind {
        case .trend: (slot, trendCount) = (trendCount, trendCount + 1)
        case .counter: (slot, counterCount) = (counterCount, counterCount + 1)
        case .rate: (slot, rateCount) = (rateCount, rateCount + 1)
        case .gauge: (slot, gaugeCount) = (gaugeCount, gaugeCount + 1)
        }
        let descriptor = MetricDescriptor(name: name, kind: kind, contains: contains, slot: slot, parent: parent, tags: tags, isCustom: isCustom)
        metrics.append(descriptor)
        return descriptor
    }
}
