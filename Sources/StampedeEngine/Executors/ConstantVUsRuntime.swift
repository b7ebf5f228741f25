import StampedeDSL

/// `constant-vus`: every VU loops until the duration ends.
final class ConstantVUsRuntime: ExecutorRuntime {
    let vuCount: Int
    private var window: StopWindow

    init(_ config: ConstantVUs, segment: ExecutionSegment) {
        vuCount = segment.share(of: config.vus)
        window = StopWindow(duration: config.duration, gracefulStop: config.gracefulStop)
    }

    func start(now: UInt64, vus: VUPool) {
        window.begin(at: now)
        for vu in 0..<vuCount { vus.startIteration(vu: vu, now: now) }
    }

    func iterationEnded(vu: Int, now: UInt64, vus: VUPool) {
        if window.mayStart(at: now) { vus.startIteration(vu: vu, now: now) }
    }

    var nextWake: UInt64 { window.nextWake }
    func wake(now: UInt64, vus: VUPool) { window.wake(now: now, vus: vus) }
    var isDone: Bool { window.isPastEnd || vuCount == 0 }
}
