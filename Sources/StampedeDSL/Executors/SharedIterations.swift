/// k6's `shared-iterations`: `iterations` iterations in all, taken by whichever VU is free,
/// unless `maxDuration` runs out first. Each execution segment owns its share of them.
public struct SharedIterations: Sendable, Equatable {
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
