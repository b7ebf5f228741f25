/// The options of the two iteration-count executors, which k6 gives the same names:
/// `per-vu-iterations` (each VU runs `iterations`) and `shared-iterations` (all VUs share
/// `iterations`). Either ends early when `maxDuration` runs out.
public struct FixedIterations: Sendable, Equatable {
    public var vus: Int
    public var iterations: Int
    public var maxDuration: Duration
    public var gracefulStop: Duration

    public init(vus: Int, iterations: Int, maxDuration: Duration = .seconds(600), gracefulStop: Duration = .seconds(30)) {
        self.vus = vus
        self.iterations = iterations
        self.maxDuration = maxDuration
        self.gracefulStop = gracefulStop
    }
}
