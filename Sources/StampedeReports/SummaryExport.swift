import Foundation
import StampedeDSL
import StampedeMetrics

/// summary.json: k6's `--summary-export` document (same keys, times in milliseconds), so
/// tooling that reads k6's file reads Stampede's, plus a `stampede` section with what k6
/// does not have: run metadata, more percentiles, errors by class.
public enum SummaryExport {
    /// Extra percentiles written under `stampede.percentiles`.
    static let extraPercentiles: [Double] = [50, 75, 90, 95, 99, 99.9, 99.99]

    public static func document(_ summary: RunSummary) -> [String: Any] {
        let totals = summary.totals
        var metrics: [String: Any] = [:]
        var percentiles: [String: Any] = [:]
        for metric in summary.registry.metrics {
            switch metric.kind {
            case .trend:
                let trend = totals.trends[metric.slot]
                guard trend.count > 0 || metric.parent != nil else { continue }
                var values: [String: Double] = [:]
                for stat in RunSummary.trendStats { values[stat.name] = summary.trendStat(trend, stat) }
                metrics[metric.name] = values
                var distribution: [String: Any] = ["count": Double(trend.count)]
                for p in extraPercentiles { distribution["p(\(String(format: "%g", p)))"] = trend.percentile(p) / Trend.scale }
                distribution["unit"] = metric.contains == .time ? "ms" : "1"
                // The whole distribution, in the histogram's own unit: thousandths of the
                // metric's (microseconds for times).
                distribution["hdrHistogram"] = HistogramEncoding.base64(trend.histogram)
                percentiles[metric.name] = distribution
            case .counter:
                let count = totals.counters[metric.slot]
                guard count > 0 else { continue }
                metrics[metric.name] = ["count": Double(count), "rate": Double(count) / summary.duration]
            case .rate:
                let rate = totals.rates[metric.slot]
                guard rate.total > 0 else { continue }
                // k6 counts true values as "passes": for http_req_failed, passes are failures.
                metrics[metric.name] = ["passes": Double(rate.trues), "fails": Double(rate.falses), "value": rate.value]
            case .gauge:
                let gauge = totals.gauges[metric.slot]
                guard gauge.isSet else { continue }
                metrics[metric.name] = ["value": gauge.value, "min": gauge.min, "max": gauge.max]
            }
        }
        var errors: [String: Any] = [:]
        for error in ErrorClass.allCases where totals.errors[error.rawValue] > 0 {
            errors[error.name] = totals.errors[error.rawValue]
        }
        let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var metricThresholds: [String: [String: Bool]] = [:]
        for verdict in summary.thresholds {
            // k6 writes, under each metric, its thresholds and whether each *failed*.
            let key = MetricKey(verdict.metric)?.canonical ?? verdict.metric
            metricThresholds[key, default: [:]][verdict.expression] = !verdict.passed
        }
        for (key, thresholds) in metricThresholds {
            if var values = metrics[key] as? [String: Any] {
                values["thresholds"] = thresholds
                metrics[key] = values
            }
        }
        return [
            "root_group": rootGroup(summary),
            "metrics": metrics,
            "stampede": [
                "version": StampedeVersion.current,
                "test": summary.testName,
                "engine": summary.engineVersion,
                "command": summary.commandLine,
                "host": hostName,
                "scenarios": summary.scenarios.map { ["name": $0.name, "executor": $0.executor.name, "description": $0.executor.summary] },
                "startedAt": timestamp.format(summary.startedAt),
                "endedAt": timestamp.format(summary.endedAt),
                "durationSeconds": summary.duration,
                "interrupted": summary.wasInterrupted,
                "interruptedIterations": totals.interruptedIterations,
                "errors": errors,
                "abortedByThreshold": summary.abortedByThreshold,
                // observedText: the value as the summary prints it, for report.html, which is
                // rebuilt from this file alone and so cannot look the metric's unit up.
                "thresholds": summary.thresholds.map {
                    ["metric": $0.metric, "expression": $0.expression, "passed": $0.passed, "observed": $0.observed,
                     "observedText": summary.observedValueText($0), "abortOnFail": $0.abortOnFail] as [String: Any]
                },
                "percentiles": percentiles,
                // What k6's file leaves out and report.html needs: which metrics the test
                // declared, with k6's type and contains.
                "customMetrics": Dictionary(uniqueKeysWithValues: summary.registry.customMetrics.map {
                    ($0.name, ["type": $0.kind.rawValue, "contains": $0.contains.rawValue])
                }),
            ].merging(summary.distribution.map { ["distributed": $0.document] } ?? [:]) { $1 } as [String: Any],
        ]
    }

    /// k6's group tree with each check's passes and fails. (k6's `id` is the MD5 of the
    /// path; only the root's is written, since it is fixed.)
    static func rootGroup(_ summary: RunSummary) -> [String: Any] {
        func group(_ name: String, path: String) -> [String: Any] {
            var checks: [String: Any] = [:]
            for check in summary.registry.checks where check.groupPath == path {
                let result = summary.totals.checkResults[check.slot]
                checks[check.name] = ["name": check.name, "path": "\(path)::\(check.name)", "passes": result.trues, "fails": result.falses]
            }
            let depth = path.components(separatedBy: "::").count
            var groups: [String: Any] = [:]
            let childPaths = Set(summary.registry.checks.map(\.groupPath).flatMap { full -> [String] in
                let parts = full.components(separatedBy: "::")
                return parts.count > depth ? [parts.prefix(depth + 1).joined(separator: "::")] : []
            }).filter { $0.hasPrefix(path) }
            for child in childPaths {
                let childName = child.components(separatedBy: "::").last ?? child
                groups[childName] = group(childName, path: child)
            }
            return ["name": name, "path": path, "groups": groups, "checks": checks]
        }
        var root = group("", path: "")
        // The root's id is the MD5 of its empty path.
        root["id"] = "d41d8cd98f00b204e9800998ecf8427e"
        return root
    }

    /// The document as pretty, key-sorted JSON.
    public static func json(_ summary: RunSummary) throws -> Data {
        try JSONValue.data(document(summary), pretty: true)
    }
}

/// The version Stampede reports about itself.
public enum StampedeVersion {
    public static let current = "0.1.0"
}

/// This machine's name as the kernel has it; `ProcessInfo.hostName` would ask the resolver.
public var hostName: String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count) == 0 else { return "unknown" }
    // The bytes up to the terminating NUL (String(cString:) on an array is deprecated).
    return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
