/// How a scenario schedules its VUs and iterations over time, with k6's executor names and
/// semantics. Each case's type documents its options; each splits by `ExecutionSegment` so
/// the same scenario runs on N cores or N machines with the same totals.
public enum Executor: Sendable, Equatable {
    case constantVUs(ConstantVUs)
    case rampingVUs(RampingVUs)
    case perVUIterations(FixedIterations)
    case sharedIterations(FixedIterations)
    case constantArrivalRate(ConstantArrivalRate)
    case rampingArrivalRate(RampingArrivalRate)

    /// `vus` VUs loop the flow for `duration`.
    public static func constantVUs(_ vus: Int, duration: Duration, gracefulStop: Duration = .seconds(30)) -> Executor {
        .constantVUs(ConstantVUs(vus: vus, duration: duration, gracefulStop: gracefulStop))
    }

    /// The number of looping VUs follows `stages`.
    public static func rampingVUs(
        startVUs: Int = 1, stages: [Stage], gracefulRampDown: Duration = .seconds(30), gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .rampingVUs(RampingVUs(startVUs: startVUs, stages: stages, gracefulRampDown: gracefulRampDown, gracefulStop: gracefulStop))
    }

    /// Each of `vus` VUs runs the flow exactly `iterations` times.
    public static func perVUIterations(
        _ vus: Int, iterations: Int, maxDuration: Duration = .seconds(600), gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .perVUIterations(FixedIterations(vus: vus, iterations: iterations, maxDuration: maxDuration, gracefulStop: gracefulStop))
    }

    /// `vus` VUs share `iterations` iterations: whichever VU is free runs the next one.
    public static func sharedIterations(
        _ vus: Int, iterations: Int, maxDuration: Duration = .seconds(600), gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .sharedIterations(FixedIterations(vus: vus, iterations: iterations, maxDuration: maxDuration, gracefulStop: gracefulStop))
    }

    /// `rate` iterations start every `timeUnit`, busy VUs or not.
    public static func constantArrivalRate(
        _ rate: Int, timeUnit: Duration = .seconds(1), duration: Duration, preAllocatedVUs: Int, maxVUs: Int? = nil,
        gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .constantArrivalRate(ConstantArrivalRate(
            rate: rate, timeUnit: timeUnit, duration: duration, preAllocatedVUs: preAllocatedVUs, maxVUs: maxVUs,
            gracefulStop: gracefulStop))
    }

    /// The arrival rate follows `stages`.
    public static func rampingArrivalRate(
        startRate: Int = 0, timeUnit: Duration = .seconds(1), stages: [Stage], preAllocatedVUs: Int, maxVUs: Int? = nil,
        gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .rampingArrivalRate(RampingArrivalRate(
            startRate: startRate, timeUnit: timeUnit, stages: stages, preAllocatedVUs: preAllocatedVUs, maxVUs: maxVUs,
            gracefulStop: gracefulStop))
    }

    /// k6's executor name, as used in plan files and the summary.
    public var name: String {
        switch self {
        case .constantVUs: "constant-vus"
        case .rampingVUs: "ramping-vus"
        case .perVUIterations: "per-vu-iterations"
        case .sharedIterations: "shared-iterations"
        case .constantArrivalRate: "constant-arrival-rate"
        case .rampingArrivalRate: "ramping-arrival-rate"
        }
    }

    /// The most VUs this executor runs at once in the whole test.
    public var maxVUs: Int {
        switch self {
        case .constantVUs(let e): e.vus
        case .rampingVUs(let e): e.stages.reduce(e.startVUs) { max($0, $1.target) }
        case .perVUIterations(let e), .sharedIterations(let e): e.vus
        case .constantArrivalRate(let e): e.maxVUs
        case .rampingArrivalRate(let e): e.maxVUs
        }
    }

    /// How long iterations may start; the executor's `gracefulStop` comes on top.
    public var duration: Duration {
        switch self {
        case .constantVUs(let e): e.duration
        case .rampingVUs(let e): e.duration
        case .perVUIterations(let e), .sharedIterations(let e): e.maxDuration
        case .constantArrivalRate(let e): e.duration
        case .rampingArrivalRate(let e): e.duration
        }
    }

    public var gracefulStop: Duration {
        switch self {
        case .constantVUs(let e): e.gracefulStop
        case .rampingVUs(let e): e.gracefulStop
        case .perVUIterations(let e), .sharedIterations(let e): e.gracefulStop
        case .constantArrivalRate(let e): e.gracefulStop
        case .rampingArrivalRate(let e): e.gracefulStop
        }
    }

    /// The longest the executor may run, graceful stop included.
    public var maxDuration: Duration { duration + gracefulStop }

    /// One line for humans, in k6's words.
    public var summary: String {
        switch self {
        case .constantVUs(let e):
            "\(e.vus) looping VUs for \(e.duration.humanReadable) (gracefulStop: \(e.gracefulStop.humanReadable))"
        case .rampingVUs(let e):
            "Up to \(maxVUs) looping VUs for \(e.duration.humanReadable) over \(e.stages.count) stage\(e.stages.count == 1 ? "" : "s") "
                + "(gracefulRampDown: \(e.gracefulRampDown.humanReadable), gracefulStop: \(e.gracefulStop.humanReadable))"
        case .perVUIterations(let e):
            "\(e.iterations) iterations for each of \(e.vus) VUs (maxDuration: \(e.maxDuration.humanReadable))"
        case .sharedIterations(let e):
            "\(e.iterations) iterations shared among \(e.vus) VUs (maxDuration: \(e.maxDuration.humanReadable))"
        case .constantArrivalRate(let e):
            "\(e.rate) iterations/\(e.timeUnit.humanReadable) for \(e.duration.humanReadable) "
                + "(maxVUs: \(e.preAllocatedVUs)-\(e.maxVUs), gracefulStop: \(e.gracefulStop.humanReadable))"
        case .rampingArrivalRate(let e):
            "Up to \(e.stages.reduce(e.startRate) { max($0, $1.target) }) iterations/\(e.timeUnit.humanReadable) "
                + "for \(e.duration.humanReadable) over \(e.stages.count) stage\(e.stages.count == 1 ? "" : "s") "
                + "(maxVUs: \(e.preAllocatedVUs)-\(e.maxVUs), gracefulStop: \(e.gracefulStop.humanReadable))"
        }
    }

    func validate() throws(PlanError) {
        switch self {
        case .constantVUs(let e):
            try atLeast(1, e.vus, "vus")
            try positive(e.duration, "duration")
        case .rampingVUs(let e):
            try atLeast(0, e.startVUs, "startVUs")
            try validate(e.stages, unit: "target")
            guard maxVUs >= 1 else { throw PlanError("startVUs or a stage target must be at least 1") }
            try nonNegative(e.gracefulRampDown, "gracefulRampDown")
        case .perVUIterations(let e), .sharedIterations(let e):
            try atLeast(1, e.vus, "vus")
            try atLeast(1, e.iterations, "iterations")
            if case .sharedIterations = self, e.iterations < e.vus {
                throw PlanError("iterations (\(e.iterations)) must be at least vus (\(e.vus)) for shared-iterations")
            }
            try positive(e.maxDuration, "maxDuration")
        case .constantArrivalRate(let e):
            try atLeast(1, e.rate, "rate")
            try positive(e.timeUnit, "timeUnit")
            try positive(e.duration, "duration")
            try validateVUs(preAllocated: e.preAllocatedVUs, max: e.maxVUs)
        case .rampingArrivalRate(let e):
            try atLeast(0, e.startRate, "startRate")
            try positive(e.timeUnit, "timeUnit")
            try validate(e.stages, unit: "target")
            try validateVUs(preAllocated: e.preAllocatedVUs, max: e.maxVUs)
        }
        try nonNegative(gracefulStop, "gracefulStop")
    }

    private func validate(_ stages: [Stage], unit: String) throws(PlanError) {
        guard !stages.isEmpty else { throw PlanError("stages must not be empty") }
        for (i, stage) in stages.enumerated() {
            try nonNegative(stage.duration, "stages[\(i)].duration")
            try atLeast(0, stage.target, "stages[\(i)].\(unit)")
        }
        try positive(duration, "the stages' total duration")
    }

    private func validateVUs(preAllocated: Int, max: Int) throws(PlanError) {
        try atLeast(0, preAllocated, "preAllocatedVUs")
        try atLeast(1, max, "maxVUs")
        guard max >= preAllocated else { throw PlanError("maxVUs (\(max)) must be at least preAllocatedVUs (\(preAllocated))") }
    }
}

private func atLeast(_ minimum: Int, _ value: Int, _ what: String) throws(PlanError) {
    guard value >= minimum else { throw PlanError("\(what) must be at least \(minimum), got \(value)") }
}

private func positive(_ value: Duration, _ what: String) throws(PlanError) {
    guard value > .zero else { throw PlanError("\(what) must be longer than 0s, got \(value.humanReadable)") }
}

private func nonNegative(_ value: Duration, _ what: String) throws(PlanError) {
    guard value >= .zero else { throw PlanError("\(what) must not be negative") }
}
