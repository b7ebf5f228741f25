/// How one threshold came out: what was measured against what was asked.
public struct ThresholdVerdict: Sendable, Equatable {
    /// The metric as k6 spells it: `http_req_duration{scenario:checkout}`.
    public let metric: String
    /// The expression as written: `p(95)<500`.
    public let expression: String
    public let passed: Bool
    /// The statistic measured, in the expression's unit (milliseconds for times).
    public let observed: Double
    public let abortOnFail: Bool

    public init(metric: String, expression: String, passed: Bool, observed: Double, abortOnFail: Bool) {
        self.metric = metric
        self.expression = expression
        self.passed = passed
        self.observed = observed
        self.abortOnFail = abortOnFail
    }
}
