import Foundation
import StampedeMetrics

/// The end-of-test summary in k6's layout: sections, dotted names, aligned statistics.
public enum SummaryText {
    public enum Mode: String, Sendable, CaseIterable {
        /// The metrics k6 shows by default.
        case compact
        /// Every metric, HTTP phases included (k6's `--summary-mode full`).
        case full
    }

    /// Metrics k6 prints only in full mode.
    static let fullOnly: Set<String> = [
        "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
        "http_req_sending", "http_req_waiting", "http_req_receiving",
    ]

    private static let nameColumn = 76

    private struct Row {
        let section: String
        let name: String
        let isSubmetric: Bool
        /// Trend rows: one string per statistic; others: the value columns.
        let columns: [String]
        let isTrend: Bool
    }

    public static func render(_ summary: RunSummary, mode: Mode = .compact) -> String {
        let rows = collectRows(summary, mode: mode)
        var widths: [Int] = []
        for row in rows {
            let key = row.isTrend ? 0 : 100
            for (i, column) in row.columns.enumerated() {
                while widths.count <= key + i { widths.append(0) }
                widths[key + i] = max(widths[key + i], column.count)
            }
        }
        var out = thresholdsBlock(summary) + "\n\n  █ TOTAL RESULTS \n\n" + checksBlock(summary)
        var section = ""
        for row in rows {
            if row.section != section {
                if !section.isEmpty { out += "\n" }
                section = row.section
                out += "    \(section)\n"
            }
            let indent = row.isSubmetric ? "      " : "    "
            let label = row.isSubmetric ? "{ \(row.name) }" : row.name
            let dots = String(repeating: ".", count: max(3, nameColumn - indent.count - label.count))
            let key = row.isTrend ? 0 : 100
            let values = row.columns.enumerated().map { i, column in
                let isLastNonTrend = !row.isTrend && i == row.columns.count - 1
                return isLastNonTrend ? column : column.padding(toLength: widths[key + i], withPad: " ", startingAt: 0)
            }
            out += "\(indent)\(label)\(dots): \(values.joined(separator: " "))\n"
        }
        out += errorSection(summary)
        out += distributionSection(summary)
        out += "\n\n\n" + finalLine(summary) + "\n"
        return out
    }

    /// k6's last line: time, VUs and iterations, complete and interrupted.
    public static func finalLine(_ summary: RunSummary) -> String {
        let totals = summary.totals
        let vus = Int(totals[BuiltinMetrics.vus].value)
        let vusMax = Int(totals[BuiltinMetrics.vusMax].max.isFinite ? totals[BuiltinMetrics.vusMax].max : 0)
        let state = summary.abortedByThreshold ? "aborted by a threshold" : summary.wasInterrupted ? "interrupted" : "running"
        return "\(state) (\(clock(summary.duration))), \(vus)/\(vusMax) VUs, "
            + "\(totals[BuiltinMetrics.iterations]) complete and \(totals.interruptedIterations) interrupted iterations"
    }

    /// `01m05.3s`, as k6's progress shows elapsed time.
    public static func clock(_ seconds: Double) -> String {
        let minutes = Int(seconds) / 60
        return String(format: "%02dm%04.1fs", minutes, seconds - Double(minutes * 60))
    }

    private static func collectRows(_ summary: RunSummary, mode: Mode) -> [Row] {
        let registry = summary.registry
        let visible = registry.metrics.filter { metric in
            let base = metric.parent ?? metric.name
            if mode == .compact && fullOnly.contains(base) { return false }
            return hasData(registry.metric(named: base) ?? metric, summary.totals)
        }
        var rows: [Row] = []
        for section in ["CUSTOM", "HTTP", "EXECUTION", "NETWORK"] {  // k6's order; CHECKS has its own block
            let parents = visible.filter { $0.parent == nil && sectionName($0) == section }.sorted { $0.name < $1.name }
            for parent in parents {
                rows.append(row(parent, section: section, summary))
                for sub in visible where sub.parent == parent.name { rows.append(row(sub, section: section, summary)) }
            }
        }
        return rows
    }

    private static func row(_ metric: MetricDescriptor, section: String, _ summary: RunSummary) -> Row {
        let totals = summary.totals
        let isSubmetric = metric.parent != nil
        let label = isSubmetric
            ? metric.tags.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
            : metric.name
        let columns: [String]
        switch metric.kind {
        case .trend:
            let trend = totals.trends[metric.slot]
            columns = RunSummary.trendStats.map { "\($0.name)=\(format(summary.trendStat(trend, $0), metric.contains))" }
        case .counter:
            let count = Double(totals.counters[metric.slot])
            let rate = count / summary.duration
            let rateText = metric.contains == .data ? ValueFormat.bytes(rate) + "/s" : String(format: "%.6f/s", rate)
            columns = [format(count, metric.contains), rateText]
        case .rate:
            let rate = totals.rates[metric.slot]
            columns = [ValueFormat.percent(rate.value), "\(rate.trues) out of \(rate.total)"]
        case .gauge:
            let gauge = totals.gauges[metric.slot]
            columns = [ValueFormat.number(gauge.value), "min=\(ValueFormat.number(gauge.min))", "max=\(ValueFormat.number(gauge.max))"]
        }
        return Row(section: section, name: label, isSubmetric: isSubmetric, columns: columns, isTrend: metric.kind == .trend)
    }

    private static func hasData(_ metric: MetricDescriptor, _ totals: MetricSet) -> Bool {
        switch metric.kind {
        case .trend: totals.trends[metric.slot].count > 0
        case .counter: totals.counters[metric.slot] > 0
        case .rate: totals.rates[metric.slot].total > 0
        case .gauge: totals.gauges[metric.slot].isSet
        }
    }

    private static func sectionName(_ metric: MetricDescriptor) -> String {
        let name = metric.name
        if metric.isCustom { return "CUSTOM" }
        if name.hasPrefix("http_") { return "HTTP" }
        if name.hasPrefix("data_") { return "NETWORK" }
        if name == "checks" { return "CHECKS" }
        if name.hasPrefix("iteration") || name.hasPrefix("vus") || name == "dropped_iterations" || name == "group_duration" {
            return "EXECUTION"
        }
        return "CUSTOM"
    }

    /// k6 1.x's thresholds block: each metric, then each of its thresholds with ✓ or ✗ and
    /// the value measured.
    private static func thresholdsBlock(_ summary: RunSummary) -> String {
        guard !summary.thresholds.isEmpty else { return "" }
        var out = "\n\n  █ THRESHOLDS \n"
        var metric = ""
        for verdict in summary.thresholds.sorted(by: { $0.metric < $1.metric }) {
            if verdict.metric != metric {
                metric = verdict.metric
                out += "\n    \(metric)\n"
            }
            out += "    \(verdict.passed ? "✓" : "✗") '\(verdict.expression)' \(summary.observedText(verdict))\n"
        }
        return out
    }

    /// k6 1.x's checks block: totals, then each check with ✓ or ✗ and, when some failed, its split.
    private static func checksBlock(_ summary: RunSummary) -> String {
        let rate = summary.totals[BuiltinMetrics.checks]
        guard rate.total > 0 else { return "" }
        let rows = [
            ("checks_total", "\(rate.total)", String(format: "%.6f/s", Double(rate.total) / summary.duration)),
            ("checks_succeeded", ValueFormat.percent(rate.value), "\(rate.trues) out of \(rate.total)"),
            ("checks_failed", ValueFormat.percent(1 - rate.value), "\(rate.falses) out of \(rate.total)"),
        ]
        let width = rows.map(\.1.count).max() ?? 0
        var out = ""
        for (name, value, detail) in rows {
            let dots = String(repeating: ".", count: nameColumn - 4 - name.count)
            out += "    \(name)\(dots): \(value.padding(toLength: width, withPad: " ", startingAt: 0)) \(detail)\n"
        }
        out += "\n"
        for check in summary.registry.checks {
            let result = summary.totals.checkResults[check.slot]
            let label = check.groupPath.split(separator: "::").map(String.init) + [check.name]
            out += "    \(result.falses == 0 ? "✓" : "✗") \(label.joined(separator: " › "))\n"
            if result.falses > 0 {
                out += "      ↳  \(Int((result.value * 100).rounded()))% — ✓ \(result.trues) / ✗ \(result.falses)\n"
            }
        }
        return out + "\n"
    }

    /// A value in its metric's unit (milliseconds for times) as k6 prints it.
    private static func format(_ value: Double, _ contains: ValueType) -> String {
        switch contains {
        case .time: ValueFormat.time(microseconds: value * 1000)
        case .data: ValueFormat.bytes(value)
        case .default: ValueFormat.number(value)
        }
    }

    /// A distributed run's workers and worker tags, a line each: what each generated and
    /// the latency it saw, so a slow region or a lagging worker stands out.
    private static func distributionSection(_ summary: RunSummary) -> String {
        guard let distribution = summary.distribution else { return "" }
        let count = distribution.workers.count
        var out = "\n    DISTRIBUTED (\(count) worker\(count == 1 ? "" : "s"), start skew \(String(format: "%.1f", distribution.startSkewMilliseconds))ms)\n"
        for (title, parts) in [("worker", distribution.workers), ("tag", distribution.tags)] where !parts.isEmpty {
            for part in parts {
                let figures = part.figures
                let label = "\(title) \(part.name)" + (part.completed ? "" : " (lost)")
                let dots = String(repeating: ".", count: max(3, nameColumn - 4 - label.count))
                out += "    \(label)\(dots): reqs=\(figures.requests) iterations=\(figures.iterations) "
                    + "p(95)=\(ValueFormat.time(microseconds: figures.p95Milliseconds * 1000)) "
                    + "p(99)=\(ValueFormat.time(microseconds: figures.p99Milliseconds * 1000)) "
                    + "failed=\(ValueFormat.percent(figures.failedRate))\n"
            }
        }
        return out
    }

    private static func errorSection(_ summary: RunSummary) -> String {
        let totals = summary.totals
        let requests = Double(max(1, totals[BuiltinMetrics.httpReqs]))
        let lines = ErrorClass.allCases.compactMap { error -> String? in
            let count = totals.errors[error.rawValue]
            guard count > 0 else { return nil }
            let dots = String(repeating: ".", count: max(3, nameColumn - 4 - error.name.count))
            return "    \(error.name)\(dots): \(count) (\(ValueFormat.percent(Double(count) / requests)) of requests)\n"
        }
        return lines.isEmpty ? "" : "\n    ERRORS\n" + lines.joined()
    }
}
