internal import CZlib
import Foundation
import Histogram
import StampedeMetrics

/// HdrHistogram's standard compressed encoding (V2), as the Java, C, Go and Python
/// implementations read it: a big-endian header, the counts as ZigZag LEB128 with runs of
/// zeros folded into negative numbers, all DEFLATE-compressed behind a second header.
/// Base64 of it goes into summary.json, so any HdrHistogram tool can load a run's full
/// distribution.
enum HistogramEncoding {
    static let encodingCookie: UInt32 = 0x1c84_9303 | 0x10
    static let compressedEncodingCookie: UInt32 = 0x1c84_9304 | 0x10

    static func base64(_ histogram: Histogram<UInt64>) -> String {
        compressed(histogram).base64EncodedString()
    }

    static func compressed(_ histogram: Histogram<UInt64>) -> Data {
        let plain = uncompressed(histogram)
        var bound = compressBound(uLong(plain.count))
        var deflated = [UInt8](repeating: 0, count: Int(bound))
        let status = plain.withUnsafeBytes { source in
            compress2(&deflated, &bound, source.bindMemory(to: Bytef.self).baseAddress, uLong(plain.count), Z_DEFAULT_COMPRESSION)
        }
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        var out = Data()
        out.appendBigEndian(compressedEncodingCookie)
        out.appendBigEndian(UInt32(bound))
        out.append(contentsOf: deflated.prefix(Int(bound)))
        return out
    }

    static func uncompressed(_ histogram: Histogram<UInt64>) -> Data {
        var payload = Data()
        var zeros: Int64 = 0
        for entry in histogram.allValues() where histogram.totalCount > 0 {
            if entry.count == 0 {
                zeros += 1
                continue
            }
            // A run of zeros is one negative number; a single zero is written as is.
            if zeros > 0 { payload.appendZigZag(zeros == 1 ? 0 : -zeros) }
            zeros = 0
            payload.appendZigZag(Int64(entry.count))
            // Counts after the highest recorded value are left out, as the reference encoders do.
            if entry.totalCountToThisValue == histogram.totalCount { break }
        }
        var out = Data()
        out.appendBigEndian(encodingCookie)
        out.appendBigEndian(UInt32(payload.count))
        out.appendBigEndian(UInt32(0))  // normalizing index offset
        out.appendBigEndian(UInt32(histogram.numberOfSignificantValueDigits.rawValue))
        out.appendBigEndian(histogram.lowestDiscernibleValue)
        // The range every trend may grow to, not how far this one grew: readers size for it.
        out.appendBigEndian(Trend.highestTrackableValue)
        out.appendBigEndian(Double(1).bitPattern)  // integer-to-double conversion ratio
        out.append(payload)
        return out
    }
}

extension Data {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// ZigZag, then LEB128 in at most 9 bytes (the 9th carries 8 bits), as HdrHistogram writes counts.
    mutating func appendZigZag(_ value: Int64) {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if v < 0x80 {
                append(UInt8(v))
                return
            }
            append(UInt8(v & 0x7f | 0x80))
            v >>= 7
        }
        append(UInt8(truncatingIfNeeded: v))
    }
}
