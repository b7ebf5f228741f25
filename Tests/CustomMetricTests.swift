import Foundation
import StampedeDSL
import StampedeEngine
import StampedeMetrics
@testable import StampedeReports
import StampedeTarget
import XCTest

/// Custom metrics (k6's Counter, Gauge, Rate, Trend): recorded from code steps and plan
/// files, merged across worker threads and machines, reported as k6 reports them, and held
/// against what the target itself holds after the run: the orders it created, the prices
/// it charged.
final class CustomMetricTests: XCTestCase {
    /// Orders the embedded target holds for a customer, read from its API after the run.
    private func orderTotals(of customer: String, on target: TargetServer) throws -> [Int] {
        let orders = try JSONSerialization.jsonObject(with: Data(try fetch("\(target.baseURL)/customers/\(customer)/orders").utf8))
        return try XCTUnwrap(orders as? [[String: Any]]).compactMap { $0["total"] as? Int }
    }

    /// The run's summary.json, as parsed JSON, and its summary text.
    private func summary(of run: LoadRun, _ outcome: RunOutcome) throws -> (json: [String: Any], text: String) {
        let summary = RunSummary(
            testName: run.plan.name, registry: run.registry, totals: outcome.totals, scenarios: run.plan.scenarios,
            startedAt: outcome.startedAt, endedAt: outcome.endedAt, wasInterrupted: outcome.wasInterrupted, commandLine: [],
            engineVersion: "test", thresholds: outcome.thresholds)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: SummaryExport.json(summary)) as? [String: Any])
        return (document, SummaryText.render(summary))
    }

    func testCodeStepsCountTheOrdersTheTargetCreatedAndTimeTheCheckoutThemselves() throws {
        // 20 ms per response: a checkout of one request takes at least that.
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(20)))
        defer { target.shutdown() }
        let ordersCreated = CounterMetric("orders_created")
        let orderAccepted = RateMetric("order_accepted")
        let lastIteration = GaugeMetric("last_iteration")
        let checkoutTime = TrendMetric("checkout_time", isTime: true)
        let plan = TestPlan(
            "orders",
            scenarios: [
                Scenario("buyers", executor: .perVUIterations(4, iterations: 6)) {
                    Code("start the checkout") { ctx in
                        ctx["orderId"] = nil
                        // Every third iteration asks for a product the target does not sell: no order.
                        ctx["productId"] = ctx.iteration % 3 == 2 ? "p-999" : "p-001"
                        ctx.startTimer("checkoutStart")
                    }
                    Post("/orders", json: #"{"customerId":"c-0001","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
                        .extract("orderId", .jsonField("id"))
                        .expecting(200...404)
                    Code("count the order") { ctx in
                        let created = ctx["orderId"] != nil
                        if created { ctx.add(1, to: ordersCreated) }
                        ctx.record(created, in: orderAccepted)
                        ctx.set(lastIteration, to: Double(ctx.iteration))
                        if let elapsed = ctx.elapsed(since: "checkoutStart") { ctx.record(elapsed, in: checkoutTime) }
                    }
                },
            ],
            thresholds: Threshold.all([
                "orders_created": ["count>16"], "checkout_time{scenario:buyers}": ["min>=20"], "order_accepted": ["rate>0.5"],
            ]),
            metrics: [ordersCreated, orderAccepted, lastIteration, checkoutTime])
        // Two threads: each records into its own metrics, merged after.
        let run = try LoadRun(plan: plan, options: RunOptions(workers: 2, target: target.baseURL))
        let started = ContinuousClock.now
        let outcome = run.run()
        let wall = ContinuousClock.now - started
        let (json, text) = try summary(of: run, outcome)
        let metrics = try XCTUnwrap(json["metrics"] as? [String: [String: Any]])

        let created = try orderTotals(of: "c-0001", on: target).count
        XCTAssertEqual(created, 16, "4 VUs × 6 iterations, a third of them for a product that does not exist")
        XCTAssertEqual(metrics["orders_created"]?["count"] as? Double, Double(created), "the counter is the target's orders")
        XCTAssertEqual(Set(try XCTUnwrap(metrics["orders_created"]).keys), ["count", "rate", "thresholds"], "k6's keys")
        XCTAssertEqual(metrics["order_accepted"]?["passes"] as? Double, Double(created))
        XCTAssertEqual(metrics["order_accepted"]?["fails"] as? Double, 8)
        XCTAssertEqual(metrics["last_iteration"]?["min"] as? Double, 0)
        XCTAssertEqual(metrics["last_iteration"]?["max"] as? Double, 5)

        let checkout = try XCTUnwrap(metrics["checkout_time"])
        XCTAssertEqual(Set(checkout.keys), ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(checkout["min"] as? Double), 20, "no checkout beats the target's 20 ms")
        // A VU's checkouts follow one another: together they fit in the run, timed out here.
        XCTAssertLessThanOrEqual(try XCTUnwrap(checkout["avg"] as? Double) * 24, 4 * Double(wall.nanoseconds) / 1e6,
                                 "4 VUs' checkouts within \(wall)")
        let stampede = try XCTUnwrap(json["stampede"] as? [String: Any])
        let distribution = try XCTUnwrap((stampede["percentiles"] as? [String: [String: Any]])?["checkout_time"])
        XCTAssertEqual(distribution["count"] as? Double, 24, "one checkout per iteration")
        XCTAssertEqual(distribution["unit"] as? String, "ms")

        let verdicts = Dictionary(uniqueKeysWithValues: outcome.thresholds.map { ("\($0.metric): \($0.expression)", $0) })
        XCTAssertEqual(verdicts["orders_created: count>16"]?.passed, false, "16 orders is not more than 16")
        XCTAssertEqual(verdicts["orders_created: count>16"]?.observed, 16)
        XCTAssertEqual(verdicts["checkout_time{scenario:buyers}: min>=20"]?.passed, true)
        XCTAssertEqual(verdicts["order_accepted: rate>0.5"]?.passed, true)
        XCTAssertEqual(metrics["checkout_time{scenario:buyers}"]?["min"] as? Double, checkout["min"] as? Double,
                       "the scenario's sub-metric has every checkout")

        // k6's summary: the CUSTOM section first, each metric in its unit.
        let lines = text.split(separator: "\n").map(String.init)
        let custom = try XCTUnwrap(lines.firstIndex(of: "    CUSTOM"), text)
        XCTAssertLessThan(custom, try XCTUnwrap(lines.firstIndex(of: "    HTTP")), text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("    orders_created.") && $0.contains(": 16     ") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("    order_accepted.") && $0.hasSuffix(": 66.67% 16 out of 24") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("    last_iteration.") && $0.contains("min=0") && $0.contains("max=5") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("    checkout_time.") && $0.contains("ms") }, text)
    }

    func testMistakesInCustomMetricsStopTheRunBeforeAnyLoad() {
        let scenario = Scenario("s", executor: .sharedIterations(1, iterations: 1)) { Get("http://127.0.0.1:1/") }
        func assertRejected(_ metrics: [any CustomMetric], thresholds: [Threshold] = [], _ message: String, line: UInt = #line) {
            XCTAssertThrowsError(try LoadRun(plan: TestPlan("t", scenarios: [scenario], thresholds: thresholds, metrics: metrics),
                                             options: RunOptions()), line: line) { error in
                XCTAssertEqual((error as? PlanError)?.message, message, line: line)
            }
        }
        assertRejected([CounterMetric("http_reqs")], "metric 'http_reqs' is built in; a custom metric needs a name of its own")
        assertRejected([CounterMetric("orders-created")],
                       "metric name 'orders-created' must be 1 to 128 letters, digits or '_', not starting with a digit")
        assertRejected([GaugeMetric("2fast")], "metric name '2fast' must be 1 to 128 letters, digits or '_', not starting with a digit")
        assertRejected([CounterMetric("orders"), TrendMetric("orders")], "two metrics are named 'orders'")
        assertRejected([MetricDeclaration("orders", .counter, isTime: true)], "metric 'orders': only a trend holds times, not a counter")
        assertRejected([CounterMetric("orders")], thresholds: Threshold.all(["orders": ["p(95)<1"]]),
                       "threshold 'orders: p(95)<1': orders is a counter; use count, rate")
        XCTAssertThrowsError(try LoadRun(plan: TestPlan("t", scenarios: [scenario], thresholds: Threshold.all(["orders": ["count>1"]])),
                                         options: RunOptions())) { error in
            XCTAssertTrue((error as? PlanError)?.message.hasPrefix("threshold on unknown metric 'orders'") == true, "\(error)")
        }
    }

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

extension CLITests {
    /// A plan file's custom metrics, recorded by `record` steps from a response's values.
    private static let customPlan = """
        metrics:
          orders_created: counter
          order_value: trend
          checkout_time: {type: trend, time: true}
          paid: rate
          basket_size: gauge
        thresholds:
          orders_created: ["count>1000"]
          "order_value{group:::checkout}": ["avg>0"]
        scenarios:
          shop:
            executor: shared-iterations
            vus: 2
            iterations: 12
            flow:
              - group: checkout
                steps:
                  - post: /orders
                    json: {customerId: c-0002, lines: [{productId: p-001, quantity: 2}]}
                    extract:
                      total: {json: total}
                  - record: orders_created
                    value: 1
                  - record: order_value
                    value: "{{total}}"
                  - record: checkout_time
                    value: 120ms
                  - record: paid
                    value: "{{__ITER}}"
                  - record: basket_size
                    value: "{{no such variable}}"
        """

    func testAThresholdOnACustomMetricOfAPlanFileFailsTheRunWith99() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let plan = try writePlan("orders.yaml", Self.customPlan)
        let result = try stampede("run", plan.path, "--target", server.baseURL, "-q")
        XCTAssertEqual(result.status, 99, result.stderr)
        XCTAssertTrue(result.stdout.contains("✗ 'count>1000' count=12"), result.stdout)
        XCTAssertTrue(result.stdout.contains("✓ 'avg>0'"), result.stdout)

        // The target's own figures: the orders it holds for the customer and their totals.
        let product = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try fetch("\(server.baseURL)/products/p-001").utf8)) as? [String: Any])
        let price = try XCTUnwrap(product["price"] as? Int)
        let orders = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try fetch("\(server.baseURL)/customers/c-0002/orders").utf8)) as? [[String: Any]])
        let summary = try onlySummary(in: workDir)
        let metrics = try XCTUnwrap(summary["metrics"] as? [String: [String: Any]])
        XCTAssertEqual(metrics["orders_created"]?["count"] as? Double, Double(orders.count))
        XCTAssertEqual(orders.count, 12)
        XCTAssertEqual(metrics["orders_created"]?["thresholds"] as? [String: Bool], ["count>1000": true], "k6 marks a failed threshold true")
        for stat in ["avg", "min", "med", "max", "p(99)"] {
            XCTAssertEqual(metrics["order_value"]?[stat] as? Double, Double(2 * price), "order_value \(stat): the target's total")
        }
        XCTAssertEqual(metrics["order_value{group:::checkout}"]?["avg"] as? Double, Double(2 * price))
        XCTAssertEqual(metrics["checkout_time"]?["p(95)"] as? Double, 120, "a time trend in milliseconds")
        // 2 VUs × 6 iterations each: iteration 0 of each VU is false.
        XCTAssertEqual(metrics["paid"]?["passes"] as? Double, 10)
        XCTAssertEqual(metrics["paid"]?["fails"] as? Double, 2)
        XCTAssertNil(metrics["basket_size"], "a value that is not a number records nothing")
        let stampede = try XCTUnwrap(summary["stampede"] as? [String: Any])
        XCTAssertEqual((stampede["customMetrics"] as? [String: [String: String]])?["checkout_time"], ["type": "trend", "contains": "time"])

        // junit.xml and report.html say the same; the plain trend's histogram decodes to its figures.
        let folder = workDir.appendingPathComponent("results").appendingPathComponent(
            try FileManager.default.contentsOfDirectory(atPath: workDir.appendingPathComponent("results").path)[0])
        let junit = try String(contentsOf: folder.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains(#"name="count&gt;1000"><failure message="count=12"#), junit)
        let rows = ReportPage.rows(try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8))
        XCTAssertEqual(rows.first { $0.first == "orders_created" }?.prefix(3), ["orders_created", "counter", "12"], "\(rows)")
        XCTAssertEqual(rows.first { $0.first == "paid" }, ["paid", "rate", "83.33%", "10 out of 12"], "\(rows)")
        XCTAssertTrue(rows.contains { $0.first == "order_value" && $0.count == 8 && $0[1] == "\(2 * price)" },
                      "a plain trend reads as numbers in the trends table: \(rows)")
        XCTAssertTrue(rows.contains { $0.first == "checkout_time" && $0.count == 8 && $0[1] == "120ms" }, "\(rows)")
        try assertHistogramsDecodeWithTheReferenceDecoder(folder.appendingPathComponent("summary.json"))
    }

    func testMistakesInAPlanFilesCustomMetricsStopBeforeAnyLoad() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        func plan(_ name: String, metrics: String, thresholds: String = "", record: String) throws -> String {
            try writePlan(name, """
                metrics: \(metrics)
                thresholds: {\(thresholds)}
                scenarios:
                  s:
                    executor: shared-iterations
                    flow:
                      - get: /health
                      - \(record)
                """).path
        }
        assertUsageError(try stampede("run", try plan("a.yaml", metrics: "{orders: counter}", record: "{record: order, value: 1}"), "--target", server.baseURL),
                         mentions: "a.yaml:8: scenarios.s.flow[1].record: unknown metric 'order'; a record step names a metric of the plan's metrics: (declared: orders)")
        assertUsageError(try stampede("run", try plan("b.yaml", metrics: "{orders: counter}", record: "{record: orders, value: 1.5}"), "--target", server.baseURL),
                         mentions: "b.yaml:8: scenarios.s.flow[1].value: expected a whole number, 0 or more, got '1.5'")
        assertUsageError(try stampede("run", try plan("c.yaml", metrics: "{orders: counters}", record: "{record: orders, value: 1}"), "--target", server.baseURL),
                         mentions: "c.yaml:1: metrics.orders: unknown metric type 'counters'; expected one of: counter, gauge, rate, trend")
        assertUsageError(try stampede("run", try plan("d.yaml", metrics: "{orders: counter}", thresholds: "order: [count>1]", record: "{record: orders, value: 1}"),
                                      "--target", server.baseURL),
                         mentions: "threshold on unknown metric 'order'")
        // Two metrics whose Prometheus names would be one: said before the load, not a crash.
        assertUsageError(try stampede("run", try plan("e.yaml", metrics: "{orders: counter, orders_total: gauge}", record: "{record: orders, value: 1}"),
                                      "--target", server.baseURL, "--prometheus", "127.0.0.1:0"),
                         mentions: "--prometheus: metrics 'orders' and 'orders_total' would both be exported as stampede_orders_total; rename one")
        XCTAssertEqual(server.stats.requests, 0)
    }

    func testPrometheusServesCustomMetricsAsTheRunGoes() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let plan = try writePlan("live.yaml", """
            metrics:
              orders_created: counter
              checkout_time: {type: trend, time: true}
              basket_size: gauge
              paid: rate
            scenarios:
              shop:
                executor: constant-vus
                vus: 2
                duration: 3s
                flow:
                  - get: /health
                  - record: orders_created
                    value: 2
                  - record: checkout_time
                    value: 120ms
                  - record: basket_size
                    value: 3.5
                  - record: paid
                    value: true
                  - think: 10ms
            """)
        let (process, out, err) = try launch(["run", plan.path, "--target", server.baseURL, "--prometheus", "127.0.0.1:0"])
        let address = try prometheusAddress(printedOn: out)
        Thread.sleep(forTimeInterval: 2)
        func scrape() throws -> [String: Double] {
            Dictionary(try fetch(address).split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count == 2 ? (String(parts[0]), Double(parts[1]) ?? .nan) : nil
            }) { a, _ in a }
        }
        // The exporter adds a second's series one after another: a scrape that fell between
        // two of them is taken again.
        var values = try scrape()
        if values["stampede_orders_created_total"] != 2 * (values["stampede_http_reqs_total"] ?? 0) { values = try scrape() }
        let requests = try XCTUnwrap(values["stampede_http_reqs_total"], "\(values)")
        XCTAssertGreaterThan(requests, 0)
        XCTAssertEqual(values["stampede_orders_created_total"], 2 * requests, "two per request, second for second: \(values)")
        XCTAssertEqual(values[#"stampede_checkout_time_seconds{quantile="0.99"}"#], 0.12, "\(values)")
        XCTAssertEqual(values["stampede_basket_size"], 3.5, "\(values)")
        XCTAssertEqual(values[#"stampede_paid_total{result="pass"}"#], requests, "\(values)")
        XCTAssertEqual(values[#"stampede_paid_total{result="fail"}"#], 0, "\(values)")
        XCTAssertEqual(collect(process, out, err).status, 0)
    }
}
