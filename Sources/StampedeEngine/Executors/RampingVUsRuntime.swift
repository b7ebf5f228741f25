import StampedeDSL

/// `ramping-vus`: the number of looping VUs follows the stages. The segment's VUs
/// `0..<wanted` loop; when `wanted` falls, the VUs above it finish their iteration or are
/// interrupted after `gracefulRampDown`.
final class RampingVUsRuntime: ExecutorRuntime {
    let vuCount: Int
    private let segment: ExecutionSegment
    private let curve: PiecewiseLinear
    private let gracefulRampDown: UInt64
    private var window: StopWindow
    private var startedAt: UInt64 = 0
    private var wanted = 0
    private var nextChange: UInt64 = .max
    /// VUs that stopped being wanted while busy, with the time they are interrupted, oldest first.
    private var rampDownDeadlines: [(vu: Int, deadline: UInt64)] = []
    /// Each VU's deadline from its latest ramp-down, `.max` once it is wanted again: an entry
    /// above from an earlier ramp-down is stale and must not cut a later one's grace short.
    private var interruptAt: [UInt64]

    init(_ config: RampingVUs, segment: ExecutionSegment) {
        self.segment = segment
        vuCount = segment.share(of: Executor.rampingVUs(config).maxVUs)
        curve = PiecewiseLinear(start: config.startVUs, stages: config.stages)
        gracefulRampDown = UInt64(max(0, config.gracefulRampDown.nanoseconds))
        window = StopWindow(duration: config.duration, gracefulStop: config.gracefulStop)
        interruptAt = Array(repeating: .max, count: vuCount)
    }

    func start(now: UInt64, vus: VUPool) {
        window.begin(at: now)
        startedAt = now
        follow(now: now, vus: vus)
    }

    func iterationEnded(vu: Int, now: UInt64, vus: VUPool) {
        if vu < wanted && window.mayStart(at: now) { vus.startIteration(vu: vu, now: now) }
    }

    var nextWake: UInt64 { min(window.nextWake, nextChange, rampDownDeadlines.first?.deadline ?? .max) }

    func wake(now: UInt64, vus: VUPool) {
        window.wake(now: now, vus: vus)
        if !window.isPastEnd { follow(now: now, vus: vus) }
        while let first = rampDownDeadlines.first, first.deadline <= now {
            rampDownDeadlines.removeFirst()
            if first.deadline == interruptAt[first.vu] && vus.isBusy(vu: first.vu) { vus.interrupt(vu: first.vu) }
        }
    }

    var isDone: Bool { window.isPastEnd }

    var queued: Int { rampDownDeadlines.count }

    /// Brings the running VUs to the curve's value now, and plans the next wake-up.
    private func follow(now: UInt64, vus: VUPool) {
        let elapsed = Double(now - startedAt)
        let target = segment.share(of: curve.count(at: elapsed))
        if target > wanted {
            for vu in wanted..<target {
                interruptAt[vu] = .max
                if !vus.isBusy(vu: vu) { vus.startIteration(vu: vu, now: now) }
            }
        } else if target < wanted {
            for vu in target..<wanted where vus.isBusy(vu: vu) {
                interruptAt[vu] = now &+ gracefulRampDown
                rampDownDeadlines.append((vu, interruptAt[vu]))
            }
        }
        wanted = target
        nextChange = curve.nextCountChange(after: elapsed).map { startedAt &+ UInt64($0.rounded(.up)) } ?? .max
    }
}
