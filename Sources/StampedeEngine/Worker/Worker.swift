import CCurl
import Foundation
import StampedeDSL
import StampedeMetrics
import Synchronization

/// One load-generating thread: it owns a libcurl multi handle, the VUs of its segments,
/// their timers and its own metric set. Nothing on its request path takes a lock or awaits,
/// and a request with no template allocates nothing; once a second it hands its metrics to
/// the aggregator and starts a new set.
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
    /// Told of a mistake in a scenario's code; it stops the run.
    private let onCodeFault: @Sendable (String) -> Void
    private var random = SystemRandomNumberGenerator()
    /// Handles were added since the last `perform`: drive them before polling.
    private var addedTransfers = false
    private var runStart: UInt64 = 0
    private var intervalIndex = 0
    private var nextTick: UInt64 = 0
    private var totalVUs = 0
    private var busyVUs = 0
    /// The most VUs in an iteration at once during the current interval: its `vus` value.
    private var peakBusyVUs = 0
    /// Every sample is kept in `metrics.samples` (the run has a `SampleSink`).
    private let sampling: Bool
    /// Added to a monotonic time, gives Unix time: samples carry wall-clock timestamps.
    private var unixOffset: UInt64 = 0

    init(
        id: Int, registry: MetricRegistry, aggregator: IntervalAggregator, settings: HTTPSettings, sampling: Bool,
        finished: DispatchSemaphore, onCodeFault: @escaping @Sendable (String) -> Void
    ) {
        self.id = id
        self.sampling = sampling
        self.onCodeFault = onCodeFault
        settings.apply(to: multi)
        self.registry = registry
        self.aggregator = aggregator
        self.finished = finished
        metrics = MetricSet(registry: registry)
        if sampling { metrics.samples = SampleLog() }
    }

    /// Adds a scenario segment to run; before `start` only.
    func add(_ configuration: ScenarioRunner.Configuration) {
        scenarios.append(ScenarioRunner(configuration, worker: self))
    }

    /// A scenario allocated a VU (up front, or mid-run for an arrival-rate executor).
    func vuAdded() { totalVUs += 1 }

    func dropIteration() { metrics.add(BuiltinMetrics.droppedIterations, 1) }

    /// Starts the worker's thread; scenarios' start times and intervals count from `runStart`.
    func start(runStart: UInt64) {
        self.runStart = runStart
        unixOffset = UInt64(UnixClock.nanoseconds()) &- MonotonicClock.now()
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
        while true {
            if stopRequested.load(ordering: .relaxed) {
                for scenario in scenarios { scenario.interruptAll(now: MonotonicClock.now()) }
                break
            }
            addedTransfers = false
            multi.perform()
            var now = MonotonicClock.now()
            while let (handle, result) = multi.nextCompletion() {
                complete(Transfer.owning(handle), result: result, now: now)
            }
            now = MonotonicClock.now()
            while let vu = timers.popDue(now: now) {
                if vu.state == .pacing {
                    beginIteration(vu, now: now)
                } else {
                    vu.step += 1
                    advance(vu, now: now)
                }
            }
            var nextWake = timers.nextDeadline
            for scenario in scenarios {
                if !scenario.isStarted {
                    let startAt = runStart &+ scenario.startOffset
                    if now >= startAt {
                        scenario.isStarted = true
                        scenario.executor.start(now: now, vus: scenario)
                    } else {
                        nextWake = min(nextWake, startAt)
                        continue
                    }
                }
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
        metrics.set(BuiltinMetrics.vusMax, Double(totalVUs))
        peakBusyVUs = busyVUs
        // Counted here, once a second, so the request path keeps no count of its own.
        metrics.queues = WorkerQueues(
            timers: timers.count,
            transfers: scenarios.reduce(0) { sum, scenario in scenario.vus.reduce(sum) { $0 + $1.transfers.count(where: \.isActive) } },
            executorQueue: scenarios.reduce(0) { $0 + $1.executor.queued })
        var atEnd: [Gauge]?
        if isLast {
            var gauges = Array(repeating: Gauge(), count: registry.gaugeCount)
            gauges[BuiltinMetrics.vus.slot].set(Double(busyVUs))
            gauges[BuiltinMetrics.vusMax.slot].set(Double(totalVUs))
            atEnd = gauges
        }
        let samples = metrics.samples
        aggregator.submit(IntervalReport(worker: id, index: intervalIndex, metrics: metrics, gaugesAtEnd: atEnd))
        metrics = MetricSet(registry: registry)
        if sampling { metrics.samples = SampleLog(sizedLike: samples) }
        intervalIndex += 1
        nextTick += 1_000_000_000
    }

    // MARK: VU steps

    /// The executor asks VU `vu` to run an iteration that was due at `dueAt`: now, or when
    /// its pacing allows.
    func startIteration(_ vu: VirtualUser, now: UInt64, dueAt: UInt64) {
        guard !vu.scenario.feederExhausted else { return }
        vu.scenario.busyCount += 1
        busyVUs += 1
        if busyVUs > peakBusyVUs { peakBusyVUs = busyVUs }
        if vu.scenario.pacing != nil && now < vu.nextIterationAt {
            // Pacing holds the iteration back: it is due when pacing lets it start.
            vu.pendingDueAt = max(dueAt, vu.nextIterationAt)
            vu.state = .pacing
            timers.schedule(vu, at: vu.nextIterationAt)
        } else {
            vu.pendingDueAt = dueAt
            beginIteration(vu, now: now)
        }
    }

    private func beginIteration(_ vu: VirtualUser, now: UInt64) {
        let scenario = vu.scenario
        if let feeder = scenario.feeder {
            guard let row = feeder.row(forVU: vu.id, random: &random) else {
                scenario.feederExhausted = true
                return settle(vu)
            }
            vu.vars.merge(row) { _, new in new }
        }
        vu.step = 0
        vu.isFirstRequestOfIteration = true
        vu.iterations += 1
        vu.groupStarts.removeAll(keepingCapacity: true)
        vu.iterationStartedAt = now
        vu.iterationSent = 0
        vu.iterationReceived = 0
        vu.nextIterationAt = now &+ (scenario.pacing ?? 0)
        advance(vu, now: now)
    }

    /// Runs the VU's program from its current instruction until it waits for a response or
    /// a timer, or its iteration ends.
    private func advance(_ vu: VirtualUser, now: UInt64) {
        let instructions = vu.scenario.program.instructions
        while vu.step < instructions.count {
            switch instructions[vu.step] {
            case .request(let request):
                vu.outstanding = 1
                return send(request, on: vu.transfers[0], now: now)
            case .batch(let requests):
                // All at once, each on a transfer of its own; the step ends with the last response.
                vu.outstanding = requests.count
                for (index, request) in requests.enumerated() { send(request, on: vu.transfer(index), now: now) }
                return
            case .think(let time):
                // A pause is meant: the request after it is due when the pause ends.
                vu.pendingDueAt = 0
                vu.state = .thinking
                return timers.schedule(vu, at: now &+ sample(time))
            case .enterGroup:
                vu.groupStarts.append(now)
                vu.step += 1
            case .leaveGroup(let tags):
                let duration = microseconds(now &- vu.groupStarts.removeLast())
                metrics.record(BuiltinMetrics.groupDuration, duration)
                if sampling { metrics.samples!.groups.append(TaggedSample(time: now &+ unixOffset, tags: tags, value: duration)) }
                vu.step += 1
            case .code(let code, let routes):
                var context = vu.context
                vu.vars = [:]  // leaves the context the only owner, so the code's writes do not copy
                swap(&context.samples, &vu.samples)  // the VU's kept buffer: recording reuses its capacity
                code.body(&context)
                vu.vars = context.vars
                for sample in context.samples { record(sample, routes, step: code.name, now: now) }
                context.samples.removeAll(keepingCapacity: true)
                swap(&context.samples, &vu.samples)
                vu.step += 1
            case .jumpUnless(let condition, let target):
                vu.step = condition.holds(in: vu.context) ? vu.step + 1 : target
            case .jump(let target):
                vu.step = target
            case .loopStart(let counter, let count, let exit):
                vu.loopCounters[counter] = count
                vu.step = count > 0 ? vu.step + 1 : exit
            case .loopEnd(let counter, let bodyStart):
                vu.loopCounters[counter] -= 1
                vu.step = vu.loopCounters[counter] > 0 ? bodyStart : vu.step + 1
            }
        }
        endIteration(vu, now: now)
    }

    private func send(_ request: RequestProgram, on transfer: Transfer, now: UInt64) {
        let vu = transfer.vu
        let prepared: PreparedRequest
        if let fixed = request.prepared {
            prepared = fixed
        } else {
            let context = vu.context
            let body = request.spec.multipart.map { MultipartBody.render($0, context: context, files: vu.scenario.files) }
                ?? request.body.map { Array($0.render(context).utf8) } ?? request.spec.body
            prepared = PreparedRequest(
                method: request.spec.method, url: request.url.render(context),
                headers: request.headers.map { ($0.name, $0.value.render(context)) } + request.defaultHeaders, body: body,
                settings: vu.scenario.settings)
            transfer.rendered = prepared
        }
        let easy: CurlEasy = transfer.easy
        if transfer.armed !== prepared {
            easy.configure(for: prepared)
            transfer.armed = prepared
        }
        let settings = vu.scenario.settings
        let ownConnection = settings.forbidsReuse(of: prepared.url)
        easy.timeoutMilliseconds = request.timeoutMilliseconds ?? vu.scenario.timeoutMilliseconds
        easy.forbidReuse = ownConnection
        easy.freshConnect = ownConnection || (settings.options.noVUConnectionReuse && vu.isFirstRequestOfIteration)
        easy.capturesHeaders = request.needsHeaders
        transfer.capturesBody = request.needsBody
        if request.inspectsResponse {
            transfer.responseBody.removeAll(keepingCapacity: true)
            transfer.responseHeaders.removeAll(keepingCapacity: true)
        }
        transfer.request = request
        transfer.startedAt = now
        transfer.dueAt = vu.pendingDueAt != 0 ? min(vu.pendingDueAt, now) : now
        transfer.connectionReadyAt = 0
        vu.state = .waitingForResponse
        multi.add(easy)
        addedTransfers = true
    }

    private func complete(_ transfer: Transfer, result: CURLcode, now: UInt64) {
        multi.remove(transfer.easy)
        guard let request = transfer.request else { preconditionFailure("a response for a transfer that sent no request") }
        let vu = transfer.vu
        let (status, duration, proto) = record(transfer, request, result: result, now: now)
        if request.inspectsResponse { inspect(request, status: status, duration: duration, proto: proto, transfer: transfer, now: now) }
        transfer.request = nil
        transfer.rendered = nil
        vu.outstanding -= 1
        guard vu.outstanding == 0 else { return }
        vu.pendingDueAt = 0
        vu.isFirstRequestOfIteration = false
        vu.step += 1
        advance(vu, now: now)
    }

    private func inspect(_ request: RequestProgram, status: Int, duration: UInt64, proto: String, transfer: Transfer, now: UInt64) {
        let vu = transfer.vu
        var response = ResponseInspector(
            status: status, proto: proto, body: transfer.responseBody, headerBytes: transfer.responseHeaders,
            durationMicroseconds: duration, patterns: request.patterns)
        let context = vu.context
        for (index, check) in request.spec.checks.enumerated() {
            let passed = response.passes(check.condition, expected: request.checkTemplates[index], context: context)
            metrics.recordCheck(slot: request.checkSlots[index], passed: passed)
            if sampling {
                metrics.samples!.checks.append(TaggedSample(time: now &+ unixOffset, tags: request.checkSampleTags[index], value: passed ? 1 : 0))
            }
            for route in request.checkRoutes[index] { metrics.rates[route.target.slot].record(passed) }
        }
        for extraction in request.spec.extractions {
            vu.vars[extraction.variable] = response.extract(extraction.source)
        }
    }

    private func endIteration(_ vu: VirtualUser, now: UInt64) {
        let duration = microseconds(now &- vu.iterationStartedAt)
        metrics.record(BuiltinMetrics.iterationDuration, duration)
        metrics.add(BuiltinMetrics.iterations, 1)
        if sampling {
            metrics.samples!.iterations.append(IterationSample(
                time: now &+ unixOffset, tags: vu.scenario.configuration.iterationTags, duration: duration,
                sent: vu.iterationSent, received: vu.iterationReceived))
        }
        for route in vu.scenario.iterationRoutes {
            if route.target.kind == .trend { metrics.trends[route.target.slot].record(duration) } else { metrics.counters[route.target.slot] &+= 1 }
        }
        settle(vu)
        vu.scenario.executor.iterationEnded(vu: vu.index, now: now, vus: vu.scenario)
    }

    /// Marks the VU idle.
    private func settle(_ vu: VirtualUser) {
        vu.state = .idle
        vu.scenario.busyCount -= 1
        busyVUs -= 1
    }

    /// Cuts the VU's iteration short: its requests in flight are dropped, not recorded (as k6).
    func interrupt(_ vu: VirtualUser) {
        switch vu.state {
        case .idle: return
        case .waitingForResponse:
            for transfer in vu.transfers where transfer.isActive {
                multi.remove(transfer.easy)
                transfer.request = nil
                transfer.rendered = nil
            }
            vu.outstanding = 0
        case .thinking, .pacing:
            vu.timerGeneration &+= 1
        }
        if vu.state != .pacing { metrics.interruptedIterations += 1 }
        settle(vu)
    }

    private func sample(_ time: ThinkTime) -> UInt64 {
        switch time {
        case .fixed(let duration):
            return UInt64(max(0, duration.nanoseconds))
        case .uniform(let low, let high):
            return UInt64.random(in: UInt64(max(0, low.nanoseconds))...UInt64(max(0, high.nanoseconds)), using: &random)
        case .exponential(let mean):
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &random)
            return UInt64(-log(u) * Double(max(0, mean.nanoseconds)))
        }
    }

    // MARK: Custom metrics

    /// Takes a value a code step recorded into the custom metric it names and the metric's
    /// sub-metrics for the step's scenario and group. A metric the test did not declare is a
    /// mistake in the scenario's code, which no check before the load can see: the value is
    /// dropped and the run stops, saying why.
    private func record(_ sample: MetricSample, _ routes: CustomMetricRoutes, step: String, now: UInt64) {
        let metric = sample.metric
        guard let entry = routes.byName[metric.name] else {
            return onCodeFault("code step '\(step)' records into metric '\(metric.name)', which the test does not declare in its metrics")
        }
        let value: Double
        switch (sample.value, entry.kind) {
        case (.counter(let amount), .counter):
            for slot in entry.slots { metrics.counters[slot] &+= amount }
            value = Double(amount)
        case (.gauge(let gauge), .gauge):
            for slot in entry.slots { metrics.gauges[slot].set(gauge, at: now &- runStart) }
            value = gauge
        case (.rate(let passed), .rate):
            for slot in entry.slots { metrics.rates[slot].record(passed) }
            value = passed ? 1 : 0
        case (.trend(let trend), .trend):
            for slot in entry.slots { metrics.trends[slot].record(inUnit: trend) }
            value = trend
        default:
            return onCodeFault("code step '\(step)' records a \(metric.kind.rawValue) value into metric '\(metric.name)', which the test declares as a \(entry.kind.rawValue)")
        }
        if sampling {
            metrics.samples!.custom.append(CustomSample(time: now &+ unixOffset, tags: routes.sampleTags, metric: entry.index, value: value))
        }
    }

    // MARK: Request metrics

    /// One request's figures, in microseconds and bytes.
    private struct RequestMeasurement {
        var duration: UInt64 = 0, latency: UInt64 = 0, blocked: UInt64 = 0, connecting: UInt64 = 0, tls: UInt64 = 0
        var sending: UInt64 = 0, waiting: UInt64 = 0, receiving: UInt64 = 0
        var sent: UInt64 = 0, received: UInt64 = 0
        var status = 0
        /// k6's `proto` tag: `HTTP/1.1`, `HTTP/2.0`.
        var proto = ""
        var expected = false

        /// The value a metric of the built-in request trends takes, by its slot.
        @inline(__always)
        func trendValue(_ id: TrendID) -> UInt64 {
            switch id {
            case BuiltinMetrics.httpReqLatency: latency
            case BuiltinMetrics.httpReqBlocked: blocked
            case BuiltinMetrics.httpReqConnecting: connecting
            case BuiltinMetrics.httpReqTLSHandshaking: tls
            case BuiltinMetrics.httpReqSending: sending
            case BuiltinMetrics.httpReqWaiting: waiting
            case BuiltinMetrics.httpReqReceiving: receiving
            default: duration
            }
        }

        @inline(__always)
        func counterValue(_ id: CounterID) -> UInt64 {
            switch id {
            case BuiltinMetrics.dataSent: sent
            case BuiltinMetrics.dataReceived: received
            default: 1
            }
        }
    }

    /// Records one finished request and returns its status, `http_req_duration` and protocol.
    /// Latency is taken on the engine's own clock (the request was handed to libcurl at
    /// `startedAt`, its connection was ready at `connectionReadyAt`, its completion was read
    /// at `now`); libcurl's phase timings only split that time.
    @inline(__always)
    private func record(_ transfer: Transfer, _ request: RequestProgram, result: CURLcode, now: UInt64) -> (status: Int, duration: UInt64, proto: String) {
        let easy: CurlEasy = transfer.easy
        let started = transfer.connectionReadyAt != 0 ? transfer.connectionReadyAt : now
        let nameLookup = easy.infoOffset(CURLINFO_NAMELOOKUP_TIME_T)
        let connect = easy.infoOffset(CURLINFO_CONNECT_TIME_T)
        let appConnect = easy.infoOffset(CURLINFO_APPCONNECT_TIME_T)
        let preTransfer = easy.infoOffset(CURLINFO_PRETRANSFER_TIME_T)
        let startTransfer = easy.infoOffset(CURLINFO_STARTTRANSFER_TIME_T)
        let total = easy.infoOffset(CURLINFO_TOTAL_TIME_T)

        var m = RequestMeasurement()
        m.connecting = connect > 0 ? UInt64(max(0, connect - nameLookup)) : 0
        m.tls = appConnect > 0 ? UInt64(max(0, appConnect - connect)) : 0
        let setup = microseconds(started &- transfer.startedAt)
        m.blocked = setup > m.connecting + m.tls ? setup - m.connecting - m.tls : 0
        m.duration = microseconds(now &- started)
        m.latency = microseconds(now &- transfer.dueAt)
        m.waiting = startTransfer > 0 ? UInt64(max(0, startTransfer - preTransfer)) : 0
        m.receiving = startTransfer > 0 ? UInt64(max(0, total - startTransfer)) : 0
        m.sending = m.duration > m.waiting + m.receiving ? m.duration - m.waiting - m.receiving : 0
        let uploaded = transfer.armed.map { $0.sendsBodyAfterHeaders ? max(0, easy.infoOffset(CURLINFO_SIZE_UPLOAD_T)) : 0 } ?? 0
        m.sent = UInt64(easy.info(CURLINFO_REQUEST_SIZE) + uploaded)
        m.received = UInt64(easy.info(CURLINFO_HEADER_SIZE)) &+ UInt64(max(0, easy.infoOffset(CURLINFO_SIZE_DOWNLOAD_T)))
        m.status = easy.info(CURLINFO_RESPONSE_CODE)
        m.proto = Self.protocolName(easy.info(CURLINFO_HTTP_VERSION))
        m.expected = result == CURLE_OK && request.spec.expectedStatuses.contains(m.status)

        metrics.record(BuiltinMetrics.httpReqDuration, m.duration)
        metrics.record(BuiltinMetrics.httpReqLatency, m.latency)
        metrics.record(BuiltinMetrics.httpReqBlocked, m.blocked)
        metrics.record(BuiltinMetrics.httpReqConnecting, m.connecting)
        metrics.record(BuiltinMetrics.httpReqTLSHandshaking, m.tls)
        metrics.record(BuiltinMetrics.httpReqSending, m.sending)
        metrics.record(BuiltinMetrics.httpReqWaiting, m.waiting)
        metrics.record(BuiltinMetrics.httpReqReceiving, m.receiving)
        // Every hop of a followed redirect crossed the network as a request of its own.
        metrics.add(BuiltinMetrics.httpReqs, 1 &+ UInt64(max(0, easy.info(CURLINFO_REDIRECT_COUNT))))
        metrics.add(BuiltinMetrics.dataSent, m.sent)
        metrics.add(BuiltinMetrics.dataReceived, m.received)
        metrics.record(BuiltinMetrics.httpReqFailed, !m.expected)
        let failure: ErrorClass? = m.expected ? nil
            : result != CURLE_OK ? ErrorClass(curlCode: result, osErrno: easy.info(CURLINFO_OS_ERRNO))
            : ErrorClass(unexpectedStatus: m.status)
        if let failure { metrics.count(failure) } else { metrics.record(BuiltinMetrics.httpReqDurationExpected, m.duration) }
        transfer.vu.iterationSent &+= m.sent
        transfer.vu.iterationReceived &+= m.received
        if sampling {
            metrics.samples!.requests.append(RequestSample(
                time: now &+ unixOffset, tags: request.sampleTags, status: Int32(clamping: m.status), proto: m.proto, expected: m.expected,
                error: failure, duration: m.duration, blocked: m.blocked, connecting: m.connecting, tls: m.tls, sending: m.sending,
                waiting: m.waiting, receiving: m.receiving, requests: 1 &+ UInt32(clamping: max(0, easy.info(CURLINFO_REDIRECT_COUNT)))))
        }
        for route in request.routes where route.accepts(status: m.status, expected: m.expected, proto: m.proto) {
            let target = route.target.slot
            switch route.target.kind {
            case .trend: metrics.trends[target].record(m.trendValue(TrendID(slot: route.parentSlot)))
            case .counter: metrics.counters[target] &+= m.counterValue(CounterID(slot: route.parentSlot))
            case .rate: metrics.rates[target].record(!m.expected)
            case .gauge: break
            }
        }
        return (m.status, m.duration, m.proto)
    }

    /// k6's spelling of the protocol libcurl used (`CURLINFO_HTTP_VERSION`).
    static func protocolName(_ version: Int) -> String {
        switch version {
        case CURL_HTTP_VERSION_1_0: "HTTP/1.0"
        case CURL_HTTP_VERSION_2_0: "HTTP/2.0"
        case 30: "HTTP/3.0"
        case 0: ""
        default: "HTTP/1.1"
        }
    }
}

extension Transfer {
    /// The transfer that owns a libcurl easy handle, from the pointer in `CURLOPT_PRIVATE`.
    @inline(__always)
    static func owning(_ handle: UnsafeMutableRawPointer) -> Transfer {
        var owner: UnsafeMutableRawPointer? = nil
        stampede_easy_getinfo_ptr(handle, CURLINFO_PRIVATE, &owner)
        return Unmanaged<Transfer>.fromOpaque(owner!).takeUnretainedValue()
    }
}

/// Nanoseconds to whole microseconds, rounded.
@inline(__always)
func microseconds(_ nanoseconds: UInt64) -> UInt64 { (nanoseconds &+ 500) / 1000 }
