/// Tells a periodic check that ran late: on a loaded machine a process may not run for
/// seconds, and a peer's messages that arrived meanwhile are still unread when the check
/// wakes. A side that judges its peer's silence must not blame the peer for its own stall.
struct StallDetector {
    /// How often the check is meant to run.
    let period: Duration
    /// Lateness beyond which the check counts as stalled.
    var tolerance: Duration = .seconds(1)
    private var last: ContinuousClock.Instant

    init(period: Duration, startingAt start: ContinuousClock.Instant = .now) {
        self.period = period
        last = start
    }

    /// Records a run of the check at `now`; true when it came later than `period + tolerance`
    /// after the previous one.
    mutating func tick(_ now: ContinuousClock.Instant) -> Bool {
        defer { last = now }
        return now - last > period + tolerance
    }
}
