import StampedeDSL
import StampedeMetrics

/// Where thresholds are judged: on the merged metrics (percentiles on the merged HDR
/// histogram, never on samples), at the end of the run and, for abortOnFail ones, after
/// every second of it.
struct ThresholdJudge: Sendable {
    struct Entry: Sendable {
        let threshold: Threshold
        let metric: MetricDescriptor
    }

    let entries: [Entry]

    /// Checks each threshold against the run's metrics and registers the sub-metrics they
    /// name, so the workers record them.
    init(_ thresholds: [Threshold], registry: inout MetricRegistry) throws(PlanError) {
        var entries: [Entry] = []
        for threshold in thresholds {
            let key = MetricKey(threshold.metric)!
            guard let base = registry.metric(named: key.name), base.parent == nil else {
                let known = registry.metrics.filter { $0.parent == nil }.map(\.name).sorted().joined(separator: ", ")
                throw PlanError("threshold on unknown metric '\(key.name)'; the metrics are: \(known)")
            }
            try Self.checkStatistic(threshold, base)
            var metric = base
            if !key.tags.isEmpty {
                guard SubmetricRoutes.taggable.contains(key.name) || base.isCustom else {
                    throw PlanError("threshold '\(threshold.metric)': \(key.name) cannot be filtered by tags")
                }
                metric = registry.submetric(of: key.name, tags: key.tags)!
            }
            entries.append(Entry(threshold: threshold, metric: metric))
        }
        self.entries = entries
    }

    private static func checkStatistic(_ threshold: Threshold, _ metric: MetricDescriptor) throws(PlanError) {
        let allowed: Bool
        switch (metric.kind, threshold.expression.statistic) {
        case (.trend, .avg), (.trend, .min), (.trend, .med), (.trend, .max), (.trend, .percentile): allowed = true
        case (.counter, .count), (.counter, .rate), (.rate, .rate), (.gauge, .value), (.gauge, .min), (.gauge, .max): allowed = true
        default: allowed = false
        }
        guard allowed else {
            let stats = switch metric.kind {
            case .trend: "avg, min, med, max, p(N)"
            case .counter: "count, rate"
            case .rate: "rate"
            case .gauge: "value, min, max"
            }
            throw PlanError("threshold '\(threshold.metric): \(threshold.expression)': \(metric.name) is a \(metric.kind.rawValue); use \(stats)")
        }
    }

    var hasAbortOnFail: Bool { entries.contains { $0.threshold.abortOnFail } }

    /// Verdicts on `totals`, measured over `seconds`; with `abortingOnly`, only the
    /// abortOnFail thresholds whose delay has passed.
    func judge(_ totals: MetricSet, seconds: Double, abortingOnly: Bool = false) -> [ThresholdVerdict] {
        entries.compactMap { entry in
            let threshold = entry.threshold
            if abortingOnly && !(threshold.abortOnFail && seconds >= Double(threshold.delayAbortEval.nanoseconds) / 1e9) { return nil }
            let observed = Self.observe(threshold.expression.statistic, entry.metric, totals, seconds: seconds)
            return ThresholdVerdict(
                metric: threshold.metric, expression: threshold.expression.text,
                passed: threshold.expression.comparison.holds(observed, threshold.expression.bound),
                observed: observed, abortOnFail: threshold.abortOnFail)
        }
    }

    /// The statistic, in the threshold's unit: milliseconds for times.
    static func observe(_ statistic: ThresholdExpression.Statistic, _ metric: MetricDescriptor, _ totals: MetricSet, seconds: Double) -> Double {
        switch metric.kind {
        case .trend:
            let trend = totals.trends[metric.slot]
            let value: Double = switch statistic {
            case .avg: trend.mean
            case .min: trend.percentile(0)
            case .med: trend.percentile(50)
            case .max: trend.percentile(100)
            case .percentile(let p): trend.percentile(p)
            default: 0
            }
            return value / Trend.scale
        case .counter:
            let count = Double(totals.counters[metric.slot])
            return statistic == .count ? count : count / max(seconds, 1e-9)
        case .rate:
            return totals.rates[metric.slot].value
        case .gauge:
            let gauge = totals.gauges[metric.slot]
            return statistic == .min ? gauge.min : statistic == .max ? gauge.max : gauge.value
        }
    }
}
