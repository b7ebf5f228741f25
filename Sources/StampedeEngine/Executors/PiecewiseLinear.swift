import StampedeDSL

/// A value that moves linearly through stages over time: the VU target of ramping-vus, the
/// arrival rate of the arrival-rate executors. Time is nanoseconds since the executor started.
struct PiecewiseLinear {
    private struct Segment {
        let start: Double
        let length: Double
        let from: Double
        let to: Double
    }

    private let segments: [Segment]
    /// The end of the last stage.
    let length: Double
    /// The integral of the value over all stages.
    let area: Double

    /// Starts at `start` and moves to each stage's target; every value is multiplied by `scale`.
    init(start: Int, stages: [Stage], scale: Double = 1) {
        var segments: [Segment] = []
        var time = 0.0
        var value = Double(start) * scale
        for stage in stages {
            let length = Double(max(0, stage.duration.nanoseconds))
            let target = Double(stage.target) * scale
            segments.append(Segment(start: time, length: length, from: value, to: target))
            time += length
            value = target
        }
        self.segments = segments
        length = time
        area = segments.reduce(0) { $0 + $1.length * ($1.from + $1.to) / 2 }
    }

    /// The value at `time`; after the last stage, its target.
    func value(at time: Double) -> Double {
        guard let segment = segments.last(where: { $0.start <= time && $0.length > 0 }) ?? segments.first else { return 0 }
        let progress = segment.length > 0 ? min(1, max(0, (time - segment.start) / segment.length)) : 1
        return segment.from + (segment.to - segment.from) * progress
    }

    /// The whole part of the value at `time`, as a count (of VUs).
    func count(at time: Double) -> Int {
        // The epsilon keeps a value computed as 4.9999999 at a crossing from counting as 4.
        Int((value(at: time) + 1e-9).rounded(.down))
    }

    /// The next time after `time` at which `count` may change: where the value crosses a whole
    /// number within the current stage, or else the stage's end (a next stage may jump).
    /// Nil after the last stage.
    func nextCountChange(after time: Double) -> Double? {
        guard let segment = segments.first(where: { $0.start + $0.length > time }) else { return nil }
        let end = segment.start + segment.length
        let slope = segment.length > 0 ? (segment.to - segment.from) / segment.length : 0
        guard slope != 0 else { return end }
        let now = Double(count(at: max(time, segment.start)))
        // Rising, the count steps up when the value reaches the next whole number; falling,
        // it steps down just after the value passes below the current one.
        let crossing = segment.start + ((slope > 0 ? now + 1 : now) - segment.from) / slope
        let when = slope > 0 ? crossing : max(crossing, time) + 1_000
        return min(when, end)
    }

    /// The time at which the integral of the value from 0 reaches `area`, or nil if it never
    /// does within the stages: arrival `i` of an arrival-rate executor is due when `area == i`.
    func timeWhenIntegral(reaches area: Double) -> Double? {
        var before = 0.0
        for segment in segments {
            let slope = segment.length > 0 ? (segment.to - segment.from) / segment.length : 0
            let inSegment = segment.length * (segment.from + segment.to) / 2
            if before + inSegment >= area && segment.length > 0 {
                // Solve from·τ + slope·τ²/2 = need, in the form that stays exact for slope 0.
                let need = area - before
                let root = (segment.from * segment.from + 2 * slope * need).squareRoot()
                let tau = need == 0 ? 0 : 2 * need / (segment.from + root)
                return segment.start + tau
            }
            before += inSegment
        }
        return nil
    }
}
