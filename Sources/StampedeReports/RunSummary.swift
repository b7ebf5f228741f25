import Foundation
import StampedeDSL
import StampedeMetrics

/// Everything a report says about one run: the merged metrics and the facts around them.
public struct RunSummary: Sendable {
    /// The test's name: a built-in test, a plan file's, or `default` for `--url`.
    public let testName: String
    public let registry: MetricRegistry
    public let totals: MetricSet
    public let scenarios: [Scenario]
    public let startedAt: Date
    public let endedAt: Date
    public let wasInterrupted: Bool
    /// The command line as typed, for the record.
    public let commandLine: [String]
    /// The HTTP engine's version line (libcurl and its TLS and HTTP/2 libraries).
    public let engineVersion: String
    public let thresholds: [ThresholdVerdict]
    /// True when an abortOnFail threshold stopped the run.
    public let abortedByThreshold: Bool
    /// Per worker and per worker tag, for a distributed run.
    public let distribution: DistributedBreakdown?

    public init(
        testName: String, registry: MetricRegistry, totals: MetricSet, scenarios: [Scenario], startedAt: Date, endedAt: Date,
        wasInterrupted: Bool, commandLine: [String], engineVersion: String, thresholds: [ThresholdVerdict] = [],
        abortedByThreshold: Bool = false, distribution: DistributedBreakdown? = nil
    ) {
        self.distribution = distribution
        self.testName = testName
        self.thresholds = thresholds
        self.abortedByThreshold = abortedByThreshold
        self.registry = registry
        self.totals = totals
        self.scenarios = scenarios
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.wasInterrupted = wasInterrupted
        self.commandLine = commandLine
        self.engineVersion = engineVersion
    }

    /// Wall-clock seconds the run took; counters' rates are per second of this.
    public var duration: Double { max(endedAt.timeIntervalSince(startedAt), 1e-9) }

    /// The percentiles every trend reports, as k6's `--summary-trend-stats` names them.
    public static let trendStats: [(name: String, percentile: Double?)] = [
        ("avg", nil), ("min", 0), ("med", 50), ("max", 100), ("p(90)", 90), ("p(95)", 95), ("p(99)", 99),
    ]

    /// The measured value of a threshold as k6 prints it: `p(95)=1.35ms`, `rate=0.50%`.
    public func observedText(_ verdict: ThresholdVerdict) -> String {
        let statistic = verdict.expression.prefix { !"<>=!".contains($0) }.filter { !$0.isWhitespace }
        return "\(statistic)=\(observedValueText(verdict))"
    }

    /// The measured value alone, in the metric's unit: `1.35ms`, `0.50%`, `20`.
    public func observedValueText(_ verdict: ThresholdVerdict) -> String {
        Self.observedValueText(verdict, registry: registry)
    }

    /// The same for a verdict on a run that has no summary yet (a live view of one).
    public static func observedValueText(_ verdict: ThresholdVerdict, registry: MetricRegistry) -> String {
        let metric = MetricKey(verdict.metric).flatMap { registry.metric(named: $0.canonical) }
        if metric?.kind == .rate {
            return ValueFormat.percent(verdict.observed)
        } else if metric?.contains == .time && metric?.kind == .trend {
            return ValueFormat.time(microseconds: verdict.observed * 1000)
        }
        return ValueFormat.number(verdict.observed)
    }

    /// A trend's statistic by k6's name, in the metric's unit: milliseconds for times.
    public func trendStat(_ trend: Trend, _ stat: (name: String, percentile: Double?)) -> Double {
        (stat.percentile.map(trend.percentile) ?? trend.mean) / Trend.scale
    }
}
