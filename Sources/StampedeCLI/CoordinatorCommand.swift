import ArgumentParser
import Foundation
import StampedeDashboard
import StampedeDistributed
import StampedeEngine
import StampedeReports
import StampedeScrape

/// `stampede coordinator`: runs a test across remote workers as one big machine.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run a test across workers ('stampede worker') as one machine.",
        discussion: """
            Waits for --workers workers to dial in, ships each the test and its share of it \
            (weighted by their --capacity), starts them together, merges their metrics each \
            second and judges thresholds on the merged data. Setup and teardown run here, \
            once. Prints and writes the same summary and results folder as 'run', with a \
            breakdown per worker and per worker tag. Exit codes as for 'run', and 103 when \
            a worker is lost (with --on-worker-loss abort).
            """
    )

    @OptionGroup var test: TestOptions

    @Option(help: ArgumentHelp("Address to listen on for workers.", valueName: "host:port"))
    var listen = "127.0.0.1:6575"

    @Option(help: "Workers to wait for; the test starts when all have joined.")
    var workers: Int

    @OptionGroup var security: SecurityOptions

    @Option(help: "When a worker dies or goes silent during the load: abort (stop, exit 103) or continue without it.")
    var onWorkerLoss = WorkerLossPolicy.abort

    static let defaultJoinTimeout = Duration.seconds(300)
    @Option(
        parsing: .unconditional, help: Duration.help("How long to wait for every worker to join, and then to be ready.", default: defaultJoinTimeout),
        transform: Duration.argument)
    var joinTimeout: Duration = defaultJoinTimeout

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard joinTimeout > .zero else { throw ValidationError("--join-timeout must be longer than 0s") }
        guard let address = HostAndPort(listen) else { throw ValidationError("--listen '\(listen)' is not HOST:PORT, e.g. 0.0.0.0:6575") }
        if security.resolvedToken.isEmpty && !Self.isLoopback(address.host) {
            throw ValidationError("--listen \(listen) is reachable from other machines: give a token (--token or STAMPEDE_TOKEN)")
        }
        if (security.tlsCert == nil) != (security.tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if security.tlsCA != nil && security.tlsCert == nil { throw ValidationError("--tls-ca on the coordinator needs --tls-cert and --tls-key") }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func run() throws {
        let requests = try test.requests()
        guard requests.count == 1 else {
            let names = requests.map { $0.test ?? "" }.joined(separator: ", ")
            let hint = requests.contains { $0.swiftFiles != nil } ? "; choose one with --test" : ""
            throw UsageFailure(message: "a coordinator runs one test at a time, not \(requests.count) (\(names))\(hint)")
        }
        var request = requests[0]
        let plan = try request.plan()
        let embedded = try RunCommand.embeddedTarget(for: request)
        defer { embedded?.shutdown() }
        // Workers go where the coordinator goes: its embedded target, or --target.
        if let embedded { request.target = embedded.baseURL }
        let folder = request.folder
        let run: LoadRun
        // The coordinator reads the system under test's metrics; its workers only load it.
        let scraper = Scraper(plan.scrape)
        do {
            let options = RunOptions(
                workers: 1, target: request.target, requestTimeout: request.timeout,
                env: request.environment(over: ProcessInfo.processInfo.environment), baseDirectory: folder, gauges: scraper)
            run = try LoadRun(plan: plan, options: options)
        } catch {
            throw UsageFailure(message: error.message)
        }
        let coordinator: Coordinator
        do {
            let shipped = try ShippedTest.collect(
                request: try JSONEncoder().encode(request), sources: request.sourceFiles, inputs: run.inputFiles,
                folder: folder ?? URL(fileURLWithPath: "."))
            let address = HostAndPort(listen)!
            coordinator = try Coordinator(.init(
                host: address.host, port: address.port, workerCount: workers, security: security.security, onWorkerLoss: onWorkerLoss,
                joinTimeout: joinTimeout, test: shipped, registry: run.registry, stampedeVersion: StampedeVersion.current),
                log: Self.log)
        } catch let error as ShipError {
            throw UsageFailure(message: error.message)
        } catch let error as CoordinatorError {
            throw UsageFailure(message: error.message)
        }
        defer { coordinator.finish() }
        Self.log("waiting for \(workers) worker\(workers == 1 ? "" : "s") on \(coordinator.address)")
        do {
            SignalTrap.onSignal { coordinator.interrupt() }
            try coordinator.gather()
        } catch {
            coordinator.finish(reason: error.message)
            let status: ExitStatus = switch error.cause {
            case .configuration: .invalidConfiguration
            case .loss: .workerLost
            case .interrupted: .abortedFromOutside
            }
            throw UsageFailure(message: error.message, status: status)
        }
        coordinator.onAbort { run.stop() }
        let session = RunSession(plan: plan, registry: run.registry, judge: run.judgeThresholds, output: output, scraper: scraper, banner: [
            "     execution: distributed (\(workers) worker\(workers == 1 ? "" : "s") via \(coordinator.address))",
            "        target: \(RunCommand.describeTarget(request, embedded: embedded))",
        ], workers: {
            coordinator.progress.map {
                DashboardWorker(name: $0.name, requests: $0.requests, failedRequests: $0.failedRequests, state: $0.state)
            }
        })
        let verdict = try session.run(stop: { run.stop() }) { onSecond in
            let outcome = run.run(load: coordinator.load, onSecond: onSecond)
            return RunSession.Result(
                outcome: outcome, distribution: coordinator.breakdown,
                lostWorker: onWorkerLoss == .abort && !coordinator.lostWorkers.isEmpty)
        }
        if verdict.status != .passed { throw ExitCode(verdict.status.rawValue) }
    }

    /// Coordinator events on standard error, one line each.
    static let log: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("coordinator: \(line)\n".utf8))
    }
}

/// The shared token and TLS files of coordinator and worker.
struct SecurityOptions: ParsableArguments {
    @Option(help: "Shared secret of coordinator and workers (default: $STAMPEDE_TOKEN). Never sent over the wire.")
    var token: String?

    @Option(help: "PEM certificate: the coordinator's server certificate, or a worker's client certificate for mutual TLS.")
    var tlsCert: String?

    @Option(help: "PEM key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("tls-ca"), help: "PEM certificate authorities that sign the other side's certificate (on the coordinator: require client certificates).")
    var tlsCA: String?

    var resolvedToken: String { token ?? ProcessInfo.processInfo.environment["STAMPEDE_TOKEN"] ?? "" }

    var security: Security {
        Security(token: resolvedToken, certificate: tlsCert, key: tlsKey, certificateAuthority: tlsCA)
    }
}

extension WorkerLossPolicy: ExpressibleByArgument {}
