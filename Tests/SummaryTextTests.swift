import Foundation
import StampedeDSL
import StampedeMetrics
import StampedeReports
import XCTest

/// The summary must read like k6's (see shared/k6-reference): dotted names to column 76,
/// sections, aligned statistics, k6's units.
final class SummaryTextTests: XCTestCase {
    private func summary(requests: Int) -> RunSummary {
        let registry = MetricRegistry()
        var totals = MetricSet(registry: registry)
        for i in 0..<requests {
            let micros = UInt64(40 + i * 10)
            totals.record(BuiltinMetrics.httpReqDuration, micros)
            totals.record(BuiltinMetrics.httpReqDurationExpected, micros)
            totals.record(BuiltinMetrics.httpReqWaiting, micros - 10)
            totals.record(BuiltinMetrics.iterationDuration, micros + 1000)
            totals.add(BuiltinMetrics.httpReqs, 1)
            totals.add(BuiltinMetrics.iterations, 1)
            totals.add(BuiltinMetrics.dataSent, 70)
            totals.add(BuiltinMetrics.dataReceived, 164)
            totals.record(BuiltinMetrics.httpReqFailed, false)
        }
        let start = Date(timeIntervalSince1970: 0)
        let scenario = Scenario("default", executor: .sharedIterations(2, iterations: requests)) { Get("http://127.0.0.1/") }
        return RunSummary(
            testName: "default", registry: registry, totals: totals, scenarios: [scenario], startedAt: start,
            endedAt: start.addingTimeInterval(2), wasInterrupted: false, commandLine: ["stampede"], engineVersion: "test")
    }

    func testLayoutFollowsK6() throws {
        let text = SummaryText.render(summary(requests: 20))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines.contains("  █ TOTAL RESULTS "))
        XCTAssertTrue(lines.contains("    HTTP"))
        XCTAssertTrue(lines.contains("    EXECUTION"))
        XCTAssertTrue(lines.contains("    NETWORK"))
        let duration = try XCTUnwrap(lines.first { $0.hasPrefix("    http_req_duration.") })
        XCTAssertEqual(duration.firstIndex(of: ":").map { duration.distance(from: duration.startIndex, to: $0) }, 76)
        XCTAssertTrue(duration.contains(": avg=135µs"), duration)
        XCTAssertTrue(duration.contains("p(99)="))
        let sub = try XCTUnwrap(lines.first { $0.hasPrefix("      { expected_response:true }.") })
        XCTAssertEqual(sub.count, duration.count, "sub-metric columns align with the parent's")
        XCTAssertTrue(lines.contains { $0.hasSuffix(": 0.00%  0 out of 20") && $0.hasPrefix("    http_req_failed.") })
        XCTAssertTrue(lines.contains { $0.hasSuffix(": 20     10.000000/s") && $0.hasPrefix("    http_reqs.") })
        XCTAssertTrue(lines.contains { $0.hasSuffix(": 1.4 kB 700 B/s") && $0.hasPrefix("    data_sent.") })
        XCTAssertFalse(text.contains("http_req_waiting"), "phases only in full mode")
        XCTAssertTrue(SummaryText.render(summary(requests: 20), mode: .full).contains("http_req_waiting"))
        XCTAssertTrue(text.contains("20 complete and 0 interrupted iterations"))
    }

    func testStatisticColumnsAlignAcrossTrends() {
        let lines = SummaryText.render(summary(requests: 200)).split(separator: "\n")
        let trendLines = lines.filter { $0.contains("avg=") }
        let medColumns = Set(trendLines.compactMap { $0.range(of: " med=")?.lowerBound.utf16Offset(in: $0) })
        XCTAssertEqual(medColumns.count, 1, "med= starts in the same column on every trend line")
    }
}
