import StampedeDSL

/// When the iterations of an arrival-rate executor are due: iteration `i` of the whole test
/// starts when the integral of the rate reaches `i` (so the first starts at once, and
/// `rate × duration` start in all).
struct ArrivalSchedule {
    private let rate: PiecewiseLinear

    /// Rates are per `timeUnit`.
    init(startRate: Int, stages: [Stage], timeUnit: Duration) {
        // Rates per nanosecond keep the integral in iterations.
        rate = PiecewiseLinear(start: startRate, stages: stages, scale: 1 / Double(max(1, timeUnit.nanoseconds)))
    }

    /// Nanoseconds after the start at which global iteration `index` is due; nil past the end.
    func dueTime(of index: Int) -> Double? {
        // The tolerance keeps float error from adding an iteration at the very end.
        guard Double(index) < rate.area - 1e-6 else { return nil }
        return rate.timeWhenIntegral(reaches: Double(index))
    }

    var length: Double { rate.length }
}

/// `constant-arrival-rate` and `ramping-arrival-rate` (a constant rate is a ramp with one
/// flat stage): iterations start when they are due, on whichever VU is idle. With none idle,
/// one more VU is allocated up to the segment's share of `maxVUs`, or the iteration is
/// dropped and counted. The segment owns every iteration `i` for which its share of `i + 1`
/// exceeds its share of `i`: the segments' iterations interleave and add up to the total.
final class ArrivalRateRuntime: ExecutorRuntime {
    let vuCount: Int
    private let schedule: ArrivalSchedule
    private let segment: ExecutionSegment
    private var window: StopWindow
    private var startedAt: UInt64 = 0
    private var idle: [Int]
    private var nextIndex = -1
    private var nextDue: UInt64 = .max

    init(schedule: ArrivalSchedule, preAllocatedVUs: Int, gracefulStop: Duration, segment: ExecutionSegment) {
        self.schedule = schedule
        self.segment = segment
        vuCount = segment.share(of: preAllocatedVUs)
        idle = Array((0..<vuCount).reversed())
        window = StopWindow(duration: .nanoseconds(Int64(schedule.length)), gracefulStop: gracefulStop)
    }

    func start(now: UInt64, vus: VUPool) {
        window.begin(at: now)
        startedAt = now
        advanceToNextOwnedIteration()
        wake(now: now, vus: vus)
    }

    func iterationEnded(vu: Int, now: UInt64, vus: VUPool) {
        idle.append(vu)
    }

    var nextWake: UInt64 { min(nextDue, window.nextWake) }

    func wake(now: UInt64, vus: VUPool) {
        window.wake(now: now, vus: vus)
        while nextDue <= now {
            if let vu = idle.popLast() ?? vus.addVU() {
                vus.startIteration(vu: vu, now: now)
            } else {
                vus.dropIteration()
            }
            advanceToNextOwnedIteration()
        }
    }

    var isDone: Bool { window.isPastEnd || nextDue == .max }

    private func advanceToNextOwnedIteration() {
        repeat {
            nextIndex += 1
            guard let due = schedule.dueTime(of: nextIndex) else {
                nextDue = .max
                return
            }
            nextDue = startedAt &+ UInt64(due)
        } while segment.share(of: nextIndex + 1) == segment.share(of: nextIndex)
    }
}
