/// A metric a test declares and records itself, as k6's custom metrics: a business figure
/// (orders created, basket value) or a time the flow measures. Declared in
/// `TestPlan(metrics:)` (or a plan file's `metrics:`), recorded from `Code` steps through
/// `VUContext`, reported, exported and judged by thresholds like a built-in metric.
///
/// ```swift
/// let ordersCreated = CounterMetric("orders_created")
/// let checkoutTime = TrendMetric("checkout_time", isTime: true)
/// ```
public protocol CustomMetric: Sendable {
    var declaration: MetricDeclaration { get }
}

/// A custom metric's name and kind: what a test declares, and what each recorded value names.
public struct MetricDeclaration: CustomMetric, Hashable {
    /// k6's four kinds of metric.
    public enum Kind: String, Sendable, CaseIterable {
        /// Adds up whole numbers: `count` and `rate` (per second).
        case counter
        /// Holds the last value set, and the smallest and largest: `value`, `min`, `max`.
        case gauge
        /// The share of true values: `rate`.
        case rate
        /// Every value in an HDR histogram: `avg`, `min`, `med`, `max`, `p(N)`.
        case trend
    }

    /// k6's rule: up to 128 ASCII letters, digits and underscores, not starting with a digit.
    public let name: String
    public let kind: Kind
    /// A trend of times (k6's `new Trend(name, true)`): values are milliseconds, printed as
    /// durations and exported in seconds.
    public let isTime: Bool

    public init(_ name: String, _ kind: Kind, isTime: Bool = false) {
        self.name = name
        self.kind = kind
        self.isTime = isTime
    }

    public var declaration: MetricDeclaration { self }

    /// Checks the name and that only a trend holds times.
    public func validate() throws(PlanError) {
        guard (1...128).contains(name.count), name.first?.isNumber == false,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PlanError("metric name '\(name)' must be 1 to 128 letters, digits or '_', not starting with a digit")
        }
        guard !isTime || kind == .trend else { throw PlanError("metric '\(name)': only a trend holds times, not a \(kind.rawValue)") }
    }

    /// A value of this metric written as text, as a plan file's `record` step gives it: a
    /// whole number for a counter; a number for a gauge or a trend (or a duration such as
    /// `120ms` for a time trend); `true`, `false` or a number (non-zero is true, as in k6)
    /// for a rate. Nil when the text is none of these.
    func value(parsing text: String) -> MetricSample.Value? {
        let value: MetricSample.Value? = switch kind {
        case .counter: UInt64(text).map(MetricSample.Value.counter)
        case .gauge: Double(text).map(MetricSample.Value.gauge)
        case .rate: text == "true" ? .rate(true) : text == "false" ? .rate(false) : Double(text).map { .rate($0 != 0) }
        case .trend:
            (Double(text) ?? (isTime ? Duration(parsing: text).map { Double($0.nanoseconds) / 1e6 } : nil)).map(MetricSample.Value.trend)
        }
        return value.flatMap { $0.isRecordable ? $0 : nil }
    }

    /// What `value(parsing:)` takes, for error messages.
    var valueDescription: String {
        switch kind {
        case .counter: "a whole number, 0 or more"
        case .gauge: "a number"
        case .rate: "true, false or a number"
        case .trend: isTime ? "milliseconds or a duration such as 120ms, 0 or more" : "a number, 0 or more"
        }
    }
}

/// A custom counter (k6's `Counter`): `ctx.add(1, to: ordersCreated)`.
public struct CounterMetric: CustomMetric {
    public let declaration: MetricDeclaration
    public init(_ name: String) { declaration = MetricDeclaration(name, .counter) }
}

/// A custom gauge (k6's `Gauge`): `ctx.set(cartSize, to: 3)`. Across workers it is one
/// value, the one set last.
public struct GaugeMetric: CustomMetric {
    public let declaration: MetricDeclaration
    public init(_ name: String) { declaration = MetricDeclaration(name, .gauge) }
}

/// A custom rate (k6's `Rate`): `ctx.record(true, in: paymentCaptured)`.
public struct RateMetric: CustomMetric {
    public let declaration: MetricDeclaration
    public init(_ name: String) { declaration = MetricDeclaration(name, .rate) }
}

/// A custom trend (k6's `Trend`): `ctx.record(elapsed, in: checkoutTime)`. With `isTime`,
/// values are times (milliseconds, or a `Duration`), as k6's `new Trend(name, true)`.
public struct TrendMetric: CustomMetric {
    public let declaration: MetricDeclaration
    public init(_ name: String, isTime: Bool = false) { declaration = MetricDeclaration(name, .trend, isTime: isTime) }
}

/// One value a code step recorded. The step's worker adds it to its own metrics when the
/// step returns, so recording takes no lock.
package struct MetricSample: Sendable, Equatable {
    /// A value of each kind of metric.
    package enum Value: Sendable, Equatable {
        /// Added to a counter.
        case counter(UInt64)
        /// Set on a gauge.
        case gauge(Double)
        case rate(Bool)
        /// Recorded in a trend: milliseconds for a time trend.
        case trend(Double)

        /// False for what a metric cannot hold: a gauge or trend value that is not a finite
        /// number, a negative trend value (its histogram starts at 0).
        var isRecordable: Bool {
            switch self {
            case .counter, .rate: true
            case .gauge(let value): value.isFinite
            case .trend(let value): value.isFinite && value >= 0
            }
        }
    }

    package let metric: MetricDeclaration
    package let value: Value
}

extension VUContext {
    /// Adds `amount` to a custom counter.
    public mutating func add(_ amount: UInt64, to counter: CounterMetric) {
        record(.counter(amount), in: counter.declaration)
    }

    /// Sets a custom gauge; a value that is not finite is not recorded.
    public mutating func set(_ gauge: GaugeMetric, to value: Double) {
        record(.gauge(value), in: gauge.declaration)
    }

    /// Records one outcome in a custom rate.
    public mutating func record(_ value: Bool, in rate: RateMetric) {
        record(.rate(value), in: rate.declaration)
    }

    /// Records a value in a custom trend: milliseconds for a time trend. A negative or
    /// non-finite value is not recorded.
    public mutating func record(_ value: Double, in trend: TrendMetric) {
        record(.trend(value), in: trend.declaration)
    }

    /// Records a duration in a custom trend, as milliseconds.
    public mutating func record(_ value: Duration, in trend: TrendMetric) {
        record(.trend(Double(value.nanoseconds) / 1e6), in: trend.declaration)
    }

    /// Records `value` in `metric` unless the metric cannot hold it.
    mutating func record(_ value: MetricSample.Value, in metric: MetricDeclaration) {
        guard value.isRecordable else { return }
        samples.append(MetricSample(metric: metric, value: value))
    }
}

extension VUContext {
    /// Starts a stopwatch for a time the flow measures across steps (a checkout from its
    /// first request to its payment): the VU variable `name` takes the clock's reading, which
    /// `elapsed(since:)` reads in a later step of the same VU.
    public mutating func startTimer(_ name: String) {
        vars[name] = String((ContinuousClock.now - Self.clockOrigin).nanoseconds)
    }

    /// The time since `startTimer(name)` on this VU; nil when it was not started.
    public func elapsed(since name: String) -> Duration? {
        guard let started = vars[name].flatMap({ Int64($0) }) else { return nil }
        return ContinuousClock.now - Self.clockOrigin - .nanoseconds(started)
    }

    /// What timers count from: a monotonic clock's reading as this process first used one.
    private static let clockOrigin = ContinuousClock.now
}
