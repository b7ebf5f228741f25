import Foundation
import StampedeMetrics

/// timeline.ndjson: one JSON line per second of the run, written as each second completes,
/// so a run that is killed keeps the timeline it had. With several scenarios, each line
/// also has each scenario's requests, failures and p99.
public final class TimelineWriter {
    private let path: String
    private let fd: Int32
    private let scenarios: [ScenarioMetrics]
    /// The scraped series' gauges (`scrape:NAME`), written by name each second: null when
    /// the endpoint gave no value that second.
    private let scraped: [MetricDescriptor]
    /// The append that failed (a full or read-only disk), if one did. Appends stop there (a
    /// line the failure cut short is the file's last, and readers skip it); the run goes on
    /// and reports the timeline as incomplete.
    public private(set) var failure: FileWriteError?

    public init(url: URL, registry: MetricRegistry, scenarios names: [String]) throws(FileWriteError) {
        path = url.path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: url.path, errno: errno) }
        scenarios = names.compactMap { registry.metrics(ofScenario: $0) }
        scraped = registry.metrics.filter { $0.kind == .gauge && $0.parent == nil && $0.name.hasPrefix("scrape:") }
    }

    deinit { close(fd) }

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
        if let queues = metrics.queues {
            line["timers"] = queues.timers
            line["transfers"] = queues.transfers
            line["executor_queue"] = queues.executorQueue
        }
        if !scraped.isEmpty {
            var values: [String: Any] = [:]
            for metric in scraped {
                let gauge = metrics.gauges[metric.slot]
                values[String(metric.name.dropFirst("scrape:".count))] = gauge.isSet ? gauge.value : NSNull()
            }
            line["scrape"] = values
        }
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
        guard failure == nil, let data = try? JSONValue.data(line, pretty: false) else { return }
        let error = writeAll(fd, data + Data("\n".utf8))
        if error != 0 {
            failure = FileWriteError(path: path, reason: String(cString: strerror(error)) + " (from second \(index + 1) on)")
        }
    }
}
