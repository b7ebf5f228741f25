/// One step of a ramp: reach `target` (VUs, or iterations per time unit) over `duration`,
/// linearly from where the previous stage ended.
public struct Stage: Sendable, Equatable {
    public var duration: Duration
    public var target: Int

    public init(_ duration: Duration, target: Int) {
        self.duration = duration
        self.target = target
    }
}

/// k6's `ramping-vus`: the number of looping VUs follows `stages`, starting at `startVUs`.
/// VUs no longer wanted finish their iteration, or are interrupted after `gracefulRampDown`.
public struct RampingVUs: Sendable, Equatable {
    public var startVUs: Int
    public var stages: [Stage]
    public var gracefulRampDown: Duration
    public var gracefulStop: Duration

    public init(startVUs: Int = 1, stages: [Stage], gracefulRampDown: Duration = .seconds(30), gracefulStop: Duration = .seconds(30)) {
        self.startVUs = startVUs
        self.stages = stages
        self.gracefulRampDown = gracefulRampDown
        self.gracefulStop = gracefulStop
    }

    /// The sum of the stages' durations.
    public var duration: Duration { stages.reduce(.zero) { $0 + $1.duration } }
}
