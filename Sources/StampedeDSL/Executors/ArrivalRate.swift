/// k6's `constant-arrival-rate`: `rate` iterations start every `timeUnit` for `duration`,
/// whether or not earlier ones have finished (an open model). Iterations run on
/// `preAllocatedVUs`, more are allocated up to `maxVUs`, and an iteration that finds no free
/// VU is counted in `dropped_iterations`.
public struct ConstantArrivalRate: Sendable, Equatable {
    public var rate: Int
    public var timeUnit: Duration
    public var duration: Duration
    public var preAllocatedVUs: Int
    public var maxVUs: Int
    public var gracefulStop: Duration

    public init(
        rate: Int, timeUnit: Duration = .seconds(1), duration: Duration, preAllocatedVUs: Int, maxVUs: Int? = nil,
        gracefulStop: Duration = .seconds(30)
    ) {
        self.rate = rate
        self.timeUnit = timeUnit
        self.duration = duration
        self.preAllocatedVUs = preAllocatedVUs
        self.maxVUs = maxVUs ?? preAllocatedVUs
        self.gracefulStop = gracefulStop
    }
}

/// k6's `ramping-arrival-rate`: like constant-arrival-rate, with the rate following `stages`
/// from `startRate`.
public struct RampingArrivalRate: Sendable, Equatable {
    public var startRate: Int
    public var timeUnit: Duration
    public var stages: [Stage]
    public var preAllocatedVUs: Int
    public var maxVUs: Int
    public var gracefulStop: Duration

    public init(
        startRate: Int = 0, timeUnit: Duration = .seconds(1), stages: [Stage], preAllocatedVUs: Int, maxVUs: Int? = nil,
        gracefulStop: Duration = .seconds(30)
    ) {
        self.startRate = startRate
        self.timeUnit = timeUnit
        self.stages = stages
        self.preAllocatedVUs = preAllocatedVUs
        self.maxVUs = maxVUs ?? preAllocatedVUs
        self.gracefulStop = gracefulStop
    }

    /// The sum of the stages' durations.
    public var duration: Duration { stages.reduce(.zero) { $0 + $1.duration } }
}
