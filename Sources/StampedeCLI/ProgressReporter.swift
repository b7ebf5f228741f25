import Foundation
import StampedeDSL
import StampedeMetrics
import StampedeReports

/// Live progress on standard error: a line for the run and one per scenario (elapsed of
/// total, VUs, requests/s, p99, failures), rewritten every second on a terminal; plain lines
/// every 10 seconds otherwise (CI logs); nothing with --quiet.
final class ProgressReporter {
    enum Mode { case off, automatic }

    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let plan: TestPlan
    private let scenarios: [ScenarioMetrics]
    private var iterations: UInt64 = 0
    private var linesOnScreen = 0
    private let startedAt = Date()

    init(mode: Mode, plan: TestPlan, registry: MetricRegistry) {
        enabled = mode == .automatic
        self.plan = plan
        scenarios = plan.scenarios.compactMap { registry.metrics(ofScenario: $0.name) }
    }

    func second(_ index: Int, _ metrics: MetricSet) {
        iterations += metrics[BuiltinMetrics.iterations]
        guard enabled, isTerminal || (index + 1) % 10 == 0 else { return }
        let elapsed = SummaryText.clock(Date().timeIntervalSince(startedAt))
        let total = SummaryText.clock(Double(plan.maxDuration.nanoseconds) / 1e9)
        var lines = ["running (\(elapsed) of \(total)), \(Int(metrics[BuiltinMetrics.vus].value))/\(plan.maxVUs) VUs, "
            + figures(requests: metrics[BuiltinMetrics.httpReqs], p99: metrics[BuiltinMetrics.httpReqDuration].percentile(99),
                      failed: metrics[BuiltinMetrics.httpReqFailed].value)
            + ", \(iterations) complete iterations"]
        for scenario in scenarios {
            lines.append("  \(scenario.name): " + figures(
                requests: metrics.counters[scenario.requests.slot], p99: metrics.trends[scenario.duration.slot].percentile(99),
                failed: metrics.rates[scenario.failed.slot].value))
        }
        var output = ""
        if isTerminal {
            // Back to the first line written last second, then rewrite each line in place.
            if linesOnScreen > 1 { output += "\u{1B}[\(linesOnScreen - 1)A" }
            output += lines.map { "\r\u{1B}[2K" + $0 }.joined(separator: "\n")
            linesOnScreen = lines.count
        } else {
            output = lines.joined(separator: "\n") + "\n"
        }
        FileHandle.standardError.write(Data(output.utf8))
    }

    func finish() {
        if enabled && isTerminal && linesOnScreen > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func figures(requests: UInt64, p99: Double, failed: Double) -> String {
        "\(requests) req/s, p(99)=\(Duration.nanoseconds(Int64(p99 * 1000)).humanReadable), \(String(format: "%.2f%%", failed * 100)) failed"
    }
}
