import Foundation

/// report.html: one self-contained page (inline CSS and SVG, no script, no network) built
/// from a results folder's summary.json and timeline.ndjson, so `stampede report DIR`
/// rebuilds exactly what the run wrote.
public enum HTMLReport {
    public struct Inputs {
        let summary: [String: Any]
        let timeline: [[String: Any]]
    }

    /// Reads summary.json and timeline.ndjson from a results folder.
    public static func inputs(folder: URL) throws -> Inputs {
        let summaryFile = folder.appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: summaryFile.path),
              let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReportInputError("\(summaryFile.path): no summary.json to build a report from")
        }
        let timelineText = (try? String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8)) ?? ""
        let timeline = timelineText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return Inputs(summary: summary, timeline: timeline)
    }

    /// Writes report.html into the folder from its summary.json and timeline.ndjson.
    @discardableResult
    public static func write(folder: URL) throws -> URL {
        let file = folder.appendingPathComponent("report.html")
        try AtomicFile.write(Data(render(try inputs(folder: folder)).utf8), to: file)
        return file
    }

    public static func render(_ inputs: Inputs) -> String {
        let meta = inputs.summary["stampede"] as? [String: Any] ?? [:]
        let metrics = inputs.summary["metrics"] as? [String: [String: Any]] ?? [:]
        let thresholds = meta["thresholds"] as? [[String: Any]] ?? []
        let name = meta["test"] as? String ?? "run"
        let failed = thresholds.contains { ($0["passed"] as? Bool) == false }
        let verdict = (meta["abortedByThreshold"] as? Bool) == true ? ("aborted by a threshold", "bad")
            : (meta["interrupted"] as? Bool) == true ? ("interrupted", "warn")
            : failed ? ("thresholds failed", "bad") : thresholds.isEmpty ? ("finished", "ok") : ("thresholds passed", "ok")

        var body = "<h1>Stampede — \(e(name))</h1>"
        body += "<p class=\"meta\">\(e(meta["startedAt"] as? String ?? "")) · \(e(String(format: "%.1f s", meta["durationSeconds"] as? Double ?? 0))) · "
        body += "\(e((meta["command"] as? [String])?.joined(separator: " ") ?? "")) · \(e(meta["engine"] as? String ?? ""))</p>"
        body += "<p class=\"verdict \(verdict.1)\">\(e(verdict.0))</p>"
        body += keyFigures(metrics)

        let t = inputs.timeline
        func series(_ key: String, _ label: String, _ color: String) -> SVGChart.Series {
            SVGChart.Series(name: label, color: color, points: t.compactMap { line in
                guard let x = (line["t"] as? NSNumber)?.doubleValue, let y = (line[key] as? NSNumber)?.doubleValue else { return nil }
                return (x, y)
            })
        }
        body += "<h2>Requests per second</h2>" + SVGChart.lines(
            [series("requests", "requests/s", "#2563eb"), series("failed", "failed/s", "#dc2626")],
            xLabel: "seconds", yLabel: "requests/s", yFormat: { ValueFormat.number($0.rounded()) })
        body += "<h2>Virtual users</h2>" + SVGChart.lines(
            [series("vus", "VUs", "#7c3aed")], xLabel: "seconds", yLabel: "VUs", yFormat: { ValueFormat.number($0.rounded()) })
        body += "<h2>Latency over time (http_req_duration)</h2>" + SVGChart.lines(
            [series("p50_ms", "p50", "#16a34a"), series("p90_ms", "p90", "#ca8a04"), series("p99_ms", "p99", "#ea580c"),
             series("max_ms", "max", "#9ca3af")],
            xLabel: "seconds", yLabel: "ms", yFormat: { ValueFormat.time(microseconds: $0 * 1000) })

        body += scrapedCharts(t)

        let percentiles = meta["percentiles"] as? [String: [String: Any]] ?? [:]
        let distribution = percentiles["http_req_duration"] ?? [:]
        let percentileBars = ["p(50)", "p(75)", "p(90)", "p(95)", "p(99)", "p(99.9)", "p(99.99)"].compactMap { key in
            (distribution[key] as? NSNumber).map { (label: key, value: $0.doubleValue) }
        }
        body += "<h2>Latency distribution (http_req_duration)</h2>" + SVGChart.bars(
            percentileBars, color: "#2563eb", yLabel: "ms", yFormat: { ValueFormat.time(microseconds: $0 * 1000) })

        let errors = (meta["errors"] as? [String: NSNumber] ?? [:]).map { (label: $0.key, value: $0.value.doubleValue) }
            .sorted { $0.value > $1.value }
        body += "<h2>Errors by class</h2>" + (errors.isEmpty ? "<p class=\"empty\">no failed requests</p>"
            : SVGChart.bars(errors, color: "#dc2626", yLabel: "requests", yFormat: { ValueFormat.number($0.rounded()) }))

        body += "<h2>Thresholds</h2>" + table(["", "metric", "threshold", "measured"], thresholds.map { verdict in
            let passed = verdict["passed"] as? Bool ?? false
            return [passed ? "✓" : "✗", verdict["metric"] as? String ?? "", verdict["expression"] as? String ?? "",
                    // A summary.json older than observedText has only the number.
                    verdict["observedText"] as? String ?? ValueFormat.number((verdict["observed"] as? NSNumber)?.doubleValue ?? 0)]
        }, empty: "no thresholds")
        body += "<h2>Checks</h2>" + table(["", "check", "passes", "fails"], checkRows(inputs.summary["root_group"] as? [String: Any]),
                                          empty: "no checks")
        if let distributed = meta["distributed"] as? [String: Any] {
            body += distributionTable(distributed)
        }
        if let custom = meta["customMetrics"] as? [String: [String: Any]], !custom.isEmpty {
            body += "<h2>Custom metrics</h2>" + customTable(metrics, declared: custom)
        }
        body += "<h2>Metrics</h2>" + metricsTable(metrics, percentiles: percentiles)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Stampede — \(e(name))</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#111827}
            h1{font-size:22px;margin:0}h2{font-size:16px;margin:28px 0 8px}
            .meta{color:#6b7280;margin:4px 0 12px}.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600}
            .ok{background:#dcfce7;color:#166534}.bad{background:#fee2e2;color:#991b1b}.warn{background:#fef3c7;color:#92400e}
            .figures{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.figure{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:110px}
            .figure b{display:block;font-size:18px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}svg{width:100%;height:auto}.grid{stroke:#e5e7eb}
            .tick{font-size:11px;fill:#6b7280}.label{font-size:12px;fill:#374151}.empty{color:#6b7280}
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    private static func keyFigures(_ metrics: [String: [String: Any]]) -> String {
        func number(_ metric: String, _ key: String) -> Double? { (metrics[metric]?[key] as? NSNumber)?.doubleValue }
        var figures: [(String, String)] = []
        if let count = number("http_reqs", "count") { figures.append(("requests", ValueFormat.number(count))) }
        if let rate = number("http_reqs", "rate") { figures.append(("requests/s", String(format: "%.1f", rate))) }
        if let failed = number("http_req_failed", "value") { figures.append(("failed", ValueFormat.percent(failed))) }
        for stat in ["p(95)", "p(99)"] {
            if let value = number("http_req_duration", stat) { figures.append((stat, ValueFormat.time(microseconds: value * 1000))) }
        }
        if let iterations = number("iterations", "count") { figures.append(("iterations", ValueFormat.number(iterations))) }
        if let vus = number("vus_max", "max") { figures.append(("max VUs", ValueFormat.number(vus))) }
        return "<div class=\"figures\">" + figures.map { "<div class=\"figure\">\(e($0.0))<b>\(e($0.1))</b></div>" }.joined() + "</div>"
    }

    private static func checkRows(_ group: [String: Any]?, path: String = "") -> [[String]] {
        guard let group else { return [] }
        var rows: [[String]] = []
        for (name, value) in (group["checks"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let fails = (value["fails"] as? NSNumber)?.intValue ?? 0
            rows.append([fails == 0 ? "✓" : "✗", path.isEmpty ? name : "\(path) › \(name)",
                         "\((value["passes"] as? NSNumber)?.intValue ?? 0)", "\(fails)"])
        }
        for (name, child) in (group["groups"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            rows += checkRows(child, path: path.isEmpty ? name : "\(path) › \(name)")
        }
        return rows
    }

    /// Every trend, in its unit: times unless its percentiles say it holds plain numbers.
    private static func metricsTable(_ metrics: [String: [String: Any]], percentiles: [String: [String: Any]]) -> String {
        let stats = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"]
        let rows = metrics.keys.sorted().compactMap { name -> [String]? in
            guard let values = metrics[name], values["med"] != nil else { return nil }
            let isTime = percentiles[name]?["unit"] as? String != "1"
            return [name] + stats.map { stat in
                let value = (values[stat] as? NSNumber)?.doubleValue ?? 0
                return isTime ? ValueFormat.time(microseconds: value * 1000) : ValueFormat.number(value)
            }
        }
        return table(["trend"] + stats, rows, empty: "no trends")
    }

    /// The test's own metrics and their sub-metrics, each as the summary prints it.
    private static func customTable(_ metrics: [String: [String: Any]], declared: [String: [String: Any]]) -> String {
        let rows = metrics.keys.sorted().compactMap { name -> [String]? in
            let base = String(name.prefix { $0 != "{" })
            guard let values = metrics[name], let type = declared[base]?["type"] as? String else { return nil }
            func number(_ key: String) -> Double { (values[key] as? NSNumber)?.doubleValue ?? 0 }
            func text(_ key: String) -> String {
                declared[base]?["contains"] as? String == "time" ? ValueFormat.time(microseconds: number(key) * 1000) : ValueFormat.number(number(key))
            }
            switch type {
            case "counter":
                return [name, type, text("count"), ValueFormat.number(number("rate")) + "/s"]
            case "gauge":
                return [name, type, text("value"), "min=\(text("min")) max=\(text("max"))"]
            case "rate":
                return [name, type, ValueFormat.percent(number("value")),
                        "\(ValueFormat.number(number("passes"))) out of \(ValueFormat.number(number("passes") + number("fails")))"]
            default:
                return [name, type, "avg=\(text("avg"))", "p(95)=\(text("p(95)")) max=\(text("max"))"]
            }
        }
        return table(["metric", "type", "value", ""], rows, empty: "no values recorded")
    }

    /// Each worker and each worker tag of a distributed run, from summary.json.
    private static func distributionTable(_ distributed: [String: Any]) -> String {
        func rows(_ key: String, _ kind: String) -> [[String]] {
            (distributed[key] as? [[String: Any]] ?? []).map { part in
                func number(_ name: String) -> Double { (part[name] as? NSNumber)?.doubleValue ?? 0 }
                return [kind, (part["name"] as? String ?? "") + ((part["completed"] as? Bool) == false ? " (lost)" : ""),
                        ValueFormat.number(number("http_reqs")), ValueFormat.number(number("iterations")),
                        ValueFormat.time(microseconds: number("http_req_duration_p95_ms") * 1000),
                        ValueFormat.time(microseconds: number("http_req_duration_p99_ms") * 1000),
                        ValueFormat.percent(number("http_req_failed_rate"))]
            }
        }
        let skew = (distributed["startSkewMs"] as? NSNumber)?.doubleValue ?? 0
        return "<h2>Workers and tags</h2><p class=\"meta\">start skew \(e(String(format: "%.1f ms", skew)))</p>"
            + table(["", "name", "requests", "iterations", "p(95)", "p(99)", "failed"], rows("workers", "worker") + rows("tags", "tag"),
                    empty: "no workers")
    }

    private static func table(_ header: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(e(empty))</p>" }
        let head = "<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
        let body = rows.map { row in
            "<tr>" + row.enumerated().map { i, cell in i == 0 || Double(cell) == nil ? "<td>\(e(cell))</td>" : "<td class=\"n\">\(e(cell))</td>" }.joined() + "</tr>"
        }.joined()
        return "<table>\(head)\(body)</table>"
    }

    private static func e(_ text: String) -> String { JUnitReport.escape(text) }

    /// A chart per scraped series of the system under test (timeline's `scrape`), beside the
    /// latency ones: a counter (`…_total`) as its increase per second, anything else as read.
    /// Seconds its endpoint did not answer are gaps.
    static func scrapedCharts(_ timeline: [[String: Any]]) -> String {
        let names = Set(timeline.flatMap { ($0["scrape"] as? [String: Any] ?? [:]).keys }).sorted()
        return names.map { name in
            var points: [(x: Double, y: Double)] = timeline.compactMap { line in
                guard let x = (line["t"] as? NSNumber)?.doubleValue,
                      let y = ((line["scrape"] as? [String: Any])?[name] as? NSNumber)?.doubleValue else { return nil }
                return (x, y)
            }
            var label = name
            if name.hasSuffix("_total") {
                points = zip(points, points.dropFirst()).compactMap { a, b in b.x - a.x <= 1.5 ? (b.x, (b.y - a.y) / (b.x - a.x)) : nil }
                label += " per second"
            }
            return "<h2>System under test: \(e(label))</h2>" + SVGChart.lines(
                [SVGChart.Series(name: label, color: "#0891b2", points: points)], xLabel: "seconds", yLabel: label,
                yFormat: { ValueFormat.number($0) })
        }.joined()
    }
}
