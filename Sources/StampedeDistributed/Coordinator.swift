import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOConcurrencyHelpers
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeReports

/// What the coordinator does when a worker dies or goes silent during the load.
public enum WorkerLossPolicy: String, Sendable, CaseIterable {
    /// Stop the run; the results so far are written (exit 103).
    case abort
    /// Go on with the other workers; the lost worker's segment is missing from the totals.
    case `continue`
}

/// A distributed run that cannot go on, in one line.
public struct CoordinatorError: Error, Sendable {
    public enum Cause: Sendable {
        /// The test cannot run: a worker cannot load it, the address cannot be bound.
        case configuration
        /// Workers went missing: lost, or not all joined in time.
        case loss
        /// Stopped from outside (Ctrl+C) before the load.
        case interrupted
    }

    public let message: String
    public let cause: Cause

    init(_ message: String, cause: Cause = .configuration) {
        self.message = message
        self.cause = cause
    }
}

/// The coordinator of a distributed run: it listens for workers, ships them the test and
/// their segments, holds the ready and start barriers, and is the `LoadPhase` its `LoadRun`
/// drives, so the merged seconds, thresholds, setup and teardown are the local run's own.
///
/// ```swift
/// let coordinator = try Coordinator(settings)        // listening
/// try coordinator.gather()                           // N workers joined and ready
/// let outcome = run.run(load: coordinator.load) { second, merged in … }
/// coordinator.finish()                               // streams closed, server down
/// ```
// Unchecked: its state is the roster's and `losses`' (each under a lock); the timer source is
// made in init and only cancelled by `finish`.
public final class Coordinator: @unchecked Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var workerCount: Int
        public var security: Security
        public var onWorkerLoss: WorkerLossPolicy
        /// How long to wait for all workers to join, and then for all to be ready.
        public var joinTimeout: Duration
        public var test: ShippedTest
        public var registry: MetricRegistry
        public var stampedeVersion: String
        /// Silence after which a worker counts as lost: with a heartbeat a second and a check
        /// every half second, a hung worker is noticed within 5 s.
        public var silenceLimit: Duration = .seconds(4)

        public init(host: String, port: Int, workerCount: Int, security: Security, onWorkerLoss: WorkerLossPolicy, joinTimeout: Duration,
                    test: ShippedTest, registry: MetricRegistry, stampedeVersion: String) {
            (self.host, self.port, self.workerCount, self.security) = (host, port, workerCount, security)
            (self.onWorkerLoss, self.joinTimeout, self.test, self.registry) = (onWorkerLoss, joinTimeout, test, registry)
            self.stampedeVersion = stampedeVersion
        }
    }

    /// The address it listens on (the real port when 0 was asked for).
    public let address: String
    /// The load phase to hand to `LoadRun.run(load:)`.
    public let load: any LoadPhase
    private let settings: Settings
    private let roster: Roster
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let serving: Task<Void, any Error>
    private let watchdog: DispatchSourceTimer
    private let losses = Losses()

    /// Lost workers' lines, what to call to stop the run when the policy aborts, and whether
    /// `finish` ran.
    private final class Losses: Sendable {
        let lines = NIOLockedValueBox<[String]>([])
        let stopRun = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
        let finished = NIOLockedValueBox(false)
    }

    /// Starts listening; `log` gets one line per event worth a user's attention.
    public init(_ settings: Settings, log: @escaping @Sendable (String) -> Void) throws(CoordinatorError) {
        self.settings = settings
        let losses = self.losses
        let policy = settings.onWorkerLoss
        roster = Roster(expected: settings.workerCount, registry: settings.registry, log: log) { line in
            losses.lines.withLockedValue { $0.append(line) }
            if policy == .abort { losses.stopRun.withLockedValue { $0 }?() }
        }
        load = RemoteLoad(roster: roster)
        let socket = try Self.listeningSocket(host: settings.host, port: settings.port)
        let transport = HTTP2ServerTransport.Posix(
            listeningSocketDescriptor: Int(socket), transportSecurity: settings.security.server,
            config: .defaults { $0.rpc.maxRequestPayloadSize = 4 << 20 })
        let service = CoordinatorService(roster: roster, security: settings.security, stampedeVersion: settings.stampedeVersion, log: log)
        let server = GRPCServer(transport: transport, services: [service])
        self.server = server
        serving = Task { try await server.serve() }
        let listening = NIOLockedValueBox<Result<String, any Error>?>(nil)
        let bound = DispatchSemaphore(value: 0)
        Task {
            do {
                let socket = try await transport.listeningAddress
                let text = socket.ipv4.map { "\($0.host):\($0.port)" } ?? socket.ipv6.map { "[\($0.host)]:\($0.port)" } ?? "\(socket)"
                listening.withLockedValue { $0 = .success(text) }
            } catch {
                listening.withLockedValue { $0 = .failure(error) }
            }
            bound.signal()
        }
        bound.wait()
        switch listening.withLockedValue({ $0 })! {
        case .success(let text): self.address = text
        case .failure(let error):
            server.beginGracefulShutdown()
            throw CoordinatorError("cannot listen on \(settings.host):\(settings.port): \(CoordinatorService.describe(error))")
        }
        // Heartbeats out once a second, and workers silent for too long given up.
        let roster = self.roster
        watchdog = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "stampede.coordinator.watchdog"))
        watchdog.schedule(deadline: .now() + 0.5, repeating: 0.5)
        let ticks = NIOLockedValueBox((beats: 0, stall: StallDetector(period: .milliseconds(500))))
        watchdog.setEventHandler {
            let (beat, stalled) = ticks.withLockedValue { ticks in
                ticks.beats += 1
                return (ticks.beats % 2 == 0, ticks.stall.tick(.now))
            }
            if beat { roster.broadcast(.with { $0.heartbeat.sentAtUnixNanos = UnixClock.nanoseconds() }) }
            // The coordinator itself did not run for a while: workers' messages may still wait to be read.
            if stalled { roster.excuseSilence() }
            for index in roster.silent(longerThan: settings.silenceLimit) {
                roster.lose(index, "silent for \(settings.silenceLimit.humanReadable)")
            }
        }
        watchdog.resume()
    }

    /// Binds and listens here rather than in gRPC, so a busy port or a foreign address says
    /// so in the system's words ("Address already in use").
    private static func listeningSocket(host: String, port: Int) throws(CoordinatorError) -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let info = found else {
            throw CoordinatorError("cannot listen on \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        var yes: Int32 = 1
        guard fd >= 0, setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) == 0,
              bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 1024) == 0
        else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw CoordinatorError("cannot listen on \(host):\(port): \(reason)")
        }
        return fd
    }

    /// Waits until every worker has joined, assigns each its segment and the test, and waits
    /// until every one is ready to start. Throws the first reason the test cannot start.
    public func gather() throws(CoordinatorError) {
        let deadline = ContinuousClock.now + settings.joinTimeout
        try wait(until: deadline, "\(settings.workerCount) workers to join") { $0.count == settings.workerCount }
        roster.close()
        let members = roster.members
        let segments = ExecutionSegment.split(weights: members.map(\.capacity))
        for (index, segment) in segments.enumerated() {
            roster.setPhase(.assigned, of: index)
            roster.send(.with {
                $0.assignment.workerIndex = UInt32(index)
                $0.assignment.workerCount = UInt32(members.count)
                $0.assignment.segmentFrom = UInt64(segment.from)
                $0.assignment.segmentTo = UInt64(segment.to)
                $0.assignment.segmentDenominator = UInt64(segment.denominator)
                $0.assignment.testRequestJson = settings.test.request
                $0.assignment.files = settings.test.files
                $0.assignment.layout = settings.registry.layout.map { slot in .with { ($0.kind, $0.name) = (slot.kind, slot.name) } }
            }, to: index)
        }
        try wait(until: ContinuousClock.now + settings.joinTimeout, "every worker to be ready") { members in
            members.allSatisfy { $0.phase == .ready }
        }
    }

    /// What `gather` waits for: `done` on the roster, or a failure, or the deadline.
    private func wait(until deadline: ContinuousClock.Instant, _ what: String, done: ([Roster.Member]) -> Bool) throws(CoordinatorError) {
        while true {
            if let failure = roster.failure { throw CoordinatorError(failure.message, cause: failure.cause) }
            let members = roster.members
            if done(members) { return }
            guard ContinuousClock.now < deadline else {
                roster.close()
                throw CoordinatorError(
                    "timed out after \(settings.joinTimeout.humanReadable) waiting for \(what) (\(members.count) joined)", cause: .loss)
            }
            _ = roster.changed.wait(timeout: .now() + .milliseconds(200))
        }
    }

    /// Ends `gather` from another thread (a signal): it throws, and the workers that joined
    /// are let go.
    public func interrupt() {
        roster.fail("interrupted while waiting for workers", cause: .interrupted)
    }

    /// What to call when a lost worker stops the run (`WorkerLossPolicy.abort`).
    public func onAbort(_ stop: @escaping @Sendable () -> Void) {
        losses.stopRun.withLockedValue { $0 = stop }
    }

    /// The lines that reported lost workers during the load.
    public var lostWorkers: [String] { losses.lines.withLockedValue { $0 } }

    /// Each worker's own totals and each tag's, and how far apart their load started.
    public var breakdown: DistributedBreakdown {
        let members = roster.members
        let starts = members.compactMap(\.startedAtUnixNanos)
        let skew = starts.isEmpty ? 0 : Double(starts.max()! - starts.min()!) / 1e6
        return DistributedBreakdown(
            workers: members.map { .init(name: $0.name, tags: $0.tags, totals: $0.totals, completed: $0.phase == .done) },
            startSkewMilliseconds: skew)
    }

    /// One worker's counts so far, for a live view of the run.
    public struct WorkerProgress: Sendable {
        public let name: String
        public let requests: UInt64
        public let failedRequests: UInt64
        /// Where it is in the test: `joined`, `assigned`, `ready`, `running`, `done` or `lost`.
        public let state: String
    }

    /// Each worker's requests and failed requests so far, in the order they joined: only
    /// counters, so reading it every second costs one short lock (`breakdown` merges trends).
    public var progress: [WorkerProgress] {
        roster.members.map {
            WorkerProgress(name: $0.name, requests: $0.totals.requests, failedRequests: $0.totals.failed.trues, state: "\($0.phase)")
        }
    }

    /// Ends every worker's stream (they exit; those still in the test are told `reason`)
    /// and stops listening.
    public func finish(reason: String = "the coordinator ended the test") {
        guard losses.finished.withLockedValue({ finished in
            defer { finished = true }
            return !finished
        }) else { return }
        watchdog.cancel()
        roster.endTest(reason: reason)
        server.beginGracefulShutdown()
        let closed = DispatchSemaphore(value: 0)
        let serving = self.serving
        Task {
            _ = try? await serving.value
            closed.signal()
        }
        // A hung worker never acknowledges a graceful close; the process's exit closes its
        // connection, so do not wait for it longer than the others need.
        _ = closed.wait(timeout: .now() + 1)
    }
}
