/// One virtual user: where it is in its scenario's flow, and the libcurl handle (with its
/// connection) it keeps across iterations. A plain state machine driven by its worker:
///
///     idle ──start──▶ running a step ──request done / think over──▶ next step … ──▶ idle
///
/// Lives on its worker's thread only.
final class VirtualUser {
    enum State {
        case idle
        case waitingForResponse
        case thinking
    }

    /// The VU's number in the whole test, from 1 (k6's `__VU`).
    let id: Int
    /// Its index among its scenario's VUs on this worker.
    let index: Int
    unowned let scenario: ScenarioRunner
    private(set) var easy: CurlEasy!

    var state = State.idle
    var step = 0
    /// The request step the easy handle is armed for, so a VU repeating one request skips re-arming.
    var armedStep = -1
    var iterationStartedAt: UInt64 = 0
    var requestStartedAt: UInt64 = 0
    /// Set by libcurl's pre-request callback when the connection is ready.
    var transferStartedAt: UInt64 = 0
    /// Bumped when a pending think timer must be ignored.
    var timerGeneration: UInt32 = 0

    init(id: Int, index: Int, scenario: ScenarioRunner, timeoutMilliseconds: Int) {
        self.id = id
        self.index = index
        self.scenario = scenario
        easy = CurlEasy(owner: Unmanaged.passUnretained(self).toOpaque(), timeoutMilliseconds: timeoutMilliseconds)
    }

    var isBusy: Bool { state != .idle }
}
