import Foundation
import Histogram
import StampedeMetrics
@testable import StampedeReports
import XCTest

/// HdrHistogram's compressed V2 encoding, decoded here as the reference implementations do.
final class HistogramEncodingTests: XCTestCase {
    private func readBigEndian<T: FixedWidthInteger>(_ data: Data, _ offset: Int, as type: T.Type) -> T {
        HDRDecoding.readBigEndian(data, offset, as: type)
    }

    func testEncodedCountsDecodeToTheSameDistribution() throws {
        var trend = Trend()
        for value in [1, 1, 2, 500, 500, 500, 10_000, 3_000_000] as [UInt64] { trend.record(value) }
        let encoded = HistogramEncoding.compressed(trend.histogram)
        XCTAssertEqual(readBigEndian(encoded, 0, as: UInt32.self), 0x1c84_9314)
        let compressedLength = Int(readBigEndian(encoded, 4, as: UInt32.self))
        XCTAssertEqual(encoded.count, 8 + compressedLength)

        let data = inflate(encoded)
        XCTAssertEqual(readBigEndian(data, 0, as: UInt32.self), 0x1c84_9313)
        let payloadLength = Int(readBigEndian(data, 4, as: UInt32.self))
        XCTAssertEqual(readBigEndian(data, 12, as: UInt32.self), 3, "significant digits")
        XCTAssertEqual(readBigEndian(data, 24, as: UInt64.self), Trend.highestTrackableValue)
        XCTAssertEqual(data.count, 40 + payloadLength)

        let counts = HDRDecoding.payloadCounts(data)
        XCTAssertEqual(counts.values.reduce(0, +), 8)
        XCTAssertEqual(counts.values.sorted(), [1, 1, 1, 2, 3])
    }

    private func inflate(_ encoded: Data) -> Data {
        let data = HDRDecoding.inflate(encoded)
        XCTAssertNotNil(data, "inflates")
        return data ?? Data()
    }

    /// Random values over the whole 1 µs – 1 h range, seeded: each bucket index of the
    /// payload, mapped to its value by HdrHistogram's layout (3 significant digits: 2048
    /// sub-buckets, unit 1), holds exactly the values recorded in that bucket.
    func testRandomValuesLandInTheBucketsHdrHistogramsLayoutGivesThem() {
        var generator = SeededRandom()
        var trend = Trend()
        var expected: [UInt64: Int64] = [:]
        for _ in 0..<5_000 {
            // Log-uniform, so every magnitude gets values.
            let value = UInt64(exp(Double.random(in: 0..<log(3_600_000_000.0), using: &generator)))
            trend.record(value)
            let significant = 64 - value.leadingZeroBitCount
            let shift = max(0, significant - 11)
            expected[(value >> shift) << shift, default: 0] += 1
        }
        let decoded = HDRDecoding.payloadCounts(inflate(HistogramEncoding.compressed(trend.histogram)))
        var byValue: [UInt64: Int64] = [:]
        for (index, count) in decoded { byValue[HDRDecoding.valueAt(index: index), default: 0] += count }
        XCTAssertEqual(byValue.values.reduce(0, +), 5_000, generator.replay)
        XCTAssertEqual(byValue, expected, generator.replay)
    }
}
