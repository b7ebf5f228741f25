import Foundation
import StampedeReports
import XCTest

final class CompareTests: XCTestCase {
    private func summary(p99: Double, failed: Double, rps: Double) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString).json")
        let json: [String: Any] = ["metrics": [
            "http_req_duration": ["avg": 10, "med": 9, "p(90)": 15, "p(95)": 20, "p(99)": p99, "max": 100, "min": 1],
            "http_req_failed": ["passes": 1, "fails": 99, "value": failed],
            "http_reqs": ["count": rps * 10, "rate": rps],
        ]]
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return url
    }

    func testRegressionsBeyondTheBoundsAreFlaggedInTheRightDirection() throws {
        let base = try summary(p99: 100, failed: 0.01, rps: 1000)
        let within = try summary(p99: 109, failed: 0.01, rps: 950)
        let worse = try summary(p99: 111, failed: 0.02, rps: 800)
        let bounds = try ["p(99)=10%", "http_req_failed:value=50%", "http_reqs:rate=10%"].map(SummaryComparison.Bound.init)
        XCTAssertTrue(try SummaryComparison(base: base, new: within, bounds: bounds).regressions.isEmpty)
        let regressions = try SummaryComparison(base: base, new: worse, bounds: bounds).regressions
        XCTAssertEqual(Set(regressions.map { "\($0.metric) \($0.statistic)" }),
                       ["http_req_duration p(99)", "http_req_failed value", "http_reqs rate"])
        let faster = try summary(p99: 50, failed: 0, rps: 2000)
        XCTAssertTrue(try SummaryComparison(base: base, new: faster, bounds: bounds).regressions.isEmpty, "improvements never regress")
        XCTAssertThrowsError(try SummaryComparison.Bound("p(99)<10"))
    }
}
