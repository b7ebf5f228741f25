// The examples of docs/scenarios.md, exactly as the page shows them between the markers
// below: the tests check the page still shows this text, so what runs here is what a
// reader copies into scenarios/.
// BEGIN docs/scenarios.md
import StampedeDSL

public let checkout = TestPlan(
    "checkout",
    description: "shoppers order and pay",
    scenarios: [
        Scenario("shoppers", executor: .rampingVUs(startVUs: 0, stages: [Stage(.seconds(30), target: 100)])) {
            Get("/products/{{productId}}").named("get product").check(.status(200))
            Group("checkout") {
                Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
                    .check("order created", .status(201))
                    .extract("orderId", .jsonField("id"))
                Post("/payments", json: #"{"orderId":"{{orderId}}"}"#).extract("status", .jsonField("status"))
                If(.equals("status", "captured")) {
                    Get("/orders/{{orderId}}/invoice").check(.jsonField("orderId", equals: "{{orderId}}"))
                }
            }
            Think(exponentialMean: .seconds(2))
        }.with { $0.feeder = Feeder(.csv("examples/customers.csv"), strategy: .circular) },
    ],
    thresholds: Threshold.all(["http_req_duration": ["p(95)<500"], "http_req_failed": ["rate<0.01"]]))
// END docs/scenarios.md

// BEGIN docs/scenarios.md#custom-metrics
import StampedeDSL

let ordersPlaced = CounterMetric("orders_placed")
let paymentCaptured = RateMetric("payment_captured")
let checkoutTime = TrendMetric("checkout_time", isTime: true)

public let orders = TestPlan(
    "orders",
    description: "shoppers order and pay; their orders, payments and checkout time are measured",
    scenarios: [
        Scenario("shoppers", executor: .constantVUs(10, duration: .seconds(30))) {
            Code("start the checkout") { ctx in ctx.startTimer("checkoutStart") }
            Post("/orders", json: #"{"customerId":"c-0001","lines":[{"productId":"p-001","quantity":1}]}"#)
                .extract("orderId", .jsonField("id"))
            If(.isSet("orderId")) {
                Post("/payments", json: #"{"orderId":"{{orderId}}"}"#).extract("status", .jsonField("status"))
                Code("count the order") { ctx in
                    ctx.add(1, to: ordersPlaced)
                    ctx.record(ctx["status"] == "captured", in: paymentCaptured)
                    if let elapsed = ctx.elapsed(since: "checkoutStart") { ctx.record(elapsed, in: checkoutTime) }
                }
            }
        },
    ],
    thresholds: Threshold.all(["checkout_time": ["p(95)<500"], "payment_captured": ["rate>0.9"]]),
    metrics: [ordersPlaced, paymentCaptured, checkoutTime])
// END docs/scenarios.md#custom-metrics

import Foundation
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

final class DocExampleTests: XCTestCase {
    /// Checks that docs/scenarios.md's Swift example number `index` (from 0) is this file's
    /// copy between `// BEGIN docs/scenarios.md<marker>` and `// END docs/scenarios.md<marker>`.
    private func assertPageShowsThisFilesCopy(example index: Int, marker: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let page = try String(contentsOf: ReferenceTools.packageRoot.appendingPathComponent("docs/scenarios.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let blocks = page.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertGreaterThan(blocks.count, index, "docs/scenarios.md has Swift example \(index + 1)", file: file, line: line)
        guard let from = source.range(of: "// BEGIN docs/scenarios.md\(marker)\n"),
              let to = source.range(of: "// END docs/scenarios.md\(marker)\n", range: from.upperBound..<source.endIndex) else {
            return XCTFail("no copy marked \(marker) here", file: file, line: line)
        }
        XCTAssertEqual(String(source[from.upperBound..<to.lowerBound]), blocks.dropFirst(index).first,
                       "the example here and on the page differ", file: file, line: line)
    }

    func testScenariosPagesExampleIsThisFileAndRunsAgainstTheEmbeddedTarget() throws {
        let root = ReferenceTools.packageRoot
        try assertPageShowsThisFilesCopy(example: 0, marker: "")

        // As `stampede run checkout --scale 0.05 --duration-scale 0.05` from the repository's
        // root: the feeder path is relative to it. 5 VUs over 1.5 s keep the load small.
        let server = try TargetServer()
        defer { server.shutdown() }
        let outcome = try LoadRun(plan: checkout.scaled(load: 0.05, time: 0.05),
                                  options: RunOptions(workers: 2, target: server.baseURL, baseDirectory: root)).run()
        let totals = outcome.totals
        XCTAssertGreaterThan(totals[BuiltinMetrics.iterations], 0)
        XCTAssertGreaterThan(totals[BuiltinMetrics.checks].trues, 0)
        XCTAssertEqual(totals[BuiltinMetrics.checks].falses, 0, "every check passes: the feeder's ids exist on the target")
        XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 0)
        XCTAssertTrue(outcome.thresholdsPassed, "\(outcome.thresholds.filter { !$0.passed })")
    }

    func testScenariosPagesCustomMetricsExampleIsThisFileAndCountsTheTargetsOrders() throws {
        try assertPageShowsThisFilesCopy(example: 1, marker: "#custom-metrics")
        // 2 VUs for 1.5 s; 5 ms a response, so a checkout (an order and its payment) takes 10 ms or more.
        let server = try TargetServer(options: TargetOptions(latency: .milliseconds(5)))
        defer { server.shutdown() }
        let run = try LoadRun(plan: orders.scaled(load: 0.2, time: 0.05), options: RunOptions(workers: 2, target: server.baseURL))
        let outcome = run.run()
        let placed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try fetch("\(server.baseURL)/customers/c-0001/orders").utf8)) as? [Any]).count
        XCTAssertGreaterThan(placed, 0)
        let metric = { (name: String) in try XCTUnwrap(run.registry.metric(named: name)) }
        XCTAssertEqual(outcome.totals.counters[try metric("orders_placed").slot], UInt64(placed), "the orders the target holds")
        XCTAssertEqual(outcome.totals.rates[try metric("payment_captured").slot], Rate(trues: UInt64(placed), total: UInt64(placed)))
        let checkout = outcome.totals.trends[try metric("checkout_time").slot]
        XCTAssertEqual(checkout.count, UInt64(placed), "a checkout per order")
        XCTAssertGreaterThanOrEqual(checkout.min, 10_000, "in microseconds: two responses of 5 ms each")
        XCTAssertTrue(outcome.thresholdsPassed, "\(outcome.thresholds.filter { !$0.passed })")
    }
}
