import Foundation
import NIOConcurrencyHelpers
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// Paths the other tests do not reach: iterations cut when a graceful stop or ramp-down runs
/// out, and the feeder strategies and file format a plan can choose.
final class StopAndFeederTests: XCTestCase {
    private var server: TargetServer?

    override func tearDown() { server?.shutdown() }

    private func run(_ scenario: Scenario, latency: Duration = .zero, workers: Int = 2) throws -> (totals: MetricSet, seconds: Double) {
        let target = try TargetServer(options: TargetOptions(latency: latency))
        server = target
        let started = Date()
        let totals = try LoadRun(plan: TestPlan(scenario), options: RunOptions(workers: workers, target: target.baseURL)).run().totals
        return (totals, Date().timeIntervalSince(started))
    }

    func testIterationsStillRunningWhenGracefulStopRunsOutAreInterrupted() throws {
        // Each iteration is one 1 s request, started at once: the 300 ms duration ends while
        // both are in flight.
        let cut = Scenario("cut", executor: .constantVUs(2, duration: .milliseconds(300), gracefulStop: .milliseconds(200))) { Get("/health") }
        let stopped = try run(cut, latency: .seconds(1))
        XCTAssertEqual(stopped.totals.interruptedIterations, 2, "cut at 300 + 200 ms")
        XCTAssertEqual(stopped.totals[BuiltinMetrics.iterations], 0)
        XCTAssertLessThan(stopped.seconds, 0.95, "did not wait for the 1 s answers")
        server?.shutdown()

        let waited = Scenario("waited", executor: .constantVUs(2, duration: .milliseconds(300), gracefulStop: .seconds(3))) { Get("/health") }
        let finished = try run(waited, latency: .seconds(1))
        XCTAssertEqual(finished.totals.interruptedIterations, 0, "a long enough grace lets them end")
        XCTAssertEqual(finished.totals[BuiltinMetrics.iterations], 2)
    }

    func testVUsRemovedByARampDownAreInterruptedWhenGracefulRampDownRunsOut() throws {
        // Two VUs, then down to none over 400 ms; every iteration is a 5 s request. Only the
        // 150 ms ramp-down grace ends them: gracefulStop would wait 10 s.
        let executor = Executor.rampingVUs(
            startVUs: 2, stages: [Stage(.milliseconds(400), target: 0)], gracefulRampDown: .milliseconds(150), gracefulStop: .seconds(10))
        let result = try run(Scenario("down", executor: executor) { Get("/health") }, latency: .seconds(5))
        XCTAssertEqual(result.totals.interruptedIterations, 2)
        XCTAssertEqual(result.totals[BuiltinMetrics.iterations], 0)
        XCTAssertLessThan(result.seconds, 2, "cut after the ramp-down grace, not after gracefulStop or the answers")
    }

    /// The `id` each iteration read from the feeder, in order, via a Code step.
    private func rowsRead(_ feeder: Feeder, iterations: Int) throws -> [String] {
        let seen = NIOLockedValueBox<[String]>([])
        var scenario = Scenario("feed", executor: .sharedIterations(1, iterations: iterations)) {
            Get("/customers/{{id}}")
            Code("note the row") { vu in
                let id = vu["id"] ?? "?"
                seen.withLockedValue { $0.append(id) }
            }
        }
        scenario.feeder = feeder
        _ = try run(scenario, workers: 1)
        return seen.withLockedValue { $0 }
    }

    func testTheRandomStrategyPicksRowsAtRandom() throws {
        let ids = (1...10).map { String(format: "c-%04d", $0) }
        let picks = try rowsRead(Feeder(.rows(ids.map { ["id": $0] }), strategy: .random), iterations: 200)
        XCTAssertEqual(picks.count, 200)
        XCTAssertTrue(Set(picks).isSubset(of: ids))
        // 200 uniform picks of 10 rows: missing 3 or more rows has a chance under 1e-20.
        XCTAssertGreaterThanOrEqual(Set(picks).count, 8, "\(picks)")
        XCTAssertNotEqual(Array(picks.prefix(10)), ids, "not in file order")
        XCTAssertNotEqual(Array(picks.prefix(10)), Array(picks[10..<20]), "not cycling as circular does")
        let sequential = try rowsRead(Feeder(.rows(ids.map { ["id": $0] }), strategy: .circular), iterations: 20)
        XCTAssertEqual(sequential, ids + ids, "the control: circular goes in order and wraps")
    }

    func testUniquePerVUWithFewerRowsThanVUsIsRejectedBeforeAnyLoad() throws {
        var scenario = Scenario("mine", executor: .perVUIterations(3, iterations: 1)) { Get("/health") }
        scenario.feeder = Feeder(.rows([["n": "1"], ["n": "2"]]), strategy: .uniquePerVU)
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(scenario), options: RunOptions(target: "http://127.0.0.1:1"))) {
            XCTAssertEqual(($0 as? PlanError)?.message, "scenario 'mine': feeder has 2 rows, unique-per-vu needs one for each of 3 VUs")
        }
    }

    func testCSVFieldsFollowRFC4180Quoting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,note\nc-0001,\"a, b\"\n\"c-0002\",\"say \"\"hi\"\"\"\nc-0003,\"two\nlines\"\n"
            .write(to: dir.appendingPathComponent("q.csv"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try Feeder(.csv("q.csv")).load(relativeTo: dir), [
            ["id": "c-0001", "note": "a, b"], ["id": "c-0002", "note": #"say "hi""#], ["id": "c-0003", "note": "two\nlines"],
        ])
    }
}
