import Foundation
import StampedeMetrics

/// timeline.ndjson: one JSON line per second of the run, written as each second completes,
/// so a run that is killed keeps the timeline it had.
public final class TimelineWriter {
    private let handle: FileHandle

    public init(url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
    }

    deinit { try? handle.close() }

    /// Appends second `index` (from 0) of the run.
    public func append(second index: Int, _ metrics: MetricSet) {
        let duration = metrics[BuiltinMetrics.httpReqDuration]
        func ms(_ p: Double) -> Double { (duration.percentile(p) / 1000 * 1000).rounded() / 1000 }
        let line: [String: Any] = [
            "t": index + 1,
            "vus": metrics[BuiltinMetrics.vus].value,
            "requests": metrics[BuiltinMetrics.httpReqs],
            "failed": metrics[BuiltinMetrics.httpReqFailed].trues,
            "iterations": metrics[BuiltinMetrics.iterations],
            "dropped_iterations": metrics[BuiltinMetrics.droppedIterations],
            "p50_ms": ms(50), "p90_ms": ms(90), "p99_ms": ms(99), "max_ms": ms(100),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
