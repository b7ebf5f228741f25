import StampedeDSL

/// One virtual user: where it is in its scenario's flow, its variables, and the libcurl
/// handle (with its connection) it keeps across iterations. A plain state machine driven by
/// its worker:
///
///     idle ──start──▶ (pacing ──▶) running steps ⇄ waiting for a response / thinking ──▶ idle
///
/// Lives on its worker's thread only.
final class VirtualUser {
    enum State {
        case idle
        case waitingForResponse
        case thinking
        /// Waiting for its pacing interval before the iteration starts.
        case pacing
    }

    /// The VU's number in the whole test, from 1 (k6's `__VU`).
    let id: Int
    /// Its index among its scenario's VUs on this worker.
    let index: Int
    unowned let scenario: ScenarioRunner
    private(set) var easy: CurlEasy!

    var state = State.idle
    /// Index of the current instruction in the scenario's program.
    var step = 0
    /// Iterations started so far; the current one is `iterations - 1` (k6's `__ITER`).
    var iterations = 0
    var vars: [String: String]
    var loopCounters: [Int]
    /// Start times of the groups the VU is in, innermost last.
    var groupStarts: [UInt64] = []
    /// The request the easy handle is armed for, so a VU repeating one request skips re-arming.
    var armed: PreparedRequest?
    /// A templated request rendered for this VU, kept alive until its transfer ends.
    var rendered: PreparedRequest?
    var iterationStartedAt: UInt64 = 0
    /// The earliest time the next iteration may start (pacing).
    var nextIterationAt: UInt64 = 0
    /// No request of the current iteration has been sent yet.
    var isFirstRequestOfIteration = false
    /// When the iteration was due (arrival-rate executors), until its first request is sent.
    var pendingDueAt: UInt64 = 0
    /// When the current request was due: its iteration's due time for the first request,
    /// the moment it was sent for the rest. `http_req_latency` counts from here.
    var requestDueAt: UInt64 = 0
    var requestStartedAt: UInt64 = 0
    /// Set by libcurl's pre-request callback when the connection is ready.
    var transferStartedAt: UInt64 = 0
    /// Bumped when a pending timer must be ignored.
    var timerGeneration: UInt32 = 0
    /// Whether the write callback keeps the body, for checks and extractions.
    var capturesBody = false
    var responseBody: [UInt8] = []
    var responseHeaders: [UInt8] = []

    init(id: Int, index: Int, scenario: ScenarioRunner, timeoutMilliseconds: Int) {
        self.id = id
        self.index = index
        self.scenario = scenario
        vars = scenario.initialVars
        loopCounters = Array(repeating: 0, count: scenario.program.loopCounters)
        easy = CurlEasy(
            owner: Unmanaged.passUnretained(self).toOpaque(), settings: scenario.settings, timeoutMilliseconds: timeoutMilliseconds)
    }

    var isBusy: Bool { state != .idle }

    /// What code steps, conditions and templates see of this VU.
    var context: VUContext {
        VUContext(vu: id, iteration: iterations - 1, vars: vars, env: scenario.env)
    }
}
