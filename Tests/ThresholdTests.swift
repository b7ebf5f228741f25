import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// Thresholds in k6's grammar, judged on the merged metrics, on tagged sub-metrics too.
final class ThresholdTests: XCTestCase {
    func testExpressionsParseAsK6WritesThem() throws {
        let p95 = try ThresholdExpression("p(95)<500")
        XCTAssertEqual(p95.statistic, .percentile(95))
        XCTAssertEqual(p95.comparison, .less)
        XCTAssertEqual(p95.bound, 500)
        XCTAssertEqual(try ThresholdExpression("p(99.9) <= 1.5s").bound, 1500, "units convert to milliseconds")
        XCTAssertEqual(try ThresholdExpression("avg<250us").bound, 0.25)
        XCTAssertEqual(try ThresholdExpression("rate!=0").comparison, .notEqual)
        XCTAssertEqual(try ThresholdExpression("count >= 100").comparison, .greaterOrEqual)
        XCTAssertEqual(try Threshold(commandLine: "http_req_duration{status:200,scenario:a}: med==3").metric, "http_req_duration{status:200,scenario:a}")
        // nan and inf parse as Doubles; a bound of either could never pass or never fail
        // (Fuzz/regressions/threshold: they did not parse back to the same expression).
        for bad in ["p95<500", "p(101)<5", "avg 500", "rate<fast", "total<3", "p(50)<nan", "avg<inf", "rate>-infinity"] {
            XCTAssertThrowsError(try ThresholdExpression(bad), bad)
        }
        XCTAssertThrowsError(try Threshold(commandLine: "http_req_duration p(95)<500"))
        XCTAssertThrowsError(try Threshold("http_req_duration{status}", "p(95)<500"))
    }

    private var server: TargetServer!
    override func setUpWithError() throws { server = try TargetServer(options: TargetOptions(latency: .milliseconds(20))) }
    override func tearDown() { server.shutdown() }

    private func run(_ scenarios: [Scenario], _ thresholds: [Threshold]) throws -> RunOutcome {
        try LoadRun(plan: TestPlan("t", scenarios: scenarios, thresholds: thresholds), options: RunOptions(workers: 2, target: server.baseURL)).run()
    }

    func testThresholdsJudgeTheMergedMetricsAndSubMetrics() throws {
        let browse = Scenario("browse", executor: .sharedIterations(4, iterations: 40)) {
            Get("/products/p-001").named("product").check(.status(200))
            Get("/customers/nobody").named("missing customer")
        }
        let outcome = try run([browse], [
            try Threshold("http_req_duration", "p(50)>=20"),
            try Threshold("http_req_duration", "p(99)<20"),
            try Threshold("http_reqs", "count==80"),
            try Threshold("http_reqs{status:404}", "count==40"),
            try Threshold("http_reqs{name:product,scenario:browse}", "count==40"),
            try Threshold("http_req_failed{name:product}", "rate==0"),
            try Threshold("http_req_failed", "rate==0.5"),
            try Threshold("iterations{scenario:browse}", "count==40"),
            try Threshold("checks{check:status is 200}", "rate==1"),
        ])
        let verdicts = Dictionary(uniqueKeysWithValues: outcome.thresholds.map { ("\($0.metric) \($0.expression)", $0) })
        XCTAssertEqual(verdicts["http_req_duration p(50)>=20"]?.passed, true, "the server waits 20 ms")
        XCTAssertEqual(verdicts["http_req_duration p(99)<20"]?.passed, false)
        for key in ["http_reqs count==80", "http_reqs{status:404} count==40", "http_reqs{name:product,scenario:browse} count==40",
                    "http_req_failed{name:product} rate==0", "http_req_failed rate==0.5", "iterations{scenario:browse} count==40",
                    "checks{check:status is 200} rate==1"] {
            XCTAssertEqual(verdicts[key]?.passed, true, "\(key): observed \(verdicts[key]?.observed ?? -1)")
        }
        XCTAssertFalse(outcome.thresholdsPassed)
    }

    func testAbortOnFailStopsTheRunEarly() throws {
        let slow = Scenario("slow", executor: .constantVUs(2, duration: .seconds(30))) { Get("/health") }
        let started = Date()
        let outcome = try run([slow], [try Threshold("http_req_duration", "p(95)<1", abortOnFail: true, delayAbortEval: .milliseconds(500))])
        XCTAssertTrue(outcome.abortedByThreshold)
        XCTAssertFalse(outcome.wasInterrupted)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "stopped within a few seconds, not after 30")
    }

    func testUnknownMetricsAndMismatchedStatisticsAreRejected() {
        let scenario = Scenario("s", executor: .sharedIterations(1, iterations: 1)) { Get("/health") }
        XCTAssertThrowsError(try run([scenario], [try! Threshold("http_req_duratoin", "p(95)<1")])) {
            XCTAssertTrue(($0 as? PlanError)?.message.hasPrefix("threshold on unknown metric 'http_req_duratoin'") == true, "\($0)")
        }
        XCTAssertThrowsError(try run([scenario], [try! Threshold("http_req_failed", "p(95)<1")])) {
            XCTAssertEqual(($0 as? PlanError)?.message, "threshold 'http_req_failed: p(95)<1': http_req_failed is a rate; use rate")
        }
        XCTAssertThrowsError(try run([scenario], [try! Threshold("vus{scenario:s}", "value<1")]))
    }
}
