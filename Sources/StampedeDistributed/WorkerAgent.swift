import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOConcurrencyHelpers
import StampedeDSL
import StampedeEngine
import StampedeMetrics

/// A worker of a distributed run: it dials the coordinator, proves the token (and checks
/// the coordinator's proof), builds a `LoadRun` for the test and segment it is sent, starts
/// at the common start, streams each second's metrics, and stops when told to or when the
/// coordinator is gone: a load generator never runs unattended.
public final class WorkerAgent: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var name: String
        public var tags: [String: String]
        public var capacity: Int
        public var security: Security
        /// How long to keep dialling a coordinator that does not answer yet.
        public var connectTimeout: Duration
        public var stampedeVersion: String
        /// Silence from the coordinator after which it counts as lost (noticed within 5 s).
        public var silenceLimit: Duration = .seconds(4)

        public init(host: String, port: Int, name: String, tags: [String: String], capacity: Int, security: Security,
                    connectTimeout: Duration, stampedeVersion: String) {
            (self.host, self.port, self.name, self.tags, self.capacity) = (host, port, name, tags, capacity)
            (self.security, self.connectTimeout, self.stampedeVersion) = (security, connectTimeout, stampedeVersion)
        }
    }

    /// Builds the run for a shipped test: its request JSON, the folder its files were
    /// written to, and this worker's segment. Throws `TestLoadError` for a test it cannot run.
    public typealias Loader = @Sendable (_ request: Data, _ folder: URL, _ segment: ExecutionSegment) throws -> LoadRun

    /// How a worker's part in a test ended.
    public enum Ending: Sendable, Equatable {
        /// It ran its segment (or was stopped by the coordinator) and the coordinator closed.
        case completed
        /// The coordinator turned it away, or it did not trust the coordinator.
        case refused(String)
        /// The coordinator died, went silent or broke the stream.
        case coordinatorLost(String)
        /// It could not reach the coordinator, or could not load the test.
        case failed(String)
        /// The coordinator ended the test before this worker's load began.
        case stopped(String)
        /// A signal made it leave the test.
        case interrupted
    }

    private let settings: Settings
    private let loader: Loader
    private let log: @Sendable (String) -> Void
    private let current = NIOLockedValueBox<(session: WorkerSession?, interrupted: Bool)>((nil, false))

    public init(_ settings: Settings, loader: @escaping Loader, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.loader = loader
        self.log = log
    }

    /// Takes part in one test, blocking until it ends.
    public func run() -> Ending {
        let ending = NIOLockedValueBox<Ending?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result = await attend()
            ending.withLockedValue { $0 = result }
            done.signal()
        }
        done.wait()
        return ending.withLockedValue { $0 }!
    }

    /// Leaves the test (SIGINT, SIGTERM): the load stops, the coordinator sees this worker
    /// go, and `run` returns `.interrupted`. Safe from any thread.
    public func interrupt() {
        current.withLockedValue { current in
            current.interrupted = true
            return current.session
        }?.leave()
    }

    private func attend() async -> Ending {
        // Once the test is over for this worker, nothing holds its last session until exit.
        defer { current.withLockedValue { $0.session = nil } }
        let deadline = ContinuousClock.now + settings.connectTimeout
        var announced = false
        while true {
            let session = WorkerSession(settings: settings, loader: loader, log: log)
            guard current.withLockedValue({ current in
                current.session = session
                return !current.interrupted
            }) else { return .interrupted }
            let error = await attempt(session)
            if session.hasEnded || session.wasAnswered {
                let ending = session.conclude(error)
                session.stopLoad(waiting: true)
                session.cleanUp()
                return ending
            }
            guard ContinuousClock.now < deadline else {
                return .failed("cannot reach the coordinator at \(settings.host):\(settings.port) within \(settings.connectTimeout.humanReadable)\(error.map { ": " + CoordinatorService.describe($0) } ?? "")")
            }
            if !announced {
                log("waiting for the coordinator at \(settings.host):\(settings.port)")
                announced = true
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// One connection: the stream, beside a watch that gives the coordinator up when it
    /// falls silent. Returns what ended it, if anything failed.
    private func attempt(_ session: WorkerSession) async -> (any Error)? {
        let (host, port) = (settings.host, settings.port)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // An address is dialled as one: TLS takes no IP address as a server name (SNI).
                    var ipv4 = in_addr()
                    let target: any ResolvableTarget = host.contains(":") ? .ipv6(address: host, port: port)
                        : inet_pton(AF_INET, host, &ipv4) == 1 ? .ipv4(address: host, port: port) : .dns(host: host, port: port)
                    try await withGRPCClient(transport: .http2NIOPosix(target: target, transportSecurity: self.settings.security.client)) { client in
                        let coordination = Stampede_Distributed_V1_Coordination.Client(wrapping: client)
                        var options = CallOptions.defaults
                        options.waitForReady = false
                        // The test's files come in the Assignment: allow large feeders.
                        options.maxResponseMessageBytes = 1 << 30
                        try await coordination.attend(request: StreamingClientRequest { writer in
                            for await message in session.outgoing { try await writer.write(message) }
                        }, options: options) { response in
                            for try await message in response.messages { try session.handle(message) }
                        }
                    }
                }
                group.addTask { try await session.watch() }
                try await group.next()
                group.cancelAll()
            }
            return nil
        } catch {
            return error
        }
    }
}

/// A test a worker cannot load, in one line.
public struct TestLoadError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
