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

    /// What a worker sends and a coordinator rebuilds: the same distribution, merged into any
    /// other trend exactly as the original would be.
    func testATrendRebuiltFromItsBucketsMergesAsTheOriginal() {
        var generator = SeededRandom()
        var original = Trend(), other = Trend()
        for _ in 0..<20_000 { original.record(UInt64(exp(Double.random(in: 0..<log(50_000_000.0), using: &generator)))) }
        for _ in 0..<1_000 { other.record(UInt64.random(in: 1...500, using: &generator)) }
        let rebuilt = Trend(count: original.count, sum: original.sum, min: original.min, max: original.max, buckets: original.buckets)
        XCTAssertEqual(rebuilt.buckets.map(\.value), original.buckets.map(\.value), generator.replay)
        XCTAssertEqual(rebuilt.buckets.map(\.count), original.buckets.map(\.count), generator.replay)
        var viaOriginal = other, viaRebuilt = other
        viaOriginal.merge(original)
        viaRebuilt.merge(rebuilt)
        for p in [0.0, 50, 90, 99, 99.9, 100] {
            XCTAssertEqual(viaRebuilt.percentile(p), viaOriginal.percentile(p), "p(\(p)) \(generator.replay)")
        }
        XCTAssertEqual(viaRebuilt.count, 21_000)
        XCTAssertEqual(viaRebuilt.sum, viaOriginal.sum)
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
