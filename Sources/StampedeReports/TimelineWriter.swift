import Foundation
import StampedeMetrics

/// timeline.ndjson: one JSON line per second of the run, written as each second completes,
/// so a run that is killed keeps the timeline it had. With several scenarios, each line
/// also has each scenario's requests, failures and p99.
public final class TimelineWriter {
    private let handle: FileHandle
    private let scenarios: [ScenarioMetrics]

    public init(url: URL, registry: MetricRegistry, scenarios names: [String]) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
        scenarios = names.compactMap { registry.metrics(ofScenario: $0) }
    }

    deinit { try? handle.close() }

    /// Appends second `index` (from 0) of the run.
    public func append(second index: Int, _ metrics: MetricSet) {
        // Milliseconds with microsecond precision.
        func ms(_ trend: Trend, _ p: Double) -> Double { trend.percentile(p).rounded() / 1000 }
        let duration = metrics[BuiltinMetrics.httpReqDuration]
        var line: [String: Any] = [
            "t": index + 1,
            "vus": metrics[BuiltinMetrics.vus].value,
            "requests": metrics[BuiltinMetrics.httpReqs],
            "failed": metrics[BuiltinMetrics.httpReqFailed].trues,
            "iterations": metrics[BuiltinMetrics.iterations],
            "dropped_iterations": metrics[BuiltinMetrics.droppedIterations],
            "p50_ms": ms(duration, 50), "p90_ms": ms(duration, 90), "p99_ms": ms(duration, 99), "max_ms": ms(duration, 100),
        ]
        if !scenarios.isEmpty {
            var perScenario: [String: Any] = [:]
            for scenario in scenarios {
                perScenario[scenario.name] = [
                    "requests": metrics.counters[scenario.requests.slot],
                    "failed": metrics.rates[scenario.failed.slot].trues,
                    "p99_ms": ms(metrics.trends[scenario.duration.slot], 99),
                ] as [String: Any]
            }
            line["scenarios"] = perScenario
        }
        guard let data = try? JSONValue.data(line, pretty: false) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
