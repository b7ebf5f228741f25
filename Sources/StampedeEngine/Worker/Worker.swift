import CCurl
import Foundation
import StampedeDSL
import StampedeMetrics
import Synchronization

/// One load-generating thread: it owns a libcurl multi handle, the VUs of its segments,
/// their think-time timers and its own metric set. Nothing on its request path takes a lock
/// or allocates; once a second it hands its metrics to the aggregator and starts a new set.
final class Worker: @unchecked Sendable {
    let id: Int
    private let multi = CurlMulti()
    private var timers = TimerQueue()
    private var metrics: MetricSet
    private let registry: MetricRegistry
    private let aggregator: IntervalAggregator
    private(set) var scenarios: [ScenarioRunner] = []
    private let stopRequested = Atomic<Bool>(false)
    private let finished: DispatchSemaphore
    /// Handles were added since the last `perform`: drive them before polling.
    private var addedTransfers = false
    private var intervalIndex = 0
    private var nextTick: UInt64 = 0
    private var totalVUs = 0
    /// The most VUs in an iteration at once during the current interval: its `vus` value.
    private var peakBusyVUs = 0
    private var busyVUs = 0

    init(id: Int, registry: MetricRegistry, aggregator: IntervalAggregator, finished: DispatchSemaphore) {
        self.id = id
        self.registry = registry
        self.aggregator = aggregator
        self.finished = finished
        metrics = MetricSet(registry: registry)
    }

    /// Adds a scenario segment to run; before `start` only.
    func add(_ scenario: Scenario, segment: ExecutionSegment, baseURL: String?, timeoutMilliseconds: Int) throws(PlanError) {
        let runner = try ScenarioRunner(
            scenario: scenario, segment: segment, baseURL: baseURL, worker: self, timeoutMilliseconds: timeoutMilliseconds)
        scenarios.append(runner)
    }

    /// A scenario allocated a VU (up front, or mid-run for an arrival-rate executor).
    func vuAdded() { totalVUs += 1 }

    func dropIteration() { metrics.add(BuiltinMetrics.droppedIterations, 1) }

    /// Starts the worker's thread; intervals are counted from `runStart`.
    func start(runStart: UInt64) {
        nextTick = runStart + 1_000_000_000
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "stampede-worker-\(id)"
        thread.start()
    }

    /// Asks the worker to interrupt its VUs and end; safe from any thread.
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        multi.wakeup()
    }

    // MARK: The loop

    private func run() {
        let startedAt = MonotonicClock.now()
        for scenario in scenarios { scenario.executor.start(now: startedAt, vus: scenario) }
        while true {
            if stopRequested.load(ordering: .relaxed) {
                for scenario in scenarios { scenario.interruptAll(now: MonotonicClock.now()) }
                break
            }
            addedTransfers = false
            multi.perform()
            var now = MonotonicClock.now()
            while let (handle, result) = multi.nextCompletion() {
                complete(VirtualUser.owning(handle), result: result, now: now)
            }
            now = MonotonicClock.now()
            while let vu = timers.popDue(now: now) {
                vu.step += 1
                advance(vu, now: now)
            }
            var nextWake = timers.nextDeadline
            for scenario in scenarios {
                if scenario.executor.nextWake <= now { scenario.executor.wake(now: now, vus: scenario) }
                nextWake = min(nextWake, scenario.executor.nextWake)
            }
            if now >= nextTick { submitInterval(isLast: false) }
            if scenarios.allSatisfy(\.isFinished) { break }
            if addedTransfers { continue }
            nextWake = min(nextWake, nextTick)
            let milliseconds = nextWake <= now ? 0 : min(1000, (nextWake - now + 999_999) / 1_000_000)
            multi.poll(timeoutMilliseconds: Int32(milliseconds))
        }
        submitInterval(isLast: true)
    }

    private func submitInterval(isLast: Bool) {
        metrics.set(BuiltinMetrics.vus, Double(peakBusyVUs))
        peakBusyVUs = busyVUs
        metrics.set(BuiltinMetrics.vusMax, Double(totalVUs))
        aggregator.submit(IntervalReport(worker: id, index: intervalIndex, metrics: metrics, isLast: isLast))
        metrics = MetricSet(registry: registry)
        intervalIndex += 1
        nextTick += 1_000_000_000
    }

    // MARK: VU steps

    func startIteration(_ vu: VirtualUser, now: UInt64) {
        vu.step = 0
        vu.iterationStartedAt = now
        vu.scenario.busyCount += 1
        busyVUs += 1
        if busyVUs > peakBusyVUs { peakBusyVUs = busyVUs }
        advance(vu, now: now)
    }

    /// Runs the VU's flow from its current step until it waits for a response or a timer,
    /// or its iteration ends.
    private func advance(_ vu: VirtualUser, now: UInt64) {
        let steps = vu.scenario.steps
        guard vu.step < steps.count else { return endIteration(vu, now: now) }
        switch steps[vu.step] {
        case .request(let request):
            if vu.armedStep != vu.step {
                vu.easy.configure(for: request)
                vu.armedStep = vu.step
            }
            vu.requestStartedAt = now
            vu.transferStartedAt = 0
            vu.state = .waitingForResponse
            multi.add(vu.easy)
            addedTransfers = true
        case .think(let nanoseconds):
            vu.state = .thinking
            timers.schedule(vu, at: now &+ nanoseconds)
        }
    }

    private func complete(_ vu: VirtualUser, result: CURLcode, now: UInt64) {
        multi.remove(vu.easy)
        guard case .request(let request) = vu.scenario.steps[vu.step] else { preconditionFailure("a response for a think step") }
        record(vu, request, result: result, now: now)
        vu.step += 1
        advance(vu, now: now)
    }

    private func endIteration(_ vu: VirtualUser, now: UInt64) {
        vu.state = .idle
        vu.scenario.busyCount -= 1
        busyVUs -= 1
        metrics.record(BuiltinMetrics.iterationDuration, microseconds(now &- vu.iterationStartedAt))
        metrics.add(BuiltinMetrics.iterations, 1)
        vu.scenario.executor.iterationEnded(vu: vu.index, now: now, vus: vu.scenario)
    }

    /// Cuts the VU's iteration short: its in-flight request is dropped, not recorded (as k6).
    func interrupt(_ vu: VirtualUser) {
        switch vu.state {
        case .idle: return
        case .waitingForResponse: multi.remove(vu.easy)
        case .thinking: vu.timerGeneration &+= 1
        }
        vu.state = .idle
        vu.scenario.busyCount -= 1
        busyVUs -= 1
        metrics.interruptedIterations += 1
    }

    // MARK: Request metrics

    /// Records one finished request. Latency is taken on the engine's own clock (the
    /// request was handed to libcurl at `requestStartedAt`, its connection was ready at
    /// `transferStartedAt`, its completion was read at `now`); libcurl's phase timings only
    /// split that time.
    @inline(__always)
    private func record(_ vu: VirtualUser, _ request: PreparedRequest, result: CURLcode, now: UInt64) {
        let easy: CurlEasy = vu.easy
        let started = vu.transferStartedAt != 0 ? vu.transferStartedAt : now
        let nameLookup = easy.infoOffset(CURLINFO_NAMELOOKUP_TIME_T)
        let connect = easy.infoOffset(CURLINFO_CONNECT_TIME_T)
        let appConnect = easy.infoOffset(CURLINFO_APPCONNECT_TIME_T)
        let preTransfer = easy.infoOffset(CURLINFO_PRETRANSFER_TIME_T)
        let startTransfer = easy.infoOffset(CURLINFO_STARTTRANSFER_TIME_T)
        let total = easy.infoOffset(CURLINFO_TOTAL_TIME_T)

        let connecting = connect > 0 ? UInt64(max(0, connect - nameLookup)) : 0
        let tls = appConnect > 0 ? UInt64(max(0, appConnect - connect)) : 0
        let setup = microseconds(started &- vu.requestStartedAt)
        let blocked = setup > connecting + tls ? setup - connecting - tls : 0
        let duration = microseconds(now &- started)
        let waiting = startTransfer > 0 ? UInt64(max(0, startTransfer - preTransfer)) : 0
        let receiving = startTransfer > 0 ? UInt64(max(0, total - startTransfer)) : 0
        let sending = duration > waiting + receiving ? duration - waiting - receiving : 0

        metrics.record(BuiltinMetrics.httpReqDuration, duration)
        metrics.record(BuiltinMetrics.httpReqBlocked, blocked)
        metrics.record(BuiltinMetrics.httpReqConnecting, connecting)
        metrics.record(BuiltinMetrics.httpReqTLSHandshaking, tls)
        metrics.record(BuiltinMetrics.httpReqSending, sending)
        metrics.record(BuiltinMetrics.httpReqWaiting, waiting)
        metrics.record(BuiltinMetrics.httpReqReceiving, receiving)
        metrics.add(BuiltinMetrics.httpReqs, 1)
        let uploaded = request.sendsBodyAfterHeaders ? max(0, easy.infoOffset(CURLINFO_SIZE_UPLOAD_T)) : 0
        metrics.add(BuiltinMetrics.dataSent, UInt64(easy.info(CURLINFO_REQUEST_SIZE) + uploaded))
        metrics.add(BuiltinMetrics.dataReceived, UInt64(easy.info(CURLINFO_HEADER_SIZE)) &+ UInt64(max(0, easy.infoOffset(CURLINFO_SIZE_DOWNLOAD_T))))

        let status = easy.info(CURLINFO_RESPONSE_CODE)
        let expected = result == CURLE_OK && (200..<400).contains(status)
        metrics.record(BuiltinMetrics.httpReqFailed, !expected)
        if expected {
            metrics.record(BuiltinMetrics.httpReqDurationExpected, duration)
        } else if result != CURLE_OK {
            metrics.count(ErrorClass(curlCode: result, osErrno: easy.info(CURLINFO_OS_ERRNO)))
        } else {
            metrics.count(ErrorClass(unexpectedStatus: status))
        }
    }
}

extension VirtualUser {
    /// The VU that owns a libcurl easy handle, from the pointer stored in `CURLOPT_PRIVATE`.
    @inline(__always)
    static func owning(_ handle: UnsafeMutableRawPointer) -> VirtualUser {
        var owner: UnsafeMutableRawPointer? = nil
        stampede_easy_getinfo_ptr(handle, CURLINFO_PRIVATE, &owner)
        return Unmanaged<VirtualUser>.fromOpaque(owner!).takeUnretainedValue()
    }
}

/// Nanoseconds to whole microseconds, rounded.
@inline(__always)
func microseconds(_ nanoseconds: UInt64) -> UInt64 { (nanoseconds &+ 500) / 1000 }
