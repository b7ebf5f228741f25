/// A gauge metric (k6's `Gauge`): the last value set, with the smallest and largest seen.
public struct Gauge: Sendable, Equatable {
    public private(set) var value: Double = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity
    public private(set) var isSet = false
    /// When `value` was set, in nanoseconds since the load started: what orders two workers'
    /// values of one custom gauge (`mergeLatest`). 0 for the built-in gauges, which add up.
    public private(set) var setAt: UInt64 = 0

    public init() {}

    /// A gauge rebuilt from its parts (another process's); unset when `isSet` is false.
    public init(value: Double, min: Double, max: Double, isSet: Bool, setAt: UInt64 = 0) {
        guard isSet else { return }
        (self.value, self.min, self.max, self.isSet, self.setAt) = (value, min, max, true, setAt)
    }

    public mutating func set(_ newValue: Double, at time: UInt64 = 0) {
        value = newValue
        min = Swift.min(min, newValue)
        max = Swift.max(max, newValue)
        isSet = true
        setAt = time
    }

    /// Two workers' gauges for the same interval add up (VUs on worker 1 plus VUs on worker 2).
    public mutating func addConcurrent(_ other: Gauge) {
        guard other.isSet else { return }
        guard isSet else { return self = other }
        value += other.value
        min += other.min
        max += other.max
    }

    /// Two workers' values of a custom gauge for the same interval: a custom gauge is one
    /// value, so the one set last wins; min and max widen.
    public mutating func mergeLatest(_ other: Gauge) {
        guard other.isSet else { return }
        guard isSet else { return self = other }
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if other.setAt >= setAt { (value, setAt) = (other.value, other.setAt) }
    }

    /// A later interval's gauge follows an earlier one: its value wins, min and max widen.
    public mutating func follow(_ later: Gauge) {
        guard later.isSet else { return }
        min = Swift.min(min, later.min)
        max = Swift.max(max, later.max)
        value = later.value
        setAt = later.setAt
        isSet = true
    }
}
