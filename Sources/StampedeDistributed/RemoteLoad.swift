import Foundation
import StampedeDSL
import StampedeEngine
import StampedeMetrics

/// The load of a distributed run: the coordinator's workers, each running its segment.
/// `LoadRun` drives it exactly as it drives its own threads: start, merge, stop.
final class RemoteLoad: LoadPhase {
    private let roster: Roster
    /// How far ahead of now the common start is set, so every worker has the Start in hand.
    private let startDelay: Duration

    init(roster: Roster, startDelay: Duration = .milliseconds(500)) {
        self.roster = roster
        self.startDelay = startDelay
    }

    var reporterCount: Int { roster.expected }

    func start(sharedVars: [String: String], aggregator: IntervalAggregator, finished: DispatchSemaphore) {
        roster.beginLoad(aggregator: aggregator, finished: finished)
        let startAt = UnixClock.nanoseconds() + startDelay.nanoseconds
        roster.broadcast(.with {
            $0.start.setupVars = sharedVars
            $0.start.startAtUnixNanos = startAt
        }) { $0 == .running }
    }

    func stop() {
        roster.broadcast(.with { $0.stop.reason = "the coordinator stopped the test" })
    }
}
