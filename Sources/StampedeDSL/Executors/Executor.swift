/// How a scenario schedules its VUs and iterations over time, with k6's executor names and
/// semantics. Each case's type documents its options; each splits by `ExecutionSegment` so
/// the same scenario runs on N cores or N machines with the same totals.
public enum Executor: Sendable, Equatable {
    case constantVUs(ConstantVUs)
    case perVUIterations(PerVUIterations)
    case sharedIterations(SharedIterations)

    /// `vus` VUs loop the flow for `duration`.
    public static func constantVUs(_ vus: Int, duration: Duration, gracefulStop: Duration = .seconds(30)) -> Executor {
        .constantVUs(ConstantVUs(vus: vus, duration: duration, gracefulStop: gracefulStop))
    }

    /// Each of `vus` VUs runs the flow exactly `iterations` times.
    public static func perVUIterations(
        _ vus: Int, iterations: Int, maxDuration: Duration = .seconds(600), gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .perVUIterations(PerVUIterations(vus: vus, iterations: iterations, maxDuration: maxDuration, gracefulStop: gracefulStop))
    }

    /// `vus` VUs share `iterations` iterations: whichever VU is free runs the next one.
    public static func sharedIterations(
        _ vus: Int, iterations: Int, maxDuration: Duration = .seconds(600), gracefulStop: Duration = .seconds(30)
    ) -> Executor {
        .sharedIterations(SharedIterations(vus: vus, iterations: iterations, maxDuration: maxDuration, gracefulStop: gracefulStop))
    }

    /// k6's executor name, as used in plan files and the summary.
    public var name: String {
        switch self {
        case .constantVUs: "constant-vus"
        case .perVUIterations: "per-vu-iterations"
        case .sharedIterations: "shared-iterations"
        }
    }

    /// The most VUs this executor runs at once in the whole test.
    public var maxVUs: Int {
        switch self {
        case .constantVUs(let e): e.vus
        case .perVUIterations(let e): e.vus
        case .sharedIterations(let e): e.vus
        }
    }

    /// The longest the executor may run, graceful stop included.
    public var maxDuration: Duration {
        switch self {
        case .constantVUs(let e): e.duration + e.gracefulStop
        case .perVUIterations(let e): e.maxDuration + e.gracefulStop
        case .sharedIterations(let e): e.maxDuration + e.gracefulStop
        }
    }

    /// One line for humans: "50 VUs for 10s", "2 VUs × 20 iterations".
    public var summary: String {
        switch self {
        case .constantVUs(let e): "\(e.vus) looping VUs for \(e.duration.humanReadable) (gracefulStop: \(e.gracefulStop.humanReadable))"
        case .perVUIterations(let e): "\(e.iterations) iterations for each of \(e.vus) VUs (maxDuration: \(e.maxDuration.humanReadable))"
        case .sharedIterations(let e): "\(e.iterations) iterations shared among \(e.vus) VUs (maxDuration: \(e.maxDuration.humanReadable))"
        }
    }

    func validate() throws(PlanError) {
        func positive(_ value: Int, _ what: String) throws(PlanError) {
            guard value > 0 else { throw PlanError("\(what) must be at least 1, got \(value)") }
        }
        func positive(_ value: Duration, _ what: String) throws(PlanError) {
            guard value > .zero else { throw PlanError("\(what) must be longer than 0s, got \(value.humanReadable)") }
        }
        func nonNegative(_ value: Duration, _ what: String) throws(PlanError) {
            guard value >= .zero else { throw PlanError("\(what) must not be negative") }
        }
        switch self {
        case .constantVUs(let e):
            try positive(e.vus, "vus")
            try positive(e.duration, "duration")
            try nonNegative(e.gracefulStop, "gracefulStop")
        case .perVUIterations(let e):
            try positive(e.vus, "vus")
            try positive(e.iterations, "iterations")
            try positive(e.maxDuration, "maxDuration")
            try nonNegative(e.gracefulStop, "gracefulStop")
        case .sharedIterations(let e):
            try positive(e.vus, "vus")
            try positive(e.iterations, "iterations")
            guard e.iterations >= e.vus else {
                throw PlanError("iterations (\(e.iterations)) must be at least vus (\(e.vus)) for shared-iterations")
            }
            try positive(e.maxDuration, "maxDuration")
            try nonNegative(e.gracefulStop, "gracefulStop")
        }
    }
}
