import StampedeMetrics

/// Metric sets on the wire: slot for slot, trends as their histograms' non-empty buckets,
/// so the coordinator's merge is the same exact merge a local run makes.
extension Stampede_Distributed_V1_Metrics {
    init(_ set: MetricSet) {
        self.init()
        trends = set.trends.map(Stampede_Distributed_V1_TrendValue.init)
        counters = set.counters
        rates = set.rates.map(Stampede_Distributed_V1_RateValue.init)
        gauges = set.gauges.map(Stampede_Distributed_V1_GaugeValue.init)
        errors = set.errors
        interruptedIterations = set.interruptedIterations
        checks = set.checkResults.map(Stampede_Distributed_V1_RateValue.init)
    }

    /// The set this message carries, laid out as `registry` lays sets out; nil when the
    /// message does not fit that layout (another test, or a hostile peer).
    func metricSet(registry: MetricRegistry) -> MetricSet? {
        var set = MetricSet(registry: registry)
        guard trends.count == set.trends.count, counters.count == set.counters.count, rates.count == set.rates.count,
              gauges.count == set.gauges.count, errors.count == set.errors.count, checks.count == set.checkResults.count
        else { return nil }
        for (i, trend) in trends.enumerated() {
            guard let value = trend.trend else { return nil }
            set.trends[i] = value
        }
        set.counters = counters
        set.rates = rates.map(\.rate)
        set.gauges = gauges.map(\.gauge)
        set.errors = errors
        set.interruptedIterations = interruptedIterations
        set.checkResults = checks.map(\.rate)
        return set
    }
}

extension Stampede_Distributed_V1_TrendValue {
    init(_ trend: Trend) {
        self.init()
        guard trend.count > 0 else { return }
        (count, sum, min, max) = (trend.count, trend.sum, trend.min, trend.max)
        var previous: UInt64 = 0
        for bucket in trend.buckets {
            bucketValueDeltas.append(bucket.value - previous)
            bucketCounts.append(bucket.count)
            previous = bucket.value
        }
    }

    /// Nil when the buckets do not add up to the count, or values overflow.
    var trend: Trend? {
        guard bucketValueDeltas.count == bucketCounts.count else { return nil }
        var buckets: [(value: UInt64, count: UInt64)] = []
        buckets.reserveCapacity(bucketCounts.count)
        var value: UInt64 = 0
        var total: UInt64 = 0
        for (delta, count) in zip(bucketValueDeltas, bucketCounts) {
            let (next, overflow) = value.addingReportingOverflow(delta)
            let (sum, countOverflow) = total.addingReportingOverflow(count)
            guard !overflow, !countOverflow, next <= Trend.highestTrackableValue else { return nil }
            (value, total) = (next, sum)
            buckets.append((value, count))
        }
        guard total == count, count == 0 || min <= max else { return nil }
        return Trend(count: count, sum: sum, min: min, max: max, buckets: buckets)
    }
}

extension Stampede_Distributed_V1_RateValue {
    init(_ rate: Rate) {
        self.init()
        (trues, total) = (rate.trues, rate.total)
    }

    var rate: Rate { Rate(trues: trues, total: total) }
}

extension Stampede_Distributed_V1_GaugeValue {
    init(_ gauge: Gauge) {
        self.init()
        guard gauge.isSet else { return }
        (isSet, value, min, max, setAtNanos) = (true, gauge.value, gauge.min, gauge.max, gauge.setAt)
    }

    var gauge: Gauge { Gauge(value: value, min: min, max: max, isSet: isSet, setAt: setAtNanos) }
}
