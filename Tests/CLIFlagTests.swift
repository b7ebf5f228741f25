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
        let fields: Set = ["t", "vus", "requests", "failed", "iterations", "dropped_iterations", "p50_ms", "p90_ms", "p99_ms", "max_ms",
                           "timers", "transfers", "executor_queue"]
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

    /// timeline.ndjson's queue sizes (docs/metrics.md), which bench/soak watches for growth:
    /// on every second, bounded by what the plan can hold, and empty of requests at the end.
    func testTimelineShowsTheWorkersQueueSizesEachSecond() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        // 20 + 4 VUs, each thinking after its request: at most one live timer each. The
        // arrivals come at 30/s to 4 VUs that serve 4/s, so due iterations queue up.
        let plan = try writePlan("queues.yaml", """
            scenarios:
              ramp:
                executor: ramping-vus
                stages: [{duration: 2s, target: 20}, {duration: 2s, target: 0}]
                gracefulRampDown: 5s
                flow: [{get: /health}, {think: 300ms}]
              arrivals:
                executor: constant-arrival-rate
                rate: 30
                duration: 4s
                preAllocatedVUs: 2
                maxVUs: 4
                flow: [{get: /health}, {think: 1s}]
            """)
        let result = try stampede("run", plan.path, "--target", server.baseURL, "-q")
        XCTAssertEqual(result.status, 0, result.stderr)
        let folder = try onlyResultsFolder(in: workDir)
        let lines = try String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0)) }
        let queues = try lines.map { line in
            try ["timers", "transfers", "executor_queue"].map { try XCTUnwrap(line[$0] as? Int, "\($0) in \(line)") }
        }
        XCTAssertGreaterThanOrEqual(queues.count, 4, "a line per second")
        for (second, sizes) in queues.enumerated() {
            XCTAssertTrue(sizes.allSatisfy { $0 >= 0 }, "second \(second + 1): \(sizes)")
            XCTAssertLessThanOrEqual(sizes[0], 24, "a timer per VU at most, second \(second + 1)")
            XCTAssertLessThanOrEqual(sizes[1], 24, "a request per VU at most, second \(second + 1)")
            XCTAssertLessThanOrEqual(sizes[2], 4 * 30 + 20, "the run's arrivals and ramped-down VUs at most, second \(second + 1)")
        }
        XCTAssertGreaterThanOrEqual(queues.map { $0[0] }.max() ?? 0, 10, "thinking VUs have timers: \(queues)")
        XCTAssertGreaterThanOrEqual(queues.map { $0[2] }.max() ?? 0, 20, "arrivals wait for the 4 VUs: \(queues)")
        XCTAssertEqual(queues.last?[1], 0, "no request in flight once the run has ended: \(queues)")
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
