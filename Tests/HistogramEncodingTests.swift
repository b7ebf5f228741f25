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

        var plain = [UInt8](repeating: 0, count: 1 << 20)
        var plainLength = uLong(plain.count)
        let deflated = [UInt8](encoded.dropFirst(8))
        XCTAssertEqual(uncompress(&plain, &plainLength, deflated, uLong(deflated.count)), Z_OK)
        let data = Data(plain.prefix(Int(plainLength)))
        XCTAssertEqual(readBigEndian(data, 0, as: UInt32.self), 0x1c84_9313)
        let payloadLength = Int(readBigEndian(data, 4, as: UInt32.self))
        XCTAssertEqual(readBigEndian(data, 12, as: UInt32.self), 3, "significant digits")
        XCTAssertEqual(readBigEndian(data, 24, as: UInt64.self), Trend.highestTrackableValue)
        XCTAssertEqual(data.count, 40 + payloadLength)

        // Walk the ZigZag LEB128 payload: the counts must add up, and land on the values recorded.
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
        XCTAssertEqual(counts.values.reduce(0, +), 8)
        XCTAssertEqual(counts.values.sorted(), [1, 1, 1, 2, 3])
    }
}
