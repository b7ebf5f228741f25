import Foundation
import NIOConcurrencyHelpers
import StampedeMetrics
import StampedeReports

typealias CoordinatorMessage = Stampede_Distributed_V1_CoordinatorMessage
typealias WorkerMessage = Stampede_Distributed_V1_WorkerMessage

/// The coordinator's record of its workers: who joined, where each is in the test, and what
/// each has reported. Stream handlers and the watchdog update it under one lock; the
/// coordinator's thread waits on `changed` for the barriers.
final class Roster: Sendable {
    enum Phase: Equatable { case joined, assigned, ready, running, done, lost }

    struct Member {
        let name: String
        let peer: String
        let tags: [String: String]
        let capacity: Int
        let outbox: AsyncStream<CoordinatorMessage>.Continuation
        var phase = Phase.joined
        var lastHeard = ContinuousClock.now
        var startedAtUnixNanos: Int64?
        var totals = DistributedBreakdown.Totals()
        var lastIndex = -1
    }

    private struct State {
        var members: [Member] = []
        var accepting = true
        /// The first problem that stops the test before its load, in one line.
        var failure: (message: String, cause: CoordinatorError.Cause)?
        var aggregator: IntervalAggregator?
        var finished: DispatchSemaphore?
        /// The test is over: streams that end now are no losses.
        var closing = false
    }

    let expected: Int
    let registry: MetricRegistry
    /// Signalled on every change the coordinator's thread may wait for.
    let changed = DispatchSemaphore(value: 0)
    private let state = NIOLockedValueBox(State())
    private let log: @Sendable (String) -> Void
    /// Called once per lost worker, off the lock.
    private let onLoss: @Sendable (String) -> Void

    init(expected: Int, registry: MetricRegistry, log: @escaping @Sendable (String) -> Void, onLoss: @escaping @Sendable (String) -> Void) {
        self.expected = expected
        self.registry = registry
        self.log = log
        self.onLoss = onLoss
    }

    /// Adds a worker that proved the token; nil and the reason when the test cannot take it.
    func join(name: String, peer: String, tags: [String: String], capacity: Int,
              outbox: AsyncStream<CoordinatorMessage>.Continuation) -> Result<Int, Refused> {
        let result: Result<Int, Refused> = state.withLockedValue { state in
            guard state.accepting else {
                return .failure(Refused(state.members.count >= expected
                    ? "the test has all its \(expected) workers already" : "the test has started; a worker cannot join it now"))
            }
            // Workers on one host share its name: number the later ones, so reports tell them apart.
            let taken = state.members.filter { $0.name == name || $0.name.hasPrefix(name + "#") }.count
            let unique = taken == 0 ? name : "\(name)#\(taken + 1)"
            state.members.append(Member(name: unique, peer: peer, tags: tags, capacity: capacity, outbox: outbox))
            if state.members.count == expected { state.accepting = false }
            return .success(state.members.count - 1)
        }
        if case .success(let index) = result {
            log("worker \(members[index].name) joined from \(peer)\(Self.describe(tags)) (\(index + 1) of \(expected))")
            changed.signal()
        }
        return result
    }

    /// Stops taking workers (the test starts with those it has, or gives up).
    func close() {
        state.withLockedValue { $0.accepting = false }
    }

    /// Ends the test for every worker: those still in it get Stop with `reason`, then every
    /// stream is closed.
    func endTest(reason: String) {
        let members = state.withLockedValue { state in
            state.accepting = false
            state.closing = true
            return state.members
        }
        for member in members {
            if member.phase != .done && member.phase != .lost { member.outbox.yield(.with { $0.stop.reason = reason }) }
            member.outbox.finish()
        }
    }

    var members: [Member] { state.withLockedValue { $0.members } }
    var failure: (message: String, cause: CoordinatorError.Cause)? { state.withLockedValue { $0.failure } }

    /// Records the first reason the test cannot start.
    func fail(_ message: String, cause: CoordinatorError.Cause) {
        state.withLockedValue { if $0.failure == nil { $0.failure = (message, cause) } }
        changed.signal()
    }

    func send(_ message: CoordinatorMessage, to index: Int) {
        _ = state.withLockedValue { $0.members[index] }.outbox.yield(message)
    }

    /// Sends `message` to every worker still in the test.
    func broadcast(_ message: CoordinatorMessage, where phase: (Phase) -> Bool = { _ in true }) {
        for member in state.withLockedValue({ $0.members }) where member.phase != .lost && member.phase != .done && phase(member.phase) {
            member.outbox.yield(message)
        }
    }

    func setPhase(_ phase: Phase, of index: Int) {
        state.withLockedValue { $0.members[index].phase = phase }
        changed.signal()
    }

    /// Marks the load as started: intervals from now on go to `aggregator`, and each worker
    /// that ends signals `finished` once.
    func beginLoad(aggregator: IntervalAggregator, finished: DispatchSemaphore) {
        state.withLockedValue { state in
            state.aggregator = aggregator
            state.finished = finished
            for i in state.members.indices where state.members[i].phase == .ready { state.members[i].phase = .running }
        }
    }

    /// Handles one message of worker `index`; a message that does not fit where the worker
    /// is in the test drops the worker.
    func receive(_ message: WorkerMessage, from index: Int) {
        state.withLockedValue { $0.members[index].lastHeard = .now }
        switch message.kind {
        case .heartbeat: break
        case .ready(let ready):
            guard ready.metricsFingerprint == registry.fingerprint else {
                return fail(index, "its metrics are laid out differently (fingerprint \(ready.metricsFingerprint), expected \(registry.fingerprint)): another Stampede build or another test")
            }
            guard phase(of: index) == .assigned else { return lose(index, "sent Ready out of turn") }
            setPhase(.ready, of: index)
        case .failure(let failure):
            fail(index, failure.reason)
        case .interval(let interval):
            guard let metrics = interval.metrics.metricSet(registry: registry) else {
                return lose(index, "sent metrics that do not fit the test")
            }
            let aggregator: IntervalAggregator? = state.withLockedValue { state in
                guard state.members[index].phase == .running, Int(interval.index) > state.members[index].lastIndex else { return nil }
                state.members[index].totals.add(metrics)
                state.members[index].lastIndex = Int(interval.index)
                if state.members[index].startedAtUnixNanos == nil, interval.startedAtUnixNanos != 0 {
                    state.members[index].startedAtUnixNanos = interval.startedAtUnixNanos
                }
                return state.aggregator
            }
            guard let aggregator else { return lose(index, "sent an interval out of turn") }
            aggregator.submit(IntervalReport(worker: index, index: Int(interval.index), metrics: metrics))
        case .done(let done):
            let gauges = done.gaugesAtEnd.map(\.gauge)
            guard gauges.count == registry.gaugeCount else { return lose(index, "sent gauges that do not fit the test") }
            end(index, phase: .done, gauges: gauges, reason: nil)
        case .hello, .proof, .none:
            lose(index, "sent a message out of turn")
        }
    }

    /// Gives worker `index` up: it died, went silent or misbehaved. Its load so far counts.
    func lose(_ index: Int, _ reason: String) {
        end(index, phase: .lost, gauges: Array(repeating: Gauge(), count: registry.gaugeCount), reason: reason)
    }

    /// Workers that have not been heard from within `limit`.
    func silent(longerThan limit: Duration) -> [Int] {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            state.members.indices.filter {
                ![.done, .lost].contains(state.members[$0].phase) && now - state.members[$0].lastHeard > limit
            }
        }
    }

    /// Counts every worker's silence from now: for when the coordinator itself was stalled.
    func excuseSilence() {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            for i in state.members.indices { state.members[i].lastHeard = max(state.members[i].lastHeard, now) }
        }
    }

    private func phase(of index: Int) -> Phase { state.withLockedValue { $0.members[index].phase } }

    /// A worker that cannot run the test fails the whole test before its load.
    private func fail(_ index: Int, _ reason: String) {
        let name = state.withLockedValue { state in
            if state.failure == nil { state.failure = ("worker \(state.members[index].name): \(reason)", .configuration) }
            return state.members[index].name
        }
        log("worker \(name): \(reason)")
        lose(index, reason)
    }

    private func end(_ index: Int, phase: Phase, gauges: [Gauge], reason: String?) {
        let ended: (member: Member, aggregator: IntervalAggregator?, finished: DispatchSemaphore?, wasRunning: Bool)? = state.withLockedValue { state in
            let member = state.members[index]
            guard member.phase != .done, member.phase != .lost, !state.closing else { return nil }
            state.members[index].phase = phase
            if phase == .lost, member.phase != .running, state.failure == nil {
                state.failure = ("worker \(member.name) was lost before the load started: \(reason ?? "")", .loss)
            }
            return (state.members[index], state.aggregator, state.finished, member.phase == .running)
        }
        guard let ended else { return }
        if ended.wasRunning, let aggregator = ended.aggregator {
            // The worker's last report: it adds nothing more, and its gauges stand as they ended.
            aggregator.submit(IntervalReport(
                worker: index, index: max(ended.member.lastIndex, 0), metrics: MetricSet(registry: registry), gaugesAtEnd: gauges))
            ended.finished?.signal()
        }
        if phase == .lost {
            ended.member.outbox.finish()
            let line = "worker \(ended.member.name) (\(ended.member.peer)) lost: \(reason ?? "")"
            log(line)
            if ended.wasRunning { onLoss(line) }
        }
        changed.signal()
    }

    static func describe(_ tags: [String: String]) -> String {
        tags.isEmpty ? "" : " [" + tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "]"
    }
}

/// Why the coordinator turned a worker away, in one line.
struct Refused: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
