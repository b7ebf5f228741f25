// The example at the top of docs/scenarios.md, exactly as the page shows it between the
// markers below: the test checks the page still shows this text, so what runs here is
// what a reader copies into scenarios/.
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

import Foundation
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

final class DocExampleTests: XCTestCase {
    func testScenariosPagesExampleIsThisFileAndRunsAgainstTheEmbeddedTarget() throws {
        let root = ReferenceTools.packageRoot
        let page = try String(contentsOf: root.appendingPathComponent("docs/scenarios.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        func between(_ text: String, _ start: String, _ end: String) -> String? {
            guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
            return String(text[from.upperBound..<to.lowerBound])
        }
        let shown = try XCTUnwrap(between(page, "```swift\n", "```"), "docs/scenarios.md has a Swift example")
        XCTAssertEqual(between(source, "// BEGIN docs/scenarios.md\n", "// END docs/scenarios.md"), shown,
                       "the example here and on the page differ")

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
}
