import Foundation
import StampedeTarget
import XCTest

/// Several tests given to one `stampede run`: one after another, each with its own results
/// folder and verdict, a line per test at the end, and the first failing test's exit code.
final class SuiteTests: XCTestCase {
    private var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-suite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDir)
    }

    private func plan(_ name: String, threshold: String) throws {
        try """
            thresholds:
              http_reqs: ["\(threshold)"]
            scenarios:
              health:
                executor: shared-iterations
                vus: 1
                iterations: 5
                flow:
                  - get: /health
            """.write(to: workDir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private var resultFolders: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: workDir.appendingPathComponent("results").path)) ?? []).sorted()
    }

    func testASuiteRunsEveryTestAndExitsWithTheFirstFailingOnesCode() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try plan("passes.yaml", threshold: "count==5")
        try plan("fails.yaml", threshold: "count<5")
        let run = try StampedeProcess(["run", "passes.yaml", "fails.yaml", "smoke", "--target", target.baseURL, "--duration-scale", "0.2", "-q"], in: workDir)
        XCTAssertEqual(run.exitStatus(within: 60), 99, run.stderr)
        XCTAssertGreaterThan(target.stats.requests, 10, "the third test ran after the failing second (5 + 5 + smoke's)")
        XCTAssertEqual(resultFolders.count, 3, "a results folder per test: \(resultFolders)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let suite = try XCTUnwrap(lines.firstIndex(of: "suite: 3 of 3 tests ran"), run.stdout)
        XCTAssertTrue(lines[suite + 1].hasPrefix("  ✓ passes.yaml  passed"), lines[suite + 1])
        XCTAssertTrue(lines[suite + 2].hasPrefix("  ✗ fails.yaml   thresholds failed (99)"), lines[suite + 2])
        XCTAssertTrue(lines[suite + 3].hasPrefix("  ✓ smoke        passed"), lines[suite + 3])
    }

    func testAMistakeInAnyTestStopsTheSuiteBeforeAnyLoad() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try plan("passes.yaml", threshold: "count==5")
        let run = try StampedeProcess(["run", "passes.yaml", "nosuch", "--target", target.baseURL, "-q"], in: workDir)
        XCTAssertEqual(run.exitStatus(within: 30), 104, run.stderr)
        XCTAssertEqual(run.stderr, "stampede: error: nosuch: unknown test 'nosuch'; the built-in ones are: smoke, spike, volume, marathon, distributed, soak\n")
        XCTAssertEqual(target.stats.requests, 0, "no test ran")
        XCTAssertEqual(resultFolders, [])
    }

    func testAnInterruptEndsTheWholeSuite() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try "scenarios:\n  long:\n    executor: constant-vus\n    vus: 1\n    duration: 60s\n    flow:\n      - get: /health\n"
            .write(to: workDir.appendingPathComponent("long.yaml"), atomically: true, encoding: .utf8)
        let run = try StampedeProcess(["run", "long.yaml", "long.yaml", "--target", target.baseURL, "-q"], in: workDir)
        let deadline = Date() + 20
        while target.stats.requests < 10 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        run.signal(SIGINT)
        XCTAssertEqual(run.exitStatus(within: 10), 105, run.stderr)
        XCTAssertTrue(run.stdout.contains("suite: 1 of 2 tests ran"), run.stdout)
        XCTAssertTrue(run.stdout.contains("✗ long.yaml  interrupted (105)"), run.stdout)
        XCTAssertEqual(resultFolders.count, 1, "the second test never started")
    }

    func testACoordinatorTakesOneTest() throws {
        let run = try StampedeProcess(["coordinator", "smoke", "spike", "--workers", "1"], in: workDir)
        XCTAssertEqual(run.exitStatus(within: 10), 104)
        XCTAssertTrue(run.stderr.contains("a coordinator runs one test at a time"), run.stderr)
    }
}
