import Foundation
import StampedeTarget
import XCTest

/// Flags and files a user relies on, checked against what the target saw and what the
/// summary says.
extension CLITests {
    /// timeline.ndjson: the documented fields on every line, one line per second in order,
    /// and the seconds add up to summary.json's totals.
    func assertTimelineAddsUpToTheSummary(_ folder: URL, serverLatencyMs: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let lines = try String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Double], String($0)) }
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
        let metrics = try XCTUnwrap(summary["metrics"] as? [String: [String: Any]])
        func total(_ metric: String) -> Double { (metrics[metric]?["count"] as? NSNumber)?.doubleValue ?? 0 }
        XCTAssertGreaterThanOrEqual(lines.count, 2, "a line per second", file: file, line: line)
        // docs/metrics.md's fields (one scenario: no `scenarios`).
        let fields: Set = ["t", "vus", "requests", "failed", "iterations", "dropped_iterations", "p50_ms", "p90_ms", "p99_ms", "max_ms"]
        for (i, second) in lines.enumerated() {
            XCTAssertEqual(Set(second.keys), fields, file: file, line: line)
            XCTAssertEqual(second["t"], Double(i + 1), "seconds in order", file: file, line: line)
            guard (second["requests"] ?? 0) > 0 else { continue }
            let (p50, p90, p99, max) = (second["p50_ms"] ?? -1, second["p90_ms"] ?? -1, second["p99_ms"] ?? -1, second["max_ms"] ?? -1)
            XCTAssertTrue(serverLatencyMs <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, "\(second)", file: file, line: line)
        }
        let sum = { (key: String) in lines.reduce(0) { $0 + ($1[key] ?? 0) } }
        XCTAssertEqual(sum("requests"), total("http_reqs"), file: file, line: line)
        XCTAssertEqual(sum("iterations"), total("iterations"), file: file, line: line)
        XCTAssertEqual(sum("failed"), (metrics["http_req_failed"]?["passes"] as? NSNumber)?.doubleValue, file: file, line: line)
        XCTAssertEqual(lines.map { $0["max_ms"] ?? 0 }.max() ?? 0, (metrics["http_req_duration"]?["max"] as? NSNumber)?.doubleValue ?? -1,
                       accuracy: 0.01, "the slowest second holds the slowest request", file: file, line: line)
    }

    func testScaleEnvTimeoutAndWorkersFlagsDoWhatTheySay() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let plan = try writePlan("flags.yaml", """
            scenarios:
              lookup:
                executor: shared-iterations
                vus: 10
                iterations: 100
                flow:
                  - get: /customers/{{env.CUSTOMER}}
                    checks: [{name: the customer asked for, json: {path: id, equals: "{{env.CUSTOMER}}"}}]
            """)
        // --scale 0.1: a tenth of the VUs and iterations; --env fills {{env.CUSTOMER}}.
        let scaled = try stampede("run", plan.path, "--target", server.baseURL, "--scale", "0.1", "--env", "CUSTOMER=c-0003", "--workers", "3")
        XCTAssertEqual(scaled.status, 0, scaled.stderr)
        XCTAssertEqual(server.stats.requests, 10, "100 iterations × 0.1")
        XCTAssertTrue(scaled.stdout.contains("execution: local (3 workers)"), scaled.stdout)
        XCTAssertTrue(scaled.stdout.contains("1 max VUs"), "10 VUs × 0.1: \(scaled.stdout)")
        XCTAssertTrue(scaled.stdout.contains("100.00% 10 out of 10"), "the check saw c-0003 come back: \(scaled.stdout)")
        let otherCustomer = try stampede("run", plan.path, "--target", server.baseURL, "--scale", "0.1", "-e", "CUSTOMER=c-0004", "-q")
        XCTAssertTrue(otherCustomer.stdout.contains("100.00% 10 out of 10"), "another value, another customer: \(otherCustomer.stdout)")

        // --timeout: requests to a target answering in 2 s are cut at 300 ms.
        let slow = try TargetServer(options: TargetOptions(latency: .seconds(2)))
        defer { slow.shutdown() }
        let started = Date()
        let cut = try stampede("run", "--url", slow.baseURL + "/health", "--iterations", "2", "--timeout", "300ms", "-q")
        XCTAssertEqual(cut.status, 0, cut.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.9, "no request waited for the 2 s answer")
        XCTAssertTrue(cut.stdout.contains("timeout"), cut.stdout)
        XCTAssertTrue(cut.stdout.contains("100.00% 2 out of 2"), "both failed: \(cut.stdout)")
    }
}
