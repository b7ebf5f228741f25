import StampedeDSL

/// One virtual user: where it is in its scenario's flow, its variables, and its transfers
/// (the libcurl handles, with their connections and cookies, it keeps across iterations).
/// A plain state machine driven by its worker:
///
///     idle ──start──▶ (pacing ──▶) running steps ⇄ waiting for responses / thinking ──▶ idle
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
    /// Its transfers: the first carries single requests, the rest join it for batches.
    private(set) var transfers: [Transfer] = []
    /// Transfers of the current step still in flight.
    var outstanding = 0
    /// The VU's own connections (k6's way), or nil when a worker's VUs share theirs.
    private let pool: ConnectionPool?

    var state = State.idle
    /// Index of the current instruction in the scenario's program.
    var step = 0
    /// Iterations started so far; the current one is `iterations - 1` (k6's `__ITER`).
    var iterations = 0
    var vars: [String: String]
    var loopCounters: [Int]
    /// Start times of the groups the VU is in, innermost last.
    var groupStarts: [UInt64] = []
    var iterationStartedAt: UInt64 = 0
    /// Bytes the current iteration's requests sent and received, for its samples.
    var iterationSent: UInt64 = 0
    var iterationReceived: UInt64 = 0
    /// The earliest time the next iteration may start (pacing).
    var nextIterationAt: UInt64 = 0
    /// No request of the current iteration has been sent yet.
    var isFirstRequestOfIteration = false
    /// When the iteration was due (arrival-rate executors), until its first request is sent.
    var pendingDueAt: UInt64 = 0
    /// Bumped when a pending timer must be ignored.
    var timerGeneration: UInt32 = 0
    /// The buffer its code steps record custom metrics into, empty between steps: kept, so
    /// that recording reuses its capacity instead of allocating.
    var samples: [MetricSample] = []

    init(id: Int, index: Int, scenario: ScenarioRunner) {
        self.id = id
        self.index = index
        self.scenario = scenario
        vars = scenario.initialVars
        loopCounters = Array(repeating: 0, count: scenario.program.loopCounters)
        pool = scenario.settings.options.connectionScope == .vu ? ConnectionPool() : nil
        transfers = [Transfer(vu: self, pool: pool, settings: scenario.settings, timeoutMilliseconds: scenario.timeoutMilliseconds)]
    }

    var isBusy: Bool { state != .idle }

    /// The `index`-th transfer, made on first use (a batch wider than any before).
    func transfer(_ index: Int) -> Transfer {
        while transfers.count <= index {
            transfers.append(Transfer(vu: self, pool: pool, settings: scenario.settings, timeoutMilliseconds: scenario.timeoutMilliseconds))
        }
        return transfers[index]
    }

    /// What code steps, conditions and templates see of this VU.
    var context: VUContext {
        VUContext(vu: id, iteration: iterations - 1, vars: vars, env: scenario.env)
    }
}
