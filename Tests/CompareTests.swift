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

    /// The table had bare numbers ("1.972000"): each value is printed in its unit, as the
    /// summary prints it, from the metric's kind in summary.json.
    func testTheTableShowsEachValueInItsUnit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let json: [String: Any] = [
            "metrics": [
                "http_req_duration": ["avg": 1.972, "med": 1.5, "p(90)": 3, "p(95)": 4, "p(99)": 1250, "max": 2000, "min": 0.5],
                "http_req_failed": ["passes": 1, "fails": 199, "value": 0.005],
                "http_reqs": ["count": 200, "rate": 20],
                "data_received": ["count": 736_000, "rate": 73_600],
                "vus": ["value": 5, "min": 1, "max": 5],
                // A custom trend of plain numbers, marked so by its percentiles' unit.
                "basket_size": ["avg": 2.5, "med": 2, "p(90)": 4, "p(95)": 5, "p(99)": 6, "max": 7, "min": 1],
            ],
            "stampede": ["percentiles": ["http_req_duration": ["unit": "ms"], "basket_size": ["unit": "1"]]],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let table = try SummaryComparison(base: url, new: url, bounds: []).table()
        let cells = Dictionary(table.split(separator: "\n").dropFirst().map { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            return ("\(parts[0]) \(parts[1])", parts[2])
        }) { a, _ in a }
        XCTAssertEqual(cells["http_req_duration avg"], "1.97ms", table)
        XCTAssertEqual(cells["http_req_duration p(99)"], "1.25s", table)
        XCTAssertEqual(cells["http_req_failed value"], "0.50%", table)
        XCTAssertEqual(cells["http_reqs rate"], "20/s", table)
        let dataLine = table.split(separator: "\n").first { $0.hasPrefix("data_received ") } ?? ""
        XCTAssertNotNil(dataLine.range(of: #"rate\s+74 kB/s\s+74 kB/s\s+\+0\.0%"#, options: .regularExpression), table)
        XCTAssertEqual(cells["vus value"], "5", table)
        XCTAssertEqual(cells["basket_size avg"], "2.5", table)
        XCTAssertNotNil(table.range(of: #"http_req_duration\s+avg\s+1\.97ms\s+1\.97ms\s+\+0\.0%"#, options: .regularExpression), table)
    }
}
