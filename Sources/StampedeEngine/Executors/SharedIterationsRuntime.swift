import StampedeDSL

/// `shared-iterations`: the segment's share of the iterations goes to whichever VU is free.
final class SharedIterationsRuntime: ExecutorRuntime {
    let vuCount: Int
    private var unclaimed: Int
    private var window: StopWindow

    init(_ config: FixedIterations, segment: ExecutionSegment) {
        vuCount = segment.share(of: config.vus)
        unclaimed = segment.share(of: config.iterations)
        window = StopWindow(duration: config.maxDuration, gracefulStop: config.gracefulStop)
    }

    func start(now: UInt64, vus: VUPool) {
        window.begin(at: now)
        for vu in 0..<vuCount { claim(vu: vu, now: now, vus: vus) }
    }

    func iterationEnded(vu: Int, now: UInt64, vus: VUPool) {
        claim(vu: vu, now: now, vus: vus)
    }

    private func claim(vu: Int, now: UInt64, vus: VUPool) {
        guard unclaimed > 0, window.mayStart(at: now) else { return }
        unclaimed -= 1
        vus.startIteration(vu: vu, now: now)
    }

    var nextWake: UInt64 { window.nextWake }
    func wake(now: UInt64, vus: VUPool) { window.wake(now: now, vus: vus) }
    var isDone: Bool { window.isPastEnd || unclaimed == 0 }
}
