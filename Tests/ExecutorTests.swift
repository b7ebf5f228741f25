import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// Executors against a real server: VU curves, arrival rates, drops, with k6's semantics.
final class ExecutorTests: XCTestCase {
    private var server: TargetServer!

    override func setUpWithError() throws { server = try TargetServer() }
    override func tearDown() { server.shutdown() }

    private func run(_ executor: Executor, workers: Int = 2, onSecond: (Int, MetricSet) -> Void = { _, _ in }, @FlowBuilder flow: () -> [Step]) throws -> MetricSet {
        let scenario = Scenario("exec", executor: executor, flow: flow)
        return try LoadRun(plan: TestPlan(scenario), options: RunOptions(workers: workers, target: server.baseURL)).run(onSecond: onSecond).totals
    }

    func testRampingVUsFollowsItsStages() throws {
        var peaks: [Int] = []
        let executor = Executor.rampingVUs(
            startVUs: 0, stages: [Stage(.seconds(2), target: 20), Stage(.seconds(1), target: 20), Stage(.seconds(2), target: 0)],
            gracefulRampDown: .zero)
        let totals = try run(executor, onSecond: { _, metrics in peaks.append(Int(metrics[BuiltinMetrics.vus].value)) }) {
            Get("/health")
            Think(.milliseconds(20))
        }
        XCTAssertGreaterThanOrEqual(peaks.count, 6)
        XCTAssertEqual(Double(peaks[0]), 10, accuracy: 1, "halfway up the first stage: \(peaks)")
        XCTAssertEqual(Double(peaks[1]), 20, accuracy: 1, "top of the ramp, within a VU: \(peaks)")
        XCTAssertEqual(peaks[2], 20, "holding: \(peaks)")
        // Each second reports the most VUs busy in it: on the way down, its first moment's.
        XCTAssertEqual(Double(peaks[3]), 20, accuracy: 1, "the ramp-down starts from 20: \(peaks)")
        XCTAssertEqual(Double(peaks[4]), 10, accuracy: 1, "halfway down: \(peaks)")
        XCTAssertLessThanOrEqual(peaks.last ?? 99, 1, "down to none at the end: \(peaks)")
        XCTAssertEqual(totals[BuiltinMetrics.vusMax].value, 20)
        XCTAssertGreaterThan(totals[BuiltinMetrics.iterations], 500)
    }

    /// A VU ramped down, wanted again and ramped down again within one gracefulRampDown gets
    /// the whole grace from its second ramp-down: the first one's deadline no longer applies.
    func testAnEarlierRampDownDoesNotCutALaterOnesGraceShort() throws {
        // VU 0 is ramped down by 0.1 s (deadline by 1.1 s) while in its first 700 ms
        // iteration, wanted again by 0.2 s, starts its second iteration at 0.7 s and is ramped
        // down again between 0.9 and 1 s (deadline after 1.9 s): that iteration ends at 1.4 s,
        // inside its grace.
        let executor = Executor.rampingVUs(
            startVUs: 1,
            stages: [Stage(.milliseconds(100), target: 0), Stage(.milliseconds(100), target: 1), Stage(.milliseconds(700), target: 1),
                     Stage(.milliseconds(100), target: 0)],
            gracefulRampDown: .seconds(1))
        let totals = try run(executor, workers: 1) {
            Get("/health")
            Think(.milliseconds(700))
        }
        XCTAssertEqual(totals.interruptedIterations, 0, "the second iteration was not cut at the first ramp-down's deadline")
        XCTAssertEqual(totals[BuiltinMetrics.iterations], 2)
    }

    func testConstantArrivalRateStartsRateTimesDurationIterations() throws {
        let totals = try run(.constantArrivalRate(200, duration: .seconds(2), preAllocatedVUs: 10)) { Get("/health") }
        XCTAssertEqual(totals[BuiltinMetrics.iterations], 400)
        XCTAssertEqual(totals[BuiltinMetrics.droppedIterations], 0)
        XCTAssertEqual(Int(totals[BuiltinMetrics.httpReqs]), server.stats.requests)
    }

    func testArrivalRateDropsIterationsThatFindNoFreeVU() throws {
        server.shutdown()
        server = try TargetServer(options: TargetOptions(latency: .milliseconds(50)))
        let totals = try run(.constantArrivalRate(100, duration: .seconds(1), preAllocatedVUs: 1, maxVUs: 2)) { Get("/health") }
        let started = totals[BuiltinMetrics.iterations] + totals.interruptedIterations
        XCTAssertEqual(started + totals[BuiltinMetrics.droppedIterations], 100, "every due iteration ran or was dropped")
        XCTAssertGreaterThan(totals[BuiltinMetrics.droppedIterations], 50, "two VUs at 50 ms each cannot start 100/s")
        XCTAssertEqual(totals[BuiltinMetrics.vusMax].value, 2, "allocated up to maxVUs")
    }

    func testRampingArrivalRateIntegratesItsStages() throws {
        // From 0 to 200/s over 1 s, then 200/s for 0.5 s: 100 + 100 iterations.
        let executor = Executor.rampingArrivalRate(
            startRate: 0, stages: [Stage(.seconds(1), target: 200), Stage(.milliseconds(500), target: 200)], preAllocatedVUs: 10)
        let totals = try run(executor) { Get("/health") }
        XCTAssertEqual(Double(totals[BuiltinMetrics.iterations]), 200, accuracy: 1)
        XCTAssertEqual(totals[BuiltinMetrics.droppedIterations], 0)
    }

    func testInvalidExecutorsAreRejected() {
        let cases: [(Executor, String)] = [
            (.rampingVUs(stages: []), "stages must not be empty"),
            (.rampingVUs(startVUs: 0, stages: [Stage(.seconds(1), target: 0)]), "at least 1"),
            (.constantArrivalRate(0, duration: .seconds(1), preAllocatedVUs: 1), "rate must be at least 1"),
            (.constantArrivalRate(10, duration: .seconds(1), preAllocatedVUs: 5, maxVUs: 2), "maxVUs (2) must be at least preAllocatedVUs (5)"),
        ]
        for (executor, message) in cases {
            let scenario = Scenario("bad", executor: executor) { Get("/") }
            XCTAssertThrowsError(try scenario.validate()) { error in
                XCTAssertTrue((error as? PlanError)?.message.contains(message) == true, "\(error) should say \(message)")
            }
        }
    }
}

extension ExecutorTests {
    /// A server that stalls for a second: service time hides it (few requests were in flight),
    /// the latency from when iterations were due shows it (coordinated omission corrected).
    func testLatencyFromDueTimeShowsAStallThatServiceTimeHides() throws {
        server.shutdown()
        server = try TargetServer(options: TargetOptions(stallEvery: .milliseconds(2500), stallFor: .seconds(1)))
        let totals = try run(.constantArrivalRate(500, duration: .seconds(3), preAllocatedVUs: 5, maxVUs: 5), workers: 1) {
            Get("/health")
        }
        let service = totals[BuiltinMetrics.httpReqDuration].percentile(99) / 1000
        let corrected = totals[BuiltinMetrics.httpReqLatency].percentile(99) / 1000
        XCTAssertLessThan(service, 100, "only the few requests in flight during a stall were slow")
        XCTAssertGreaterThan(corrected, 500, "the iterations that waited for the stall to end were late")
        XCTAssertEqual(totals[BuiltinMetrics.iterations] + totals[BuiltinMetrics.droppedIterations], 1500)
    }
}
