import Foundation
import NIOConcurrencyHelpers
import StampedeDSL
import StampedeEngine
import StampedeMetrics

/// One connection of a worker to its coordinator: the handshake, the test's preparation and
/// load on threads of their own, and the messages out. Stream callbacks only record and hand
/// over; nothing here blocks a concurrency thread.
final class WorkerSession: Sendable {
    let outgoing: AsyncStream<WorkerMessage>
    private let outbox: AsyncStream<WorkerMessage>.Continuation
    private let settings: WorkerAgent.Settings
    private let loader: WorkerAgent.Loader
    private let log: @Sendable (String) -> Void
    private let nonce = Handshake.nonce()
    private let state: NIOLockedValueBox<State>
    private let loadEnded = DispatchSemaphore(value: 0)

    private struct State {
        var helloSentAt: Int64
        /// The coordinator's clock minus ours, estimated at the handshake.
        var clockOffset: Int64 = 0
        var answered = false
        var ending: WorkerAgent.Ending?
        var doneSent = false
        var lastHeard = ContinuousClock.now
        var run: LoadRun?
        var stopRequested = false
        var loadStarted = false
        /// Why the coordinator ended the test before this worker's load began.
        var stoppedBeforeLoad: String?
        /// Where the test's files were written; removed when the session ends.
        var folder: URL?
    }

    /// Ends the stream from the worker's side: the reason is in `ending`.
    struct Ended: Error {}

    init(settings: WorkerAgent.Settings, loader: @escaping WorkerAgent.Loader, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.loader = loader
        self.log = log
        (outgoing, outbox) = AsyncStream.makeStream(of: WorkerMessage.self)
        state = NIOLockedValueBox(State(helloSentAt: UnixClock.nanoseconds()))
        outbox.yield(.with {
            $0.hello.protocolVersion = Handshake.protocolVersion
            $0.hello.stampedeVersion = settings.stampedeVersion
            $0.hello.nonce = nonce
            $0.hello.name = settings.name
            $0.hello.tags = settings.tags
            $0.hello.capacity = UInt32(settings.capacity)
        })
    }

    var wasAnswered: Bool { state.withLockedValue { $0.answered } }
    var hasEnded: Bool { state.withLockedValue { $0.ending != nil || $0.doneSent } }

    /// Records how the session ended, given what ended the stream (nil: the coordinator
    /// closed it): completed only when the worker had sent Done and nothing failed.
    func conclude(_ error: (any Error)?) -> WorkerAgent.Ending {
        state.withLockedValue { state in
            if state.ending == nil {
                if let error {
                    state.ending = .coordinatorLost(CoordinatorService.describe(error))
                } else if state.doneSent {
                    state.ending = .completed
                } else if let reason = state.stoppedBeforeLoad {
                    state.ending = .stopped(reason)
                } else {
                    state.ending = .coordinatorLost("it closed the stream before the test ended")
                }
            }
            return state.ending!
        }
    }

    func handle(_ message: CoordinatorMessage) throws {
        state.withLockedValue { $0.lastHeard = .now }
        switch message.kind {
        case .challenge(let challenge):
            let expected = Handshake.coordinatorProof(token: settings.security.token, workerNonce: nonce, coordinatorNonce: challenge.nonce)
            guard Handshake.matches(challenge.proof, expected: expected) else {
                // Say why and close our side; the coordinator logs it and closes its side.
                state.withLockedValue {
                    $0.ending = .refused("the coordinator does not hold this worker's token; not taking a test from it")
                    $0.answered = true
                }
                outbox.yield(.with { $0.failure.reason = "the tokens differ" })
                outbox.finish()
                return
            }
            let now = UnixClock.nanoseconds()
            state.withLockedValue {
                $0.clockOffset = challenge.sentAtUnixNanos - ($0.helloSentAt / 2 + now / 2)
                $0.answered = true
            }
            outbox.yield(.with {
                $0.proof.proof = Handshake.workerProof(token: settings.security.token, workerNonce: nonce, coordinatorNonce: challenge.nonce)
            })
        case .assignment(let assignment):
            Thread { self.prepare(assignment) }.start()
        case .start(let start):
            Thread { self.load(start) }.start()
        case .stop(let stop):
            log("the coordinator stopped the test: \(stop.reason)")
            state.withLockedValue { if !$0.loadStarted { $0.stoppedBeforeLoad = stop.reason } }
            stopLoad(waiting: false)
        case .refusal(let refusal):
            try end(.refused(refusal.reason))
        case .heartbeat, .none:
            break
        }
    }

    /// Sends heartbeats once a second and gives the coordinator up when it falls silent.
    func watch() async throws {
        var beat = 0
        var stall = StallDetector(period: .milliseconds(500))
        while true {
            try await Task.sleep(for: .milliseconds(500))
            beat += 1
            if beat % 2 == 0, wasAnswered { outbox.yield(.with { $0.heartbeat.sentAtUnixNanos = UnixClock.nanoseconds() }) }
            let now = ContinuousClock.now
            let silence = state.withLockedValue { state in
                // This process did not run for a while: what the coordinator sent meanwhile may
                // still wait to be read, so its silence counts from now.
                if stall.tick(now) { state.lastHeard = max(state.lastHeard, now) }
                return state.answered ? now - state.lastHeard : .zero
            }
            if silence > settings.silenceLimit {
                stopLoad(waiting: false)
                try end(.coordinatorLost("silent for \(silence.humanReadable)"))
            }
        }
    }

    /// Removes the test's files.
    func cleanUp() {
        if let folder = state.withLockedValue({ $0.folder }) { try? FileManager.default.removeItem(at: folder) }
    }

    /// Leaves the test from this side (a signal): the load stops and the stream ends.
    func leave() {
        state.withLockedValue { if $0.ending == nil { $0.ending = .interrupted } }
        stopLoad(waiting: false)
        outbox.finish()
    }

    /// Interrupts the load, if any; `waiting` (never on a concurrency thread) waits up to
    /// 10 s until its VUs have stopped.
    func stopLoad(waiting: Bool) {
        let (run, started) = state.withLockedValue { state in
            state.stopRequested = true
            return (state.run, state.loadStarted)
        }
        run?.stop()
        if waiting, started {
            _ = loadEnded.wait(timeout: .now() + 10)
            loadEnded.signal()
        }
    }

    private func end(_ ending: WorkerAgent.Ending) throws -> Never {
        state.withLockedValue { if $0.ending == nil { $0.ending = ending } }
        outbox.finish()
        throw Ended()
    }

    /// Writes the test's files, builds the run for this worker's segment, answers Ready.
    private func prepare(_ assignment: Stampede_Distributed_V1_Assignment) {
        do {
            guard assignment.segmentDenominator > 0, assignment.segmentFrom <= assignment.segmentTo,
                  assignment.segmentTo <= assignment.segmentDenominator, assignment.segmentDenominator <= UInt64(Int32.max)
            else { throw TestLoadError("the coordinator sent an invalid segment") }
            let segment = ExecutionSegment(
                from: Int(assignment.segmentFrom), to: Int(assignment.segmentTo), denominator: Int(assignment.segmentDenominator))
            let folder = try ShippedTest(request: assignment.testRequestJson, files: assignment.files).materialize()
            state.withLockedValue { $0.folder = folder }
            let run = try loader(assignment.testRequestJson, folder, segment)
            let own = run.registry.layout.map { "\($0.kind):\($0.name)" }
            let theirs = assignment.layout.map { "\($0.kind):\($0.name)" }
            if own != theirs {
                let slot = own.indices.first { $0 >= theirs.count || own[$0] != theirs[$0] } ?? own.count
                throw TestLoadError("this worker lays the test's metrics out differently from the coordinator from slot \(slot) on (\(own.dropFirst(slot).first ?? "none") here, \(theirs.dropFirst(slot).first ?? "none") there): use the same Stampede build")
            }
            let stopped = state.withLockedValue { state in
                state.run = run
                return state.stopRequested
            }
            if stopped { run.stop() }
            log("worker \(assignment.workerIndex + 1) of \(assignment.workerCount): segment \(segment), \(run.segmentVUs) VUs ready")
            outbox.yield(.with {
                $0.ready.vus = UInt64(run.segmentVUs)
                $0.ready.metricsFingerprint = run.registry.fingerprint
            })
        } catch {
            let reason = (error as? TestLoadError)?.message ?? (error as? ShipError)?.message ?? "\(error)"
            log("cannot load the test: \(reason)")
            outbox.yield(.with { $0.failure.reason = reason })
        }
    }

    /// Waits for the common start, runs the segment, streams its seconds, then says Done.
    private func load(_ start: Stampede_Distributed_V1_Start) {
        let (run, offset) = state.withLockedValue { state in
            state.loadStarted = state.run != nil
            return (state.run, state.clockOffset)
        }
        guard let run else { return }
        defer { loadEnded.signal() }
        let localStart = start.startAtUnixNanos - offset
        while case let wait = localStart - UnixClock.nanoseconds(), wait > 0, !state.withLockedValue({ $0.stopRequested }) {
            usleep(useconds_t(min(wait / 1000, 50_000)))
        }
        let startedAt = UnixClock.nanoseconds() + offset
        let outcome = run.runSegment(vars: start.setupVars) { second, metrics in
            outbox.yield(.with {
                $0.interval.index = UInt32(second)
                $0.interval.metrics = Stampede_Distributed_V1_Metrics(metrics)
                $0.interval.startedAtUnixNanos = startedAt
            })
        }
        if let fault = outcome.codeFault {
            // A mistake in the test's code: the coordinator hears why and stops the test.
            log(fault)
            state.withLockedValue { if $0.ending == nil { $0.ending = .failed(fault) } }
            outbox.yield(.with { $0.failure.reason = fault })
            outbox.finish()
            return
        }
        outbox.yield(.with {
            $0.done.lastIndex = Int32(outcome.lastIndex)
            $0.done.gaugesAtEnd = outcome.gaugesAtEnd.map(Stampede_Distributed_V1_GaugeValue.init)
        })
        state.withLockedValue { $0.doneSent = true }
        // Nothing more to say: the coordinator closes its side after teardown.
        outbox.finish()
    }
}
