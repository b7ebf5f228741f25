import ArgumentParser
import Foundation
import StampedeDistributed
import StampedeDSL
import StampedeEngine
import StampedeReports

/// `stampede worker`: dials a coordinator and runs its share of the coordinator's test.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Take part in a coordinator's distributed test ('stampede coordinator').",
        discussion: """
            Dials the coordinator (retrying until --connect-timeout), proves the shared \
            token, receives the test and its share of it, and runs that share on its threads \
            from the common start. Stops its load within 5 s when the coordinator dies or \
            goes silent. Exit codes: 0 after a test it took part in, 103 coordinator lost, \
            104 refused or cannot load the test, 105 interrupted or the test ended before \
            its start.
            """
    )

    @Option(help: ArgumentHelp("The coordinator's address.", valueName: "host:port"))
    var coordinator: String

    @Option(help: ArgumentHelp("A tag for the reports' per-tag breakdown, e.g. region=eu (repeatable).", valueName: "KEY=VALUE"))
    var tag: [String] = []

    @Option(help: "This worker's share of the load relative to the others' (1 to 1000).")
    var capacity = 1

    @Option(help: "Load-generating threads (default: the CPUs this process may use).")
    var workers = LoadRun.defaultWorkerCount

    @Option(help: "Name in the coordinator's reports (default: the host name).")
    var name: String?

    static let defaultConnectTimeout = Duration.seconds(60)
    @Option(
        parsing: .unconditional, help: Duration.help("How long to keep dialling a coordinator that is not up yet.", default: defaultConnectTimeout),
        transform: Duration.argument)
    var connectTimeout: Duration = defaultConnectTimeout

    @OptionGroup var security: SecurityOptions

    func validate() throws {
        guard HostAndPort(coordinator) != nil else { throw ValidationError("--coordinator '\(coordinator)' is not HOST:PORT") }
        guard (1...1000).contains(capacity) else { throw ValidationError("--capacity must be from 1 to 1000, got \(capacity)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard connectTimeout > .zero else { throw ValidationError("--connect-timeout must be longer than 0s") }
        try KeyValueArguments.validate(tag, flag: "--tag", form: "KEY=VALUE")
        if (security.tlsCert == nil) != (security.tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    func run() throws {
        let address = HostAndPort(coordinator)!
        let tags = KeyValueArguments.dictionary(tag)
        let threads = workers
        let agent = WorkerAgent(.init(
            host: address.host, port: address.port, name: name ?? hostName, tags: tags, capacity: capacity,
            security: security.security, connectTimeout: connectTimeout, stampedeVersion: StampedeVersion.current),
            loader: { json, folder, segment in try Self.load(json, folder: folder, segment: segment, threads: threads) },
            log: Self.log)
        SignalTrap.onSignal { agent.interrupt() }
        let ending = agent.run()
        switch ending {
        case .completed:
            Self.log("test done")
        case .stopped(let reason):
            throw UsageFailure(message: "the coordinator ended the test before the start: \(reason)", status: .abortedFromOutside)
        case .interrupted:
            throw UsageFailure(message: "interrupted; left the test", status: .abortedFromOutside)
        case .refused(let reason):
            throw UsageFailure(message: "refused: \(reason)")
        case .coordinatorLost(let reason):
            throw UsageFailure(message: "lost the coordinator: \(reason); load stopped", status: .workerLost)
        case .failed(let reason):
            throw UsageFailure(message: reason)
        }
    }

    /// Builds this worker's run of a shipped test, from the same request `run` builds from.
    static func load(_ json: Data, folder: URL, segment: ExecutionSegment, threads: Int) throws -> LoadRun {
        do {
            let request = try JSONDecoder().decode(TestRequest.self, from: json)
            let plan = try request.plan(shippedFolder: folder)
            let options = RunOptions(
                workers: threads, target: request.target, requestTimeout: request.timeout,
                env: request.environment(over: ProcessInfo.processInfo.environment), baseDirectory: folder, segment: segment)
            return try LoadRun(plan: plan, options: options)
        } catch let error as UsageFailure {
            throw TestLoadError(error.message)
        } catch let error as PlanError {
            throw TestLoadError(error.message)
        } catch {
            throw TestLoadError("the coordinator's test is unreadable: \(error)")
        }
    }

    static let log: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("worker: \(line)\n".utf8))
    }
}
