import Histogram

/// A trend metric (k6's `Trend`): every value lands in an HDR histogram, so percentiles of
/// any number of samples cost a fixed amount of memory. Values are whole thousandths of the
/// metric's unit (`scale`): microseconds for times, whose unit is k6's millisecond, and
/// thousandths for a custom trend of plain numbers. Count, sum, min and max are kept
/// exactly beside it.
public struct Trend: Sendable {
    /// Recorded values per unit of the metric: 1,000 µs to the millisecond, 1,000 steps to a
    /// plain number, so a plain trend keeps three decimals as a time trend keeps microseconds.
    public static let scale: Double = 1000

    /// The largest value a trend keeps exactly: one hour in microseconds (3,600,000 for a
    /// plain trend). Larger ones are recorded as this value (and still counted).
    public static let highestTrackableValue: UInt64 = 3_600_000_000

    public private(set) var histogram: Histogram<UInt64>
    public private(set) var count: UInt64 = 0
    public private(set) var sum: UInt64 = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0

    /// The values the first, small layout holds (2,048 counts at three significant digits).
    /// A trend's histogram covers this, or the full range, or (rebuilt from its parts) just up
    /// to its largest value; the first larger value grows it to the full range.
    static let smallRange: UInt64 = 2047

    public init() {
        // Sub-2 ms values fit a small layout; the first larger value moves the trend to the
        // full range in one step (`growToFullRange`). Fast runs stay small (start-up, merges),
        // and recording never resizes bucket by bucket, which costs hdrhistogram-swift a
        // generic append per count.
        histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: Trend.smallRange, numberOfSignificantValueDigits: .three)
    }

    /// A trend rebuilt from its parts (another process's, sent over the wire): `buckets` are
    /// the histogram's non-empty buckets, each as a value in it and its count.
    public init(count: UInt64, sum: UInt64, min: UInt64, max: UInt64, buckets: [(value: UInt64, count: UInt64)]) {
        // Sized to its largest value, not the full hour: a coordinator builds one per trend
        // per worker per second only to merge it, and zeroing 188 KB each time dominated.
        let largest = Swift.min(buckets.last?.value ?? 0, Trend.highestTrackableValue)
        histogram = Histogram(
            lowestDiscernibleValue: 1, highestTrackableValue: Swift.max(Trend.smallRange, largest), numberOfSignificantValueDigits: .three)
        for bucket in buckets {
            histogram.record(Swift.min(bucket.value, largest), count: bucket.count)
        }
        self.count = count
        self.sum = sum
        self.min = count == 0 ? .max : min
        self.max = max
    }

    /// The histogram's non-empty buckets, lowest first: each as its highest equivalent value
    /// and its count. `init(count:sum:min:max:buckets:)` takes them back without loss.
    public var buckets: [(value: UInt64, count: UInt64)] {
        histogram.recordedValues().map { ($0.value, $0.count) }
    }

    @inline(__always)
    public mutating func record(_ value: UInt64) {
        let clamped = Swift.min(value, Trend.highestTrackableValue)
        if clamped > histogram.highestTrackableValue { growToFullRange() }
        histogram.record(clamped)
        count &+= 1
        sum &+= value
        if value < min { min = value }
        if value > max { max = value }
    }

    /// Records a finite value in the metric's unit (milliseconds for times), as a custom
    /// metric's code gives it: in thousandths, within 0…`highestTrackableValue`.
    public mutating func record(inUnit value: Double) {
        record(UInt64(Swift.min(Swift.max(value * Trend.scale, 0), Double(Trend.highestTrackableValue)).rounded()))
    }

    public mutating func merge(_ other: Trend) {
        guard other.count > 0 else { return }
        if other.histogram.highestTrackableValue > histogram.highestTrackableValue { growToFullRange() }
        histogram.add(other.histogram)
        count &+= other.count
        sum &+= other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    private mutating func growToFullRange() {
        var full = Histogram<UInt64>(highestTrackableValue: Trend.highestTrackableValue, numberOfSignificantValueDigits: .three)
        full.add(histogram)
        histogram = full
    }

    /// The exact mean, 0 when empty.
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The value at percentile `p` (0...100) from the histogram, within its 3 significant
    /// digits; `p(0)` and `p(100)` are the exact min and max.
    public func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        if p <= 0 { return Double(min) }
        if p >= 100 { return Double(max) }
        return Double(Swift.min(Swift.max(histogram.valueAtPercentile(p), min), max))
    }
}
