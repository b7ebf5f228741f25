import Foundation
import StampedeTarget
import XCTest

/// Exit codes and their precedence, as a CI stage sees them: the built binary, a real
/// target on loopback, real signals.
extension CLITests {
    func writePlan(_ name: String, _ yaml: String) throws -> URL {
        let url = workDir.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    func testAnAbortOnFailThresholdStopsTheRunWith108OverAFailedThreshold() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let plan = try writePlan("abort.yaml", """
            thresholds:
              http_reqs:
                - {threshold: "count<5", abortOnFail: true}
              http_req_duration: ["p(99)<1us"]
            scenarios:
              load:
                executor: constant-vus
                vus: 2
                duration: 30s
                flow: [{get: /health}]
            """)
        let started = Date()
        let result = try stampede("run", plan.path, "--target", server.baseURL, "-q")
        XCTAssertEqual(result.status, 108, "108 wins over 99: \(result.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "stopped after a second or two, not after 30 s")
        XCTAssertTrue(finalLine(result.stdout).hasPrefix("aborted by a threshold ("), result.stdout)
        XCTAssertTrue(result.stdout.contains("✗ 'count<5'"), result.stdout)
        XCTAssertTrue(result.stdout.contains("✗ 'p(99)<1us'"), result.stdout)
    }

    func testASignalAfterAnAbortKeeps108AndTeardownStillRuns() throws {
        // The load goes to `load`; teardown to `slow`, whose 1.5 s answer keeps the run alive
        // while the signal arrives.
        let load = try TargetServer(), slow = try TargetServer(options: TargetOptions(latency: .milliseconds(1500)))
        defer { load.shutdown(); slow.shutdown() }
        let plan = try writePlan("abort-then-signal.yaml", """
            thresholds:
              http_reqs: [{threshold: "count<5", abortOnFail: true}]
            teardown: [{get: "\(slow.baseURL)/health"}]
            scenarios:
              load:
                executor: constant-vus
                vus: 2
                duration: 30s
                flow: [{get: /health}]
            """)
        let (process, out, err) = try launch(["run", plan.path, "--target", load.baseURL, "-q"])
        XCTAssertTrue(waitUntil(15) { slow.stats.requests == 1 }, "the abort ended the load and teardown began")
        kill(process.processIdentifier, SIGTERM)
        let result = collect(process, out, err)
        XCTAssertEqual(result.status, 108, "an abortOnFail threshold wins over a later signal (105): \(result.stderr)")
        XCTAssertTrue(finalLine(result.stdout).hasPrefix("aborted by a threshold ("), result.stdout)
    }

    func testTeardownRunsAfterAnInterruptAndASecondSignalEndsTheProcessAtOnce() throws {
        let load = try TargetServer(), slow = try TargetServer(options: TargetOptions(latency: .seconds(5)))
        defer { load.shutdown(); slow.shutdown() }
        let plan = try writePlan("interrupt.yaml", """
            teardown: [{get: "\(slow.baseURL)/health"}]
            scenarios:
              load:
                executor: constant-vus
                vus: 2
                duration: 60s
                flow: [{get: /health}]
            """)
        let (process, out, err) = try launch(["run", plan.path, "--target", load.baseURL, "-q"])
        XCTAssertTrue(waitUntil(10) { load.stats.requests > 10 }, "the load began")
        kill(process.processIdentifier, SIGINT)
        XCTAssertTrue(waitUntil(10) { slow.stats.requests == 1 }, "teardown ran after the interrupt")
        let second = Date()
        kill(process.processIdentifier, SIGINT)
        let result = collect(process, out, err)
        XCTAssertEqual(result.status, 105, result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(second), 3, "the second signal did not wait for teardown's 5 s answer")
        XCTAssertFalse(result.stdout.contains("█ TOTAL RESULTS"), "ended at once, without a summary")
    }

    func testResultsThatCannotBeWrittenAfterTheRunExit107AndAnUnusableResultsFolder104() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let url = server.baseURL + "/health"
        let export = workDir.appendingPathComponent("no-such-dir/summary.json").path
        let unwritable = try stampede("run", "--url", url, "--iterations", "3", "-q", "--summary-export", export)
        XCTAssertEqual(unwritable.status, 107, unwritable.stderr)
        XCTAssertTrue(unwritable.stderr.hasPrefix("stampede: error: cannot write results"), unwritable.stderr)
        XCTAssertEqual(server.stats.requests, 3, "the run itself ran")

        // A results folder under a regular file cannot be made, even by root: no load starts.
        let file = workDir.appendingPathComponent("a-file")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        assertUsageError(try stampede("run", "--url", url, "--iterations", "3", "--results-dir", file.appendingPathComponent("results").path),
                         mentions: "cannot create a results folder")
        XCTAssertEqual(server.stats.requests, 3, "no load for a results folder that cannot be made")
    }

    func testCompareExits99OnARealRegression() throws {
        // The same test against a target that answers at once, then one that takes 40 ms.
        let fast = try TargetServer(), slow = try TargetServer(options: TargetOptions(latency: .milliseconds(40)))
        defer { fast.shutdown(); slow.shutdown() }
        let base = workDir.appendingPathComponent("base.json").path, new = workDir.appendingPathComponent("new.json").path
        for (server, export) in [(fast, base), (slow, new)] {
            let run = try stampede("run", "--url", server.baseURL + "/health", "--vus", "2", "--iterations", "20", "-q", "--summary-export", export)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        // Bound on http_req_duration only: the 10 ms-scale phases (blocked, connecting) of
        // 20 requests are noise.
        let bound = "http_req_duration:p(99)=10%"
        let worse = try stampede("compare", base, new, "--max-regression", bound)
        XCTAssertEqual(worse.status, 99, worse.stdout + worse.stderr)
        let row = worse.stdout.split(separator: "\n").first { $0.hasPrefix("http_req_duration ") && $0.contains(" p(99) ") }
        XCTAssertTrue(row?.hasSuffix("✗ regressed") == true, worse.stdout)
        let better = try stampede("compare", new, base, "--max-regression", bound)
        XCTAssertEqual(better.status, 0, "a faster run is no regression: \(better.stdout)")
    }

    /// Found by fuzzing (Fuzz/regressions/compare): a summary from elsewhere with a time no
    /// Duration holds (an avg of 6.6e13 ms) made `compare` and `report` trap while printing it.
    func testCompareAndReportPrintTimesBeyondAnyDurationInsteadOfCrashing() throws {
        let summary = ReferenceTools.packageRoot.appendingPathComponent("Fuzz/regressions/compare/huge-average.json")
        let compare = try stampede("compare", summary.path, summary.path)
        XCTAssertEqual(compare.status, 0, compare.stderr)
        XCTAssertTrue(compare.stdout.contains("65999999999996ms"), compare.stdout)
        let folder = workDir.appendingPathComponent("results-from-elsewhere")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: summary, to: folder.appendingPathComponent("summary.json"))
        let report = try stampede("report", folder.path)
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }
}
