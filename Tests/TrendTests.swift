import StampedeMetrics
import XCTest

final class TrendTests: XCTestCase {
    func testPercentilesStayWithinThreeSignificantDigitsOfTheExactOnes() {
        var trend = Trend()
        var values: [UInt64] = []
        var generator = SeededRandom()
        for _ in 0..<100_000 {
            let value = UInt64.random(in: 50...2_000_000, using: &generator)
            values.append(value)
            trend.record(value)
        }
        values.sort()
        for p in [50.0, 90, 95, 99, 99.9] {
            let exact = Double(values[Int((p / 100 * Double(values.count)).rounded(.up)) - 1])
            XCTAssertEqual(trend.percentile(p), exact, accuracy: exact * 0.001 + 1, "p(\(p)), \(generator.replay)")
        }
        XCTAssertEqual(trend.percentile(0), Double(values.first!), generator.replay)
        XCTAssertEqual(trend.percentile(100), Double(values.last!), generator.replay)
        XCTAssertEqual(trend.mean, Double(values.reduce(0, +)) / Double(values.count), accuracy: 1e-6, generator.replay)
    }

    func testMergingTwoTrendsEqualsRecordingIntoOne() {
        var a = Trend(), b = Trend(), both = Trend()
        for value in stride(from: UInt64(1), to: 5000, by: 7) {
            if value % 2 == 0 { a.record(value) } else { b.record(value) }
            both.record(value)
        }
        a.merge(b)
        XCTAssertEqual(a.count, both.count)
        XCTAssertEqual(a.sum, both.sum)
        XCTAssertEqual(a.min, both.min)
        XCTAssertEqual(a.max, both.max)
        for p in [10.0, 50, 90, 99] { XCTAssertEqual(a.percentile(p), both.percentile(p)) }
    }

    func testSmallAndFullRangeTrendsMergeEitherWayWithoutLosingValues() {
        // Sub-2 ms values keep the small layout; one larger value moves a trend to the full range.
        var small = Trend(), full = Trend(), reference = Trend()
        for value in stride(from: UInt64(1), to: 2000, by: 3) { small.record(value); reference.record(value) }
        for value in [UInt64(2500), 40_000, 9_000_000, 1_500] { full.record(value); reference.record(value) }
        XCTAssertLessThanOrEqual(small.histogram.highestTrackableValue, 2047)
        XCTAssertEqual(full.histogram.highestTrackableValue, Trend.highestTrackableValue)
        var smallFirst = small, fullFirst = full
        smallFirst.merge(full)
        fullFirst.merge(small)
        for merged in [smallFirst, fullFirst] {
            XCTAssertEqual(merged.count, reference.count)
            XCTAssertEqual(merged.histogram.totalCount, reference.count, "every value is in the histogram")
            for p in [10.0, 50, 90, 99, 99.9] { XCTAssertEqual(merged.percentile(p), reference.percentile(p), "p(\(p))") }
        }
    }

    func testValuesAboveTheTrackableRangeAreCountedNotLost() {
        var trend = Trend()
        trend.record(Trend.highestTrackableValue * 2)
        XCTAssertEqual(trend.count, 1)
        XCTAssertEqual(trend.percentile(100), Double(Trend.highestTrackableValue * 2), "the exact maximum is kept")
    }
}
