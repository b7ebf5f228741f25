/// Every measurement of a span, one by one, for outputs that write each sample (k6's
/// `--out json` and `--out csv`). Kept only when a run has such an output: a worker appends
/// plain values to arrays that keep their capacity from one second to the next, and the
/// sample's tags are a number into `MetricRegistry.tagSets`, resolved when written.
public struct SampleLog: Sendable {
    public var requests: [RequestSample] = []
    public var iterations: [IterationSample] = []
    public var checks: [TaggedSample] = []
    public var groups: [TaggedSample] = []
    public var custom: [CustomSample] = []

    public init() {}

    /// An empty log with room for as many samples as `previous` held.
    public init(sizedLike previous: SampleLog?) {
        guard let previous else { return }
        requests.reserveCapacity(previous.requests.count)
        iterations.reserveCapacity(previous.iterations.count)
        checks.reserveCapacity(previous.checks.count)
        groups.reserveCapacity(previous.groups.count)
        custom.reserveCapacity(previous.custom.count)
    }

    public var isEmpty: Bool {
        requests.isEmpty && iterations.isEmpty && checks.isEmpty && groups.isEmpty && custom.isEmpty
    }

    /// Adds another worker's samples of the same span.
    public mutating func append(_ other: SampleLog) {
        requests += other.requests
        iterations += other.iterations
        checks += other.checks
        groups += other.groups
        custom += other.custom
    }
}

/// One request: k6's `http_req*`, `http_reqs` and `http_req_failed` samples.
public struct RequestSample: Sendable {
    /// When the response ended, in Unix nanoseconds.
    public var time: UInt64
    /// Its static tags (scenario, group, method, url, name): `MetricRegistry.tagSets[tags]`.
    public var tags: Int32
    public var status: Int32
    /// k6's `proto` tag (`HTTP/1.1`): a literal, so keeping it allocates nothing.
    public var proto: String
    public var expected: Bool
    /// Why it failed, when it did (k6's `error_code` tag).
    public var error: ErrorClass?
    /// Microseconds.
    public var duration, blocked, connecting, tls, sending, waiting, receiving: UInt64
    /// Hops of a followed redirect count as requests of their own.
    public var requests: UInt32

    public init(time: UInt64, tags: Int32, status: Int32, proto: String, expected: Bool, error: ErrorClass?,
                duration: UInt64, blocked: UInt64, connecting: UInt64, tls: UInt64, sending: UInt64, waiting: UInt64,
                receiving: UInt64, requests: UInt32) {
        (self.time, self.tags, self.status, self.proto, self.expected, self.error) = (time, tags, status, proto, expected, error)
        (self.duration, self.blocked, self.connecting, self.tls) = (duration, blocked, connecting, tls)
        (self.sending, self.waiting, self.receiving, self.requests) = (sending, waiting, receiving, requests)
    }
}

/// One iteration: `iterations`, `iteration_duration`, and (as k6) the bytes its requests
/// sent and received, `data_sent` and `data_received`.
public struct IterationSample: Sendable {
    public var time: UInt64
    public var tags: Int32
    /// Microseconds.
    public var duration: UInt64
    public var sent: UInt64
    public var received: UInt64

    public init(time: UInt64, tags: Int32, duration: UInt64, sent: UInt64, received: UInt64) {
        (self.time, self.tags, self.duration, self.sent, self.received) = (time, tags, duration, sent, received)
    }
}

/// A check's outcome (value 1 or 0, tagged with the check's name) or a group's duration in
/// microseconds (`group_duration`).
public struct TaggedSample: Sendable {
    public var time: UInt64
    public var tags: Int32
    public var value: UInt64

    public init(time: UInt64, tags: Int32, value: UInt64) {
        (self.time, self.tags, self.value) = (time, tags, value)
    }
}

/// A value a test's code recorded into one of its own metrics.
public struct CustomSample: Sendable {
    public var time: UInt64
    public var tags: Int32
    /// The metric's index in `MetricRegistry.metrics`.
    public var metric: Int32
    /// In the metric's unit: milliseconds for a time trend, 1 or 0 for a rate.
    public var value: Double

    public init(time: UInt64, tags: Int32, metric: Int32, value: Double) {
        (self.time, self.tags, self.metric, self.value) = (time, tags, metric, value)
    }
}

/// Takes a run's samples as they are merged, second by second, in order (setup's, the
/// load's, teardown's). Called on the run's driving thread, never on a worker's.
public protocol SampleSink: AnyObject, Sendable {
    /// Before a run's first sample: its metrics and tag sets, and the thresholds (as written)
    /// of each metric by name.
    func begin(registry: MetricRegistry, thresholds: [String: [String]])
    /// One merged span: its samples, and the gauges (`vus`, `vus_max`) at its end.
    func write(_ span: MetricSet, endingAt unixNanos: UInt64)
}
