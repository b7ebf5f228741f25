/// The values of every metric of a run over some span: one worker's last second, one second
/// of the whole run, or the whole run. Workers record into their own set with no lock; the
/// aggregator merges sets off the hot path.
public struct MetricSet: Sendable {
    public var trends: [Trend]
    public var counters: [UInt64]
    public var rates: [Rate]
    public var gauges: [Gauge]
    /// Failed requests by class, indexed by `ErrorClass.rawValue`.
    public var errors: [UInt64]
    /// Iterations cut short by the end of the test or an interrupt (k6's "interrupted").
    public var interruptedIterations: UInt64 = 0
    /// Each check's passes (true) and failures, indexed by `CheckDescriptor.slot`.
    public var checkResults: [Rate]
    /// The workers' queue sizes at the end of a second; nil in totals and in what remote
    /// workers send (they stay on the worker's machine).
    public var queues: WorkerQueues?
    /// Every sample of the span, when the run writes samples (`SampleSink`); nil in totals.
    public var samples: SampleLog?

    public init(registry: MetricRegistry) {
        trends = Array(repeating: Trend(), count: registry.trendCount)
        counters = Array(repeating: 0, count: registry.counterCount)
        rates = Array(repeating: Rate(), count: registry.rateCount)
        gauges = Array(repeating: Gauge(), count: registry.gaugeCount)
        errors = Array(repeating: 0, count: ErrorClass.allCases.count)
        checkResults = Array(repeating: Rate(), count: registry.checks.count)
    }

    @inline(__always) public mutating func record(_ id: TrendID, _ value: UInt64) { trends[id.slot].record(value) }
    @inline(__always) public mutating func add(_ id: CounterID, _ value: UInt64) { counters[id.slot] &+= value }
    @inline(__always) public mutating func record(_ id: RateID, _ value: Bool) { rates[id.slot].record(value) }
    @inline(__always) public mutating func set(_ id: GaugeID, _ value: Double) { gauges[id.slot].set(value) }
    @inline(__always) public mutating func count(_ error: ErrorClass) { errors[error.rawValue] &+= 1 }

    /// Records one check's outcome, in its own counts and in the `checks` rate.
    @inline(__always) public mutating func recordCheck(slot: Int, passed: Bool) {
        checkResults[slot].record(passed)
        rates[BuiltinMetrics.checks.slot].record(passed)
    }

    public subscript(id: TrendID) -> Trend { trends[id.slot] }
    public subscript(id: CounterID) -> UInt64 { counters[id.slot] }
    public subscript(id: RateID) -> Rate { rates[id.slot] }
    public subscript(id: GaugeID) -> Gauge { gauges[id.slot] }

    /// Adds another worker's set for the same span.
    public mutating func mergeConcurrent(_ other: MetricSet) {
        addCounts(other)
        Self.mergeConcurrent(&gauges, other.gauges)
        if let theirs = other.queues {
            queues = queues ?? WorkerQueues()
            queues!.add(theirs)
        }
        if let theirs = other.samples {
            if samples == nil { samples = SampleLog() }
            samples!.append(theirs)
        }
    }

    /// Appends the set of a later span: gauges take the later value.
    public mutating func append(_ later: MetricSet) {
        addCounts(later)
        for i in gauges.indices { gauges[i].follow(later.gauges[i]) }
    }

    /// Adds a setup's or a teardown's set: everything but the built-in gauges, since their VU
    /// is not one of the test's; a custom gauge it set is the later value.
    public mutating func absorb(_ other: MetricSet) {
        addCounts(other)
        for i in gauges.indices where !Self.addsUp(gauge: i) { gauges[i].follow(other.gauges[i]) }
    }

    /// Merges another worker's gauges for the same span, slot for slot: a built-in gauge (VUs)
    /// is each worker's share and adds up; a custom gauge is one value, the one set last.
    public static func mergeConcurrent(_ gauges: inout [Gauge], _ other: [Gauge]) {
        for i in gauges.indices {
            if addsUp(gauge: i) { gauges[i].addConcurrent(other[i]) } else { gauges[i].mergeLatest(other[i]) }
        }
    }

    /// The built-in gauges hold the first slots (`MetricRegistry.init`); custom ones follow.
    private static func addsUp(gauge slot: Int) -> Bool { slot < BuiltinMetrics.gauges.count }

    private mutating func addCounts(_ other: MetricSet) {
        for i in trends.indices { trends[i].merge(other.trends[i]) }
        for i in counters.indices { counters[i] &+= other.counters[i] }
        for i in rates.indices { rates[i].merge(other.rates[i]) }
        for i in errors.indices { errors[i] &+= other.errors[i] }
        for i in checkResults.indices { checkResults[i].merge(other.checkResults[i]) }
        interruptedIterations &+= other.interruptedIterations
    }
}
