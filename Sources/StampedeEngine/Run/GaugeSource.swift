/// Values from outside the load (the system under test's own metrics, scraped), taken into
/// each second of the run as the gauges they name, so the timeline, the summary, reports and
/// thresholds see them as they see the test's own gauges. Asked on the run's driving thread.
public protocol GaugeSource: Sendable {
    /// The latest value of each gauge measured within the second that ends at `unixNanos`,
    /// by metric name; a gauge with no fresh value is left out, and its second is a gap.
    func values(endingAt unixNanos: UInt64) -> [(metric: String, value: Double)]
}
