import Foundation
import StampedeMetrics
@testable import StampedeReports
import XCTest

/// What report.html shows, read back from the page (as the browser parsed it) and held
/// against summary.json and timeline.ndjson: the files it claims to draw.
enum ReportPage {
    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (1..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    /// A time as the page prints it (`850ns`, `99.66µs`, `1.5ms`, `2s`) in milliseconds, and
    /// half its last printed digit: how far it may be from the exact value.
    static func milliseconds(_ text: String) -> (value: Double, slack: Double)? {
        for (unit, scale) in [("ns", 1e-6), ("µs", 1e-3), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
            guard let number = Double(text.dropLast(unit.count)) else { return nil }
            // Half the last printed digit, plus half a nanosecond: times are rounded to whole
            // nanoseconds before they are printed with two decimals.
            return (number * scale, unit == "ns" ? 0.5e-6 : 0.005 * scale + 0.5e-6)
        }
        return nil
    }

    /// The figure cards: label → value as printed.
    static func figures(_ html: String) -> [String: String] {
        Dictionary(matches(#"<div class="figure">([^<]+)<b>([^<]+)</b></div>"#, in: html).map { ($0[0], $0[1]) }) { a, _ in a }
    }

    /// Table rows as cell texts.
    static func rows(_ html: String) -> [[String]] {
        matches(#"<tr>(.*?)</tr>"#, in: html).map { row in matches(#"<td[^>]*>([^<]*)</td>"#, in: row[0]).map { unescape($0[0]) } }
    }

    static func unescape(_ text: String) -> String {
        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")].reduce(text) {
            $0.replacingOccurrences(of: $1.0, with: $1.1)
        }
    }

    struct Axis {
        /// Labelled x ticks: value and x position.
        let ticks: [(value: Double, x: Double)]
        /// x positions of every point of every line.
        let pointXs: [Double]
    }

    /// The x axis of each line chart.
    static func lineChartAxes(_ html: String) -> [Axis] {
        matches(#"<svg[^>]*>(.*?)</svg>"#, in: html).map { $0[0] }.filter { $0.contains("<polyline") }.map { svg in
            // x tick labels sit below the plot (y = height − bottom margin + 16); y labels are text-anchor end.
            let ticks = matches(#"<text x="([0-9.]+)" y="220" text-anchor="middle" class="tick">([^<]+)</text>"#, in: svg)
                .compactMap { m in Double(m[1]).flatMap { v in Double(m[0]).map { (value: v, x: $0) } } }
            let xs = matches(#"points="([^"]*)""#, in: svg).flatMap { $0[0].split(separator: " ") }
                .compactMap { Double($0.split(separator: ",")[0]) }
            return Axis(ticks: ticks, pointXs: xs)
        }
    }

    /// Every line chart's axis reads from `first` to `last` (the run's first and last
    /// second) and each label stands where its value falls on the lines.
    static func assertAxesSpan(_ html: String, first: Double, last: Double, charts: Int, file: StaticString = #filePath, line: UInt = #line) {
        let axes = lineChartAxes(html)
        XCTAssertEqual(axes.count, charts, "line charts", file: file, line: line)
        let (left, right) = (64.0, SVGChart.width - 16)  // the plot's edges in SVGChart
        for (i, axis) in axes.enumerated() {
            XCTAssertEqual(axis.ticks.first?.value, first, "chart \(i): the axis starts at the first second", file: file, line: line)
            XCTAssertEqual(axis.ticks.last?.value, last, "chart \(i): the axis ends at the last second", file: file, line: line)
            XCTAssertEqual(axis.pointXs.min() ?? 0, left, accuracy: 0.1, "chart \(i): lines start at the left edge", file: file, line: line)
            XCTAssertEqual(axis.pointXs.max() ?? 0, right, accuracy: 0.1, "chart \(i): lines end at the right edge", file: file, line: line)
            for tick in axis.ticks {
                let expected = left + (tick.value - first) / (last - first) * (right - left)
                XCTAssertEqual(tick.x, expected, accuracy: 0.1, "chart \(i): label \(tick.value) stands where that second is drawn",
                               file: file, line: line)
            }
        }
    }
}

final class ReportChartTests: XCTestCase {
    /// A 22 s run was drawn with an axis reading 5 to 20 across the whole width: the labels
    /// were spread over the round ticks' range instead of the data's.
    func testA22SecondRunsAxisReadsFromItsFirstToItsLastSecond() {
        let timeline: [[String: Any]] = (1...22).map {
            ["t": $0, "requests": 100 + $0, "failed": 0, "vus": 10, "p50_ms": 1.0, "p90_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0]
        }
        let html = HTMLReport.render(HTMLReport.Inputs(summary: [:], timeline: timeline))
        ReportPage.assertAxesSpan(html, first: 1, last: 22, charts: 3)
        XCTAssertEqual(ReportPage.lineChartAxes(html).first?.ticks.map(\.value), [1, 5, 10, 15, 20, 22])
    }
}

final class ReportThresholdTableTests: XCTestCase {
    /// The thresholds table showed a raw "1.972000": each measured value is now printed in its
    /// metric's unit, as the text summary prints it, through summary.json as `report` reads it.
    func testMeasuredValuesAreInTheMetricsUnit() throws {
        let registry = MetricRegistry()
        var totals = MetricSet(registry: registry)
        totals.record(BuiltinMetrics.httpReqDuration, 1972)
        let verdicts = [
            ThresholdVerdict(metric: "http_req_duration", expression: "p(95)<500", passed: true, observed: 1.972, abortOnFail: false),
            ThresholdVerdict(metric: "http_req_duration{expected_response:true}", expression: "max<1", passed: false, observed: 1500,
                             abortOnFail: false),
            ThresholdVerdict(metric: "http_req_failed", expression: "rate<0.01", passed: true, observed: 0.005, abortOnFail: false),
            ThresholdVerdict(metric: "http_reqs", expression: "count>10", passed: true, observed: 20, abortOnFail: false),
        ]
        let start = Date(timeIntervalSince1970: 0)
        let summary = RunSummary(testName: "t", registry: registry, totals: totals, scenarios: [], startedAt: start,
                                 endedAt: start.addingTimeInterval(1), wasInterrupted: false, commandLine: [], engineVersion: "test",
                                 thresholds: verdicts)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: SummaryExport.json(summary)) as? [String: Any])
        let html = HTMLReport.render(HTMLReport.Inputs(summary: document, timeline: []))
        let measured = Dictionary(ReportPage.rows(html).filter { $0.count == 4 }.map { ("\($0[1]) \($0[2])", $0[3]) }) { a, _ in a }
        XCTAssertEqual(measured, [
            "http_req_duration p(95)<500": "1.97ms",
            "http_req_duration{expected_response:true} max<1": "1.5s",
            "http_req_failed rate<0.01": "0.50%",
            "http_reqs count>10": "20",
        ])
        // The same text as the summary's threshold lines.
        XCTAssertTrue(SummaryText.render(summary).contains("'p(95)<500' p(95)=1.97ms"))
    }
}

extension CLITests {
    /// The figures report.html shows (its cards, thresholds and metrics tables, as the
    /// browser parsed the page) equal summary.json's; its charts span timeline.ndjson's seconds.
    func assertReportShows(_ dom: String, folder: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
        let metrics = try XCTUnwrap(summary["metrics"] as? [String: [String: Any]])
        func stat(_ metric: String, _ key: String) -> Double { (metrics[metric]?[key] as? NSNumber)?.doubleValue ?? .nan }
        func assertTime(_ printed: String?, _ exact: Double, _ what: String) {
            guard let printed, let (value, slack) = ReportPage.milliseconds(printed) else {
                return XCTFail("\(what): '\(printed ?? "nothing")' is not a time", file: file, line: line)
            }
            XCTAssertEqual(value, exact, accuracy: slack, "\(what): page shows \(printed), summary.json has \(exact) ms", file: file, line: line)
        }

        let figures = ReportPage.figures(dom)
        XCTAssertEqual(figures["requests"].flatMap(Double.init), stat("http_reqs", "count"), "\(figures)", file: file, line: line)
        XCTAssertEqual(figures["requests/s"].flatMap(Double.init) ?? .nan, stat("http_reqs", "rate"), accuracy: 0.05, file: file, line: line)
        XCTAssertEqual(figures["failed"].flatMap { Double($0.dropLast()) } ?? .nan, stat("http_req_failed", "value") * 100, accuracy: 0.005,
                       file: file, line: line)
        assertTime(figures["p(95)"], stat("http_req_duration", "p(95)"), "card p(95)")
        assertTime(figures["p(99)"], stat("http_req_duration", "p(99)"), "card p(99)")
        XCTAssertEqual(figures["iterations"].flatMap(Double.init), stat("iterations", "count"), file: file, line: line)
        XCTAssertEqual(figures["max VUs"].flatMap(Double.init), stat("vus_max", "max"), file: file, line: line)

        // Metrics table: a row per trend, seven stats each.
        let rows = ReportPage.rows(dom)
        let trends = Set(metrics.filter { $0.value["med"] != nil }.keys)
        let trendRows = rows.filter { trends.contains($0.first ?? "") }
        XCTAssertEqual(Set(trendRows.map { $0[0] }), trends, "a row for every trend", file: file, line: line)
        for row in trendRows {
            XCTAssertEqual(row.count, 8, "\(row)", file: file, line: line)
            for (stat, printed) in zip(["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"], row.dropFirst()) {
                assertTime(printed, (metrics[row[0]]?[stat] as? NSNumber)?.doubleValue ?? .nan, "\(row[0]) \(stat)")
            }
        }
        // Thresholds table: mark, metric, expression, the value measured.
        let verdicts = (summary["stampede"] as? [String: Any])?["thresholds"] as? [[String: Any]] ?? []
        for verdict in verdicts {
            let row = rows.first { $0.count == 4 && $0[1] == verdict["metric"] as? String && $0[2] == verdict["expression"] as? String }
            XCTAssertEqual(row?[0], (verdict["passed"] as? Bool) == true ? "✓" : "✗", "\(verdict)", file: file, line: line)
            // The value in the metric's unit, as the summary prints it, and equal to the number measured.
            let printed = row?[3] ?? "no row"
            let observed = (verdict["observed"] as? NSNumber)?.doubleValue ?? .nan
            XCTAssertEqual(printed, verdict["observedText"] as? String, file: file, line: line)
            if (verdict["metric"] as? String)?.hasPrefix("http_req_duration") == true {
                assertTime(printed, observed, "threshold \(verdict["expression"] ?? "")")
            } else if printed.hasSuffix("%") {
                XCTAssertEqual(Double(printed.dropLast()) ?? .nan, observed * 100, accuracy: 0.005, printed, file: file, line: line)
            } else {
                XCTAssertEqual(Double(printed) ?? .nan, observed, accuracy: 1e-6, printed, file: file, line: line)
            }
        }

        let timeline = try String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { ($0["t"] as? NSNumber)?.doubleValue }
        let (first, last) = (try XCTUnwrap(timeline.first), try XCTUnwrap(timeline.last))
        ReportPage.assertAxesSpan(dom, first: first, last: last, charts: 3, file: file, line: line)
    }

    /// summary.json's histograms decoded by the reference HdrHistogram decoder
    /// (scripts/check-hdr.py) give the count, min, max and percentiles the run reported;
    /// and a copy with one figure changed is caught, so the check can fail.
    func assertHistogramsDecodeWithTheReferenceDecoder(_ summaryFile: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let script = ReferenceTools.packageRoot.appendingPathComponent("scripts/check-hdr.py").path
        let python = try ReferenceTools.python()
        let good = try ReferenceTools.run(python, [script, summaryFile.path], seconds: 60)
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr, file: file, line: line)
        let checked = ReportPage.matches(#"(\d+) histograms checked, 0 differences"#, in: good.stdout).first.flatMap { Int($0[0]) } ?? 0
        XCTAssertGreaterThanOrEqual(checked, 8, good.stdout, file: file, line: line)

        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: summaryFile)) as? [String: Any])
        var stampede = try XCTUnwrap(json["stampede"] as? [String: Any])
        var percentiles = try XCTUnwrap(stampede["percentiles"] as? [String: [String: Any]])
        let p99 = try XCTUnwrap(percentiles["http_req_duration"]?["p(99)"] as? Double)
        percentiles["http_req_duration"]?["p(99)"] = p99 * 1.05
        stampede["percentiles"] = percentiles
        json["stampede"] = stampede
        let altered = summaryFile.deletingLastPathComponent().appendingPathComponent("altered-summary.json")
        try JSONSerialization.data(withJSONObject: json).write(to: altered)
        defer { try? FileManager.default.removeItem(at: altered) }
        let bad = try ReferenceTools.run(python, [script, altered.path], seconds: 60)
        XCTAssertEqual(bad.status, 1, "a p(99) 5% off is caught: \(bad.stdout)", file: file, line: line)
        XCTAssertTrue(bad.stdout.contains("http_req_duration: count") && bad.stdout.contains("MISMATCH p(99)"), bad.stdout, file: file, line: line)
    }
}
