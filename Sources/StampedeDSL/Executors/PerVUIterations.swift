/// k6's `per-vu-iterations`: each VU runs exactly `iterations` iterations, unless
/// `maxDuration` runs out first.
public struct PerVUIterations: Sendable, Equatable {
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
