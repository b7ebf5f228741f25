import StampedeDSL

/// `per-vu-iterations`: each VU runs its own fixed number of iterations.
final class PerVUIterationsRuntime: ExecutorRuntime {
    let vuCount: Int
    private var remaining: [Int]
    private var vusWithWorkLeft: Int
    private var window: StopWindow

    init(_ config: FixedIterations, segment: ExecutionSegment) {
        vuCount = segment.share(of: config.vus)
        remaining = Array(repeating: config.iterations, count: vuCount)
        vusWithWorkLeft = vuCount
        window = StopWindow(duration: config.maxDuration, gracefulStop: config.gracefulStop)
    }

    func start(now: UInt64, vus: VUPool) {
        window.begin(at: now)
        for vu in 0..<vuCount { vus.startIteration(vu: vu, now: now) }
    }

    func iterationEnded(vu: Int, now: UInt64, vus: VUPool) {
        remaining[vu] -= 1
        if remaining[vu] > 0, window.mayStart(at: now) {
            vus.startIteration(vu: vu, now: now)
        } else if remaining[vu] == 0 {
            vusWithWorkLeft -= 1
        }
    }

    var nextWake: UInt64 { window.nextWake }
    func wake(now: UInt64, vus: VUPool) { window.wake(now: now, vus: vus) }
    var isDone: Bool { window.isPastEnd || vusWithWorkLeft == 0 }
}
