import CZlib
import Foundation
import Histogram
import StampedeMetrics
@testable import StampedeReports
import XCTest

/// HdrHistogram's compressed V2 encoding, decoded here as the reference implementations do.
final class HistogramEncodingTests: XCTestCase {
    private func readBigEndian<T: FixedWidthInteger>(_ data: Data, _ offset: Int, as: T.Type) -> T {
        data.subdata(in: offset..<offset + MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T($1) }
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

        let counts = Self.payloadCounts(data)
        XCTAssertEqual(counts.values.reduce(0, +), 8)
        XCTAssertEqual(counts.values.sorted(), [1, 1, 1, 2, 3])
    }

    /// The counts of a decompressed V2 payload by bucket index: the ZigZag LEB128 words,
    /// negative ones a run of empty buckets.
    static func payloadCounts(_ data: Data) -> [Int: Int64] {
        var index = 0, position = 40, counts: [Int: Int64] = [:]
        while position < data.count {
            var raw: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = UInt64(data[position]); position += 1
                if shift == 56 { raw |= byte << 56; break }
                raw |= (byte & 0x7f) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            let value = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
            if value < 0 { index += Int(-value) } else { if value > 0 { counts[index] = value }; index += 1 }
        }
        return counts
    }

    /// Decompresses an encoded histogram to its V2 payload.
    private func inflate(_ encoded: Data) -> Data {
        var plain = [UInt8](repeating: 0, count: 1 << 22)
        var plainLength = uLong(plain.count)
        let deflated = [UInt8](encoded.dropFirst(8))
        XCTAssertEqual(uncompress(&plain, &plainLength, deflated, uLong(deflated.count)), Z_OK)
        return Data(plain.prefix(Int(plainLength)))
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
        let decoded = Self.payloadCounts(inflate(HistogramEncoding.compressed(trend.histogram)))
        var byValue: [UInt64: Int64] = [:]
        let halfCountMagnitude = 10, halfCount = 1 << halfCountMagnitude
        for (index, count) in decoded {
            var bucket = (index >> halfCountMagnitude) - 1
            var subBucket = (index & (halfCount - 1)) + halfCount
            if bucket < 0 { subBucket -= halfCount; bucket = 0 }
            byValue[UInt64(subBucket) << bucket, default: 0] += count
        }
        XCTAssertEqual(byValue.values.reduce(0, +), 5_000, generator.replay)
        XCTAssertEqual(byValue, expected, generator.replay)
    }
}
