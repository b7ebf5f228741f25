import CZlib
import Foundation

/// Reads HdrHistogram's compressed V2 encoding (summary.json's `hdrHistogram` strings) back
/// as the reference implementations lay it out, for 3 significant digits and a lowest value
/// of 1: tests compare distributions without Stampede's own decoding.
enum HDRDecoding {
    struct Malformed: Error {}

    /// value → count of an encoded histogram, each bucket keyed by its lowest value.
    static func buckets(base64: String) throws -> [UInt64: UInt64] {
        guard let encoded = Data(base64Encoded: base64), encoded.count > 8, readBigEndian(encoded, 0, as: UInt32.self) == 0x1c84_9314,
              let data = inflate(encoded), readBigEndian(data, 0, as: UInt32.self) == 0x1c84_9313,
              readBigEndian(data, 12, as: UInt32.self) == 3
        else { throw Malformed() }
        var counts: [UInt64: UInt64] = [:]
        for (index, count) in payloadCounts(data) { counts[valueAt(index: index), default: 0] += UInt64(count) }
        return counts
    }

    /// Decompresses an encoded histogram to its V2 payload.
    static func inflate(_ encoded: Data) -> Data? {
        var plain = [UInt8](repeating: 0, count: 1 << 22)
        var plainLength = uLong(plain.count)
        let deflated = [UInt8](encoded.dropFirst(8))
        guard uncompress(&plain, &plainLength, deflated, uLong(deflated.count)) == Z_OK else { return nil }
        return Data(plain.prefix(Int(plainLength)))
    }

    /// The counts of a decompressed V2 payload by bucket index: the ZigZag LEB128 words,
    /// negative ones a run of empty buckets.
    static func payloadCounts(_ data: Data) -> [Int: Int64] {
        var index = 0, position = 40, counts: [Int: Int64] = [:]
        while position < data.count {
            var raw: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = UInt64(data[position])
                position += 1
                if shift == 56 {
                    raw |= byte << 56
                    break
                }
                raw |= (byte & 0x7f) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            let value = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
            if value < 0 {
                index += Int(-value)
            } else {
                if value > 0 { counts[index] = value }
                index += 1
            }
        }
        return counts
    }

    /// The lowest value of bucket `index` in HdrHistogram's layout: 2,048 sub-buckets, the
    /// upper half of each bucket after the first, each bucket doubling the unit.
    static func valueAt(index: Int) -> UInt64 {
        var bucket = (index >> 10) - 1
        var subBucket = (index & 1023) + 1024
        if bucket < 0 {
            subBucket -= 1024
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    /// The value at percentile `p` as HdrHistogram's Java and Swift libraries compute it: the
    /// highest equivalent value of the bucket where the running count reaches p% (rounded up).
    static func percentile(_ p: Double, of counts: [UInt64: UInt64]) -> Double {
        let total = counts.values.reduce(0, +)
        let wanted = max(1, UInt64((p / 100 * Double(total)).rounded(.up)))
        var running: UInt64 = 0
        for value in counts.keys.sorted() {
            running += counts[value]!
            if running >= wanted {
                // Bucket width: 1 below 2,048, doubling with each power of two above it.
                return Double(value + (UInt64(1) << UInt64(max(0, 64 - value.leadingZeroBitCount - 11))) - 1)
            }
        }
        return 0
    }

    static func readBigEndian<T: FixedWidthInteger>(_ data: Data, _ offset: Int, as: T.Type) -> T {
        data.subdata(in: offset..<offset + MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T($1) }
    }
}
