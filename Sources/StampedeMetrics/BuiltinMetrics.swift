/// k6's built-in metrics, at fixed slots so the engine records them by index.
/// The order of each list is the order of the slots `MetricRegistry.init()` assigns.
public enum BuiltinMetrics {
    static let trends = [
        "http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking",
        "http_req_sending", "http_req_waiting", "http_req_receiving", "iteration_duration", "group_duration",
        "http_req_latency",
    ]
    static let counters: [(String, ValueType)] = [
        ("http_reqs", .default), ("iterations", .default), ("data_sent", .data), ("data_received", .data),
        ("dropped_iterations", .default),
    ]
    static let rates = ["http_req_failed", "checks"]
    static let gauges = ["vus", "vus_max"]

    public static let httpReqDuration = TrendID(slot: 0)
    public static let httpReqBlocked = TrendID(slot: 1)
    public static let httpReqConnecting = TrendID(slot: 2)
    public static let httpReqTLSHandshaking = TrendID(slot: 3)
    public static let httpReqSending = TrendID(slot: 4)
    public static let httpReqWaiting = TrendID(slot: 5)
    public static let httpReqReceiving = TrendID(slot: 6)
    public static let iterationDuration = TrendID(slot: 7)
    public static let groupDuration = TrendID(slot: 8)
    /// From when a request was due to its response: for arrival-rate executors the first
    /// request of an iteration is due when the iteration was, however late it started
    /// (coordinated omission corrected); otherwise a request is due when its VU sends it.
    public static let httpReqLatency = TrendID(slot: 9)
    /// `http_req_duration{expected_response:true}`, which k6 always reports.
    public static let httpReqDurationExpected = TrendID(slot: 10)

    public static let httpReqs = CounterID(slot: 0)
    public static let iterations = CounterID(slot: 1)
    public static let dataSent = CounterID(slot: 2)
    public static let dataReceived = CounterID(slot: 3)
    public static let droppedIterations = CounterID(slot: 4)

    public static let httpReqFailed = RateID(slot: 0)
    /// Passed checks among all checks run.
    public static let checks = RateID(slot: 1)

    public static let vus = GaugeID(slot: 0)
    public static let vusMax = GaugeID(slot: 1)
}
