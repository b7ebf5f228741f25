import DequeModule
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
/// one more VU is allocated up to the segment's share of `maxVUs`; past that, the iteration
/// waits for the next VU to come free, and its latency still counts from when it was due
/// (no coordinated omission). One that waits longer than `maxWait`, or is still waiting when
/// the duration ends, is dropped and counted in `dropped_iterations`.
///
/// The segment owns every iteration `i` for which its share of `i + 1` exceeds its share of
/// `i`: the segments' iterations interleave and add up to the total.
final class ArrivalRateRuntime: ExecutorRuntime {
    /// How long a due iteration may wait for a free VU before it is dropped.
    static let maxWait: UInt64 = 10_000_000_000

    let vuCount: Int
    private let schedule: ArrivalSchedule
    private let segment: ExecutionSegment
    private var window: StopWindow
    private var startedAt: UInt64 = 0
    private var idle: [Int]
    /// Due times of iterations waiting for a VU, oldest first.
    private var waiting = Deque<UInt64>()
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
        dropStale(now: now, vus: vus)
        if let due = waiting.popFirst() {
            vus.startIteration(vu: vu, now: now, dueAt: due)
        } else {
            idle.append(vu)
        }
    }

    var nextWake: UInt64 { min(nextDue, window.nextWake, waiting.first.map { $0 &+ Self.maxWait } ?? .max) }

    func wake(now: UInt64, vus: VUPool) {
        window.wake(now: now, vus: vus)
        dropStale(now: now, vus: vus)
        while nextDue <= now && window.mayStart(at: nextDue) {
            if let vu = idle.popLast() ?? vus.addVU() {
                vus.startIteration(vu: vu, now: now, dueAt: nextDue)
            } else {
                waiting.append(nextDue)
            }
            advanceToNextOwnedIteration()
        }
    }

    var isDone: Bool { window.isPastEnd || (nextDue == .max && waiting.isEmpty) }

    var queued: Int { waiting.count }

    /// Drops the iterations that waited too long, and all that still wait once the duration is over.
    private func dropStale(now: UInt64, vus: VUPool) {
        while let due = waiting.first, window.isPastEnd || now >= due &+ Self.maxWait {
            waiting.removeFirst()
            vus.dropIteration()
        }
    }

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
