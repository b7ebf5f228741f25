import Foundation
import StampedeMetrics
@testable import StampedeReports
import XCTest

/// Custom metrics (k6's Counter, Gauge, Rate, Trend): merged across worker threads and
/// machines as the built-in ones are, and reported as k6 reports them.
final class CustomMetricTests: XCTestCase {
    /// Worker threads and machines each keep their own gauge; merged, VUs add up while a
    /// custom gauge is the value set last, wherever it was set.
    func testACustomGaugeMergesToTheValueSetLastWhileVUsAddUp() {
        var registry = MetricRegistry()
        let cart = GaugeID(slot: registry.declare("cart_size", .gauge, contains: .default)!.slot)
        var early = MetricSet(registry: registry), late = MetricSet(registry: registry)
        early.set(BuiltinMetrics.vus, 3)
        late.set(BuiltinMetrics.vus, 4)
        early.gauges[cart.slot].set(1, at: 100)
        early.gauges[cart.slot].set(9, at: 900)
        late.gauges[cart.slot].set(5, at: 500)
        for (first, second) in [(early, late), (late, early)] {
            var merged = first
            merged.mergeConcurrent(second)
            XCTAssertEqual(merged[BuiltinMetrics.vus].value, 7, "VUs of two workers add up")
            XCTAssertEqual(merged[cart].value, 9, "the value set last, in whichever order the workers report")
            XCTAssertEqual(merged[cart].min, 1)
            XCTAssertEqual(merged[cart].max, 9)
        }
        // Setup's value stands until the load sets its own; VUs of setup's VU do not count.
        var totals = MetricSet(registry: registry)
        var setup = MetricSet(registry: registry)
        setup.set(BuiltinMetrics.vus, 1)
        setup.gauges[cart.slot].set(2, at: 10)
        totals.absorb(setup)
        XCTAssertEqual(totals[cart].value, 2)
        XCTAssertFalse(totals[BuiltinMetrics.vus].isSet)
        totals.append(late)
        XCTAssertEqual(totals[cart].value, 5)
        XCTAssertEqual(totals[cart].min, 2)
    }

    /// The summary, summary.json and report.html of custom metrics, from merged metrics
    /// alone: k6's CUSTOM section first, times as durations, plain trends as numbers.
    func testReportsShowCustomMetricsInTheirUnits() throws {
        var registry = MetricRegistry()
        let orders = try XCTUnwrap(registry.declare("orders_created", .counter, contains: .default))
        let value = try XCTUnwrap(registry.declare("order_value", .trend, contains: .default))
        let checkout = try XCTUnwrap(registry.declare("checkout_time", .trend, contains: .time))
        let paid = try XCTUnwrap(registry.declare("paid", .rate, contains: .default))
        let basket = try XCTUnwrap(registry.declare("basket_size", .gauge, contains: .default))
        XCTAssertNil(registry.declare("http_reqs", .counter, contains: .default), "a built-in name is taken")
        XCTAssertEqual(registry.customMetrics.map(\.name), ["orders_created", "order_value", "checkout_time", "paid", "basket_size"])
        var totals = MetricSet(registry: registry)
        totals.counters[orders.slot] = 10
        for amount in [12.5, 25, 37.5] { totals.trends[value.slot].record(inUnit: amount) }
        totals.trends[checkout.slot].record(inUnit: 120)
        for outcome in [true, true, false] { totals.rates[paid.slot].record(outcome) }
        totals.gauges[basket.slot].set(2)
        totals.gauges[basket.slot].set(7)
        totals.record(BuiltinMetrics.httpReqDuration, 1500)
        totals.add(BuiltinMetrics.httpReqs, 10)
        let start = Date(timeIntervalSince1970: 0)
        let summary = RunSummary(testName: "t", registry: registry, totals: totals, scenarios: [], startedAt: start,
                                 endedAt: start.addingTimeInterval(2), wasInterrupted: false, commandLine: [], engineVersion: "test")

        let lines = SummaryText.render(summary).split(separator: "\n").map(String.init)
        func line(_ name: String) -> String { lines.first { $0.hasPrefix("    \(name).") } ?? "no line for \(name): \(lines)" }
        XCTAssertLessThan(try XCTUnwrap(lines.firstIndex(of: "    CUSTOM")), try XCTUnwrap(lines.firstIndex(of: "    HTTP")))
        XCTAssertTrue(line("orders_created").hasSuffix(": 10     5.000000/s"), line("orders_created"))
        XCTAssertTrue(line("paid").hasSuffix(": 66.67% 2 out of 3"), line("paid"))
        XCTAssertNotNil(line("basket_size").range(of: #": 7 +min=2 +max=7$"#, options: .regularExpression), line("basket_size"))
        XCTAssertTrue(line("checkout_time").contains(": avg=120ms"), line("checkout_time"))
        XCTAssertNotNil(line("order_value").range(of: #": avg=25 +min=12.5 +med=25\.\d+ +max=37.5 "#, options: .regularExpression),
                        "exact avg, min and max; the median within the histogram's 3 digits: \(line("order_value"))")

        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: SummaryExport.json(summary)) as? [String: Any])
        let metrics = try XCTUnwrap(document["metrics"] as? [String: [String: Double]])
        XCTAssertEqual(metrics["orders_created"], ["count": 10, "rate": 5])
        XCTAssertEqual(metrics["paid"], ["passes": 2, "fails": 1, "value": 2.0 / 3])
        XCTAssertEqual(metrics["basket_size"], ["value": 7, "min": 2, "max": 7])
        XCTAssertEqual(metrics["order_value"]?["avg"], 25)
        XCTAssertEqual(try XCTUnwrap(metrics["order_value"]?["med"]), 25, accuracy: 0.025)
        XCTAssertEqual(metrics["checkout_time"]?["p(95)"], 120, "milliseconds, as k6 writes times")
        let stampede = try XCTUnwrap(document["stampede"] as? [String: Any])
        XCTAssertEqual(stampede["customMetrics"] as? [String: [String: String]], [
            "orders_created": ["type": "counter", "contains": "default"], "order_value": ["type": "trend", "contains": "default"],
            "checkout_time": ["type": "trend", "contains": "time"], "paid": ["type": "rate", "contains": "default"],
            "basket_size": ["type": "gauge", "contains": "default"],
        ])

        let rows = ReportPage.rows(HTMLReport.render(HTMLReport.Inputs(summary: document, timeline: [])))
        func row(_ name: String, cells: Int) -> [String]? { rows.first { $0.first == name && $0.count == cells } }
        XCTAssertEqual(row("orders_created", cells: 4), ["orders_created", "counter", "10", "5/s"])
        XCTAssertEqual(row("paid", cells: 4), ["paid", "rate", "66.67%", "2 out of 3"])
        XCTAssertEqual(row("basket_size", cells: 4), ["basket_size", "gauge", "7", "min=2 max=7"])
        XCTAssertEqual(row("checkout_time", cells: 8)?.dropFirst().first, "120ms", "a time trend in the trends table")
        XCTAssertEqual(row("order_value", cells: 8)?.dropFirst().first, "25", "a plain trend as numbers, not times")
    }
}
