import Foundation
import StampedeDSL
import StampedeMetrics
import StampedeReports

/// The live progress line on standard error: rewritten every second on a terminal, a plain
/// line every 10 seconds otherwise (CI logs), nothing with --quiet.
final class ProgressReporter {
    enum Mode { case off, automatic }

    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let maxVUs: Int
    private var iterations: UInt64 = 0
    private var wroteLine = false

    init(mode: Mode, maxVUs: Int) {
        enabled = mode == .automatic
        self.maxVUs = maxVUs
    }

    func second(_ index: Int, _ metrics: MetricSet) {
        iterations += metrics[BuiltinMetrics.iterations]
        let elapsed = Double(index + 1)
        guard enabled, isTerminal || (index + 1) % 10 == 0 else { return }
        let requests = metrics[BuiltinMetrics.httpReqs]
        let failed = metrics[BuiltinMetrics.httpReqFailed]
        let p99 = metrics[BuiltinMetrics.httpReqDuration].percentile(99)
        let line = "running (\(SummaryText.clock(elapsed))), \(Int(metrics[BuiltinMetrics.vus].value))/\(maxVUs) VUs, "
            + "\(iterations) complete iterations, \(requests) req/s, p(99)=\(formatTime(p99)), "
            + "\(String(format: "%.2f%%", failed.value * 100)) failed"
        let output = isTerminal ? "\r\u{1B}[2K" + line : line + "\n"
        FileHandle.standardError.write(Data(output.utf8))
        wroteLine = true
    }

    func finish() {
        if enabled && isTerminal && wroteLine { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func formatTime(_ microseconds: Double) -> String {
        Duration.nanoseconds(Int64(microseconds * 1000)).humanReadable
    }
}
