import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// The engine against a real server on loopback: what it reports must be what crossed the socket.
final class EngineTests: XCTestCase {
    private var server: TargetServer!

    override func tearDown() {
        server?.shutdown()
        server = nil
    }

    private func startTarget(_ options: TargetOptions = TargetOptions()) throws -> TargetServer {
        server = try TargetServer(options: options)
        return server
    }

    private func run(_ scenario: Scenario, workers: Int = 2, target: String? = nil) throws -> RunOutcome {
        try LoadRun(plan: TestPlan(scenario), options: RunOptions(workers: workers, target: target ?? server.baseURL)).run()
    }

    func testRequestsCountedEqualRequestsTheServerSaw() throws {
        let target = try startTarget()
        let scenario = Scenario("count", executor: .sharedIterations(10, iterations: 600)) {
            Get("/health")
            Get("/products/p-001")
        }
        let totals = try run(scenario).totals
        XCTAssertEqual(totals[BuiltinMetrics.iterations], 600)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqs], 1200)
        XCTAssertEqual(Int(totals[BuiltinMetrics.httpReqs]), target.stats.requests)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 0)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqDuration].count, 1200)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqDurationExpected].count, 1200)
    }

    func testConstantVUsCountMatchesTheServerAndKeepsConnectionsAlive() throws {
        let target = try startTarget()
        let scenario = Scenario("steady", executor: .constantVUs(8, duration: .milliseconds(1500))) {
            Get("/health")
        }
        let outcome = try run(scenario)
        let requests = outcome.totals[BuiltinMetrics.httpReqs]
        XCTAssertGreaterThan(requests, 100)
        XCTAssertEqual(Int(requests), target.stats.requests)
        XCTAssertLessThanOrEqual(target.stats.connections, 8, "keep-alive: one connection per VU at most")
        XCTAssertFalse(outcome.wasInterrupted)
        XCTAssertEqual(outcome.totals[BuiltinMetrics.vusMax].value, 8)
        XCTAssertEqual(outcome.totals[BuiltinMetrics.vus].max, 8)
    }

    func testPerVUIterationsRunsEachVUItsIterations() throws {
        let target = try startTarget()
        let scenario = Scenario("each", executor: .perVUIterations(7, iterations: 13)) { Get("/health") }
        let totals = try run(scenario, workers: 3).totals
        XCTAssertEqual(totals[BuiltinMetrics.iterations], 91)
        XCTAssertEqual(target.stats.requests, 91)
    }

    func testAFixed50msServerYieldsA50msMedian() throws {
        _ = try startTarget(TargetOptions(latency: .milliseconds(50)))
        let scenario = Scenario("slow", executor: .sharedIterations(10, iterations: 100)) { Get("/health") }
        let duration = try run(scenario).totals[BuiltinMetrics.httpReqDuration]
        let medianMs = duration.percentile(50) / 1000
        XCTAssertGreaterThanOrEqual(medianMs, 50, "the server waits 50 ms before answering")
        // A median of 100, with a margin for a busy 2-core machine that runs the target too;
        // the tight figure is bench/'s to measure.
        XCTAssertLessThan(medianMs, 65, "client overhead on loopback stays within a few ms")
        XCTAssertGreaterThanOrEqual(duration.percentile(0) / 1000, 50)
    }

    func testARequestSlowerThanItsTimeoutIsCutAndCountedAsATimeout() throws {
        _ = try startTarget(TargetOptions(latency: .seconds(2)))
        let scenario = Scenario("timeouts", executor: .sharedIterations(2, iterations: 4)) {
            Get("/health").timeout(.milliseconds(300))
        }
        let started = ContinuousClock.now
        let totals = try run(scenario).totals
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "no request waited for the 2 s answer")
        XCTAssertEqual(totals.errors[ErrorClass.timeout.rawValue], 4)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 4)
        let duration = totals[BuiltinMetrics.httpReqDuration]
        XCTAssertGreaterThanOrEqual(duration.percentile(0) / 1000, 290, "cut at the timeout, not before")
        XCTAssertLessThan(duration.percentile(100) / 1000, 600)
    }

    func testBytesMatchWhatCrossedTheSocket() throws {
        let target = try startTarget()
        // The large body is sent after the headers, not in one buffer with them.
        let largeBody = "{\"customerId\":\"" + String(repeating: "x", count: 300_000) + "\"}"
        let scenario = Scenario("bytes", executor: .sharedIterations(4, iterations: 200)) {
            Get("/customers/c-0002")
            Post("/orders", json: #"{"customerId":"c-0002","lines":[{"productId":"p-002","quantity":1}]}"#)
            Post("/customers", json: largeBody)
        }
        let totals = try run(scenario).totals
        let stats = target.stats
        XCTAssertEqual(stats.requests, 600)
        XCTAssertEqual(Int(totals[BuiltinMetrics.dataSent]), stats.bytesReceived, "request headers and bodies")
        XCTAssertEqual(Int(totals[BuiltinMetrics.dataReceived]), stats.bytesSent, "response headers and bodies")
    }

    func testAnUnreachableTargetFailsRequestsWithTheirClass() throws {
        // Bind a port and close it again, so nothing listens there.
        let closed = try TargetServer()
        let url = closed.baseURL
        closed.shutdown()
        let scenario = Scenario("down", executor: .sharedIterations(2, iterations: 20)) { Get("/health") }
        let totals = try run(scenario, target: url).totals
        XCTAssertEqual(totals[BuiltinMetrics.httpReqs], 20)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 20)
        XCTAssertEqual(totals.errors[ErrorClass.connectionRefused.rawValue], 20)
        XCTAssertEqual(totals[BuiltinMetrics.httpReqDurationExpected].count, 0)
    }

    func testServerErrorsAreFailedRequestsByStatusClass() throws {
        _ = try startTarget()
        let scenario = Scenario("missing", executor: .sharedIterations(1, iterations: 5)) { Get("/customers/nobody") }
        let totals = try run(scenario).totals
        XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 5)
        XCTAssertEqual(totals.errors[ErrorClass.http4xx.rawValue], 5)
    }

    func testStopInterruptsARunningTestAndKeepsItsMetrics() throws {
        _ = try startTarget(TargetOptions(latency: .milliseconds(20)))
        let scenario = Scenario("long", executor: .constantVUs(4, duration: .seconds(60))) { Get("/health") }
        let run = try LoadRun(plan: TestPlan(scenario), options: RunOptions(workers: 2, target: server.baseURL))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(700)) { run.stop() }
        let started = Date()
        let outcome = run.run()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "stop ends the run promptly")
        XCTAssertTrue(outcome.wasInterrupted)
        XCTAssertGreaterThan(outcome.totals[BuiltinMetrics.httpReqs], 20)
        XCTAssertEqual(outcome.totals.interruptedIterations, 4, "every VU was mid-request or about to be")
    }

    func testWorkerCountDoesNotChangeTotals() throws {
        _ = try startTarget()
        let scenario = Scenario("split", executor: .sharedIterations(5, iterations: 101)) { Get("/health") }
        for workers in [1, 2, 4] {
            XCTAssertEqual(try run(scenario, workers: workers).totals[BuiltinMetrics.iterations], 101, "\(workers) workers")
        }
    }

    func testAPlanNeedingMoreConnectionsThanTheFileLimitIsRejectedBeforeAnyLoad() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let tooMany = Int(min(limit.rlim_max, 1 << 24)) + 1
        let scenario = Scenario("huge", executor: .constantVUs(tooMany, duration: .seconds(1))) { Get("/") }
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(scenario), options: RunOptions(target: "http://127.0.0.1:1"))) {
            XCTAssertTrue(($0 as? PlanError)?.message.contains("open files") == true, "\($0)")
        }
    }

    func testInvalidPlansAreRejectedBeforeAnyLoad() {
        let noSteps = Scenario("empty", executor: .constantVUs(1, duration: .seconds(1))) {}
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(noSteps), options: RunOptions(target: "http://127.0.0.1:1")))
        let zeroVUs = Scenario("zero", executor: .constantVUs(0, duration: .seconds(1))) { Get("/") }
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(zeroVUs), options: RunOptions(target: "http://127.0.0.1:1"))) {
            XCTAssertEqual(($0 as? PlanError)?.message, "scenario 'zero': vus must be at least 1, got 0")
        }
        let relative = Scenario("rel", executor: .constantVUs(1, duration: .seconds(1))) { Get("/health") }
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(relative), options: RunOptions(target: nil)))
    }
}
