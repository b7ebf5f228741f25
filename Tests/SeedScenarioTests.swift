import Scenarios
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// The five seed tests, shrunk with --scale and --duration-scale, against the embedded
/// business-support API: each runs its journeys end to end and passes its thresholds.
final class SeedScenarioTests: XCTestCase {
    /// Scales that bring each test to a second or two.
    private let scales: [String: (load: Double, time: Double)] = [
        "smoke": (1, 0.2),
        "spike": (0.01, 0.01),
        "volume": (0.01, 1),
        "marathon": (0.05, 0.00005),
        "distributed": (0.02, 0.0005),
        "soak": (0.2, 0.00002),
    ]

    func testEveryBuiltInTestRunsScaledDownAndPassesItsThresholds() throws {
        XCTAssertEqual(Set(Catalog.all.map(\.name)), Set(scales.keys))
        for plan in Catalog.all {
            let server = try TargetServer()
            defer { server.shutdown() }
            let scale = try XCTUnwrap(scales[plan.name])
            let scaled = plan.scaled(load: scale.load, time: scale.time)
            let outcome = try LoadRun(plan: scaled, options: RunOptions(workers: 2, target: server.baseURL)).run()
            let totals = outcome.totals
            XCTAssertGreaterThan(totals[BuiltinMetrics.iterations], 0, plan.name)
            XCTAssertEqual(totals[BuiltinMetrics.httpReqFailed].trues, 0, plan.name)
            // Requests in flight when a graceful stop ran out reached the server but, as in k6,
            // are not counted: at most one per interrupted iteration.
            let unrecorded = server.stats.requests - Int(totals[BuiltinMetrics.httpReqs])
            XCTAssertTrue((0...Int(totals.interruptedIterations)).contains(unrecorded), "\(plan.name): \(unrecorded) unrecorded")
            XCTAssertEqual(totals[BuiltinMetrics.checks].falses, 0, plan.name)
            XCTAssertFalse(outcome.thresholds.isEmpty, "\(plan.name) has thresholds")
            XCTAssertTrue(outcome.thresholdsPassed, "\(plan.name): \(outcome.thresholds.filter { !$0.passed })")
        }
    }

    func testVolumeIsOneMillionRequestsAtFullSize() throws {
        guard case .perVUIterations(let options) = volume.scenarios[0].executor else { return XCTFail("volume's executor") }
        XCTAssertEqual(options.vus * options.iterations, 1_000_000)
        XCTAssertEqual(spike.maxVUs, 10_000)
    }
}
