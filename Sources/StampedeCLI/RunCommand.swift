import ArgumentParser
import Foundation
import Scenarios
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedePrometheus
import StampedeReports
import StampedeTarget

/// `stampede run`: runs a built-in scenario, or an ad-hoc GET loop against `--url`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario (see 'stampede list') or an ad-hoc load on --url.",
        discussion: """
            Without --target, a scenario runs against the embedded business-support API, \
            started in this process on a free loopback port. --vus, --duration and \
            --iterations replace the scenario's executor, as in k6. Results go to \
            results/<scenario>-<UTC time>/summary.json. Exit codes: 0 passed, \
            99 a threshold failed, 104 invalid configuration, 105 interrupted, \
            107 results not written, 108 stopped by an abortOnFail threshold.
            """
    )

    @Argument(help: "A built-in test's name (see 'stampede list'), or a plan file (.yaml, .yml, .json).")
    var scenario: String?

    @Option(help: "Ad-hoc run: each iteration is one GET of this URL.")
    var url: String?

    @Option(help: "Base URL the scenario's request paths go to (default: the embedded target).")
    var target: String?

    @Option(help: "Virtual users.")
    var vus: Int?

    @Option(help: "How long to run, e.g. 30s, 1m30s (constant-vus).")
    var duration: Duration?

    @Option(help: "Iterations shared among all VUs (shared-iterations).")
    var iterations: Int?

    @Option(help: "Load-generating threads (default: the CPUs this process may use).")
    var workers = LoadRun.defaultWorkerCount

    @Option(help: "Per-request timeout.")
    var timeout: Duration = .seconds(60)

    @Option(help: "Multiply VUs, iterations and rates by this factor, e.g. 0.01.")
    var scale = 1.0

    @Option(help: "Multiply every duration (stages, think times, graceful stops) by this factor.")
    var durationScale = 1.0

    @Option(help: ArgumentHelp("A pass/fail criterion, 'METRIC: EXPRESSION' as in k6, e.g. 'http_req_duration: p(99)<200' (repeatable).", valueName: "threshold"))
    var threshold: [String] = []

    @Option(name: [.customShort("e"), .long], help: ArgumentHelp("A variable for {{env.NAME}} templates, NAME=VALUE (repeatable).", valueName: "NAME=VALUE"))
    var env: [String] = []

    @Option(help: "Also write the summary JSON to this path (k6's flag).")
    var summaryExport: String?

    @Option(help: "Also write junit.xml (a test case per threshold and per check) to this path.")
    var junit: String?

    @Option(help: "HTTP version: auto (HTTP/2 over TLS when offered), 1.1, or 2 (also cleartext h2 with prior knowledge).")
    var httpVersion: HTTPOptions.Version?

    @Flag(help: "Accept any TLS certificate (verification is on by default).")
    var insecureSkipTLSVerify = false

    @Option(help: "PEM file of certificate authorities to trust.")
    var caFile: String?

    @Option(help: "PEM client certificate (with --client-key).")
    var clientCert: String?

    @Option(help: "PEM key of the client certificate.")
    var clientKey: String?

    @Option(help: "Oldest TLS version accepted: 1.0, 1.1, 1.2 or 1.3.")
    var tlsMinVersion: HTTPOptions.TLSVersion?

    @Option(help: ArgumentHelp("DNS override, HOST:PORT:ADDRESS as curl's --resolve (repeatable).", valueName: "host:port:address"))
    var resolve: [String] = []

    @Option(help: "Redirects to follow; 0 follows none (default 10).")
    var maxRedirects: Int?

    @Flag(help: "A new connection for every request.")
    var noConnectionReuse = false

    @Flag(help: "No connection kept from one iteration of a VU to the next.")
    var noVUConnectionReuse = false

    @Option(help: "Whose connections a request may reuse: vu (each VU its own, as k6) or worker (a worker's VUs share, as h2load).")
    var connectionScope: HTTPOptions.ConnectionScope?

    @Option(help: "TLS server name (SNI and Host) to send instead of the URL's host.")
    var serverName: String?

    @Option(help: "HTTP/2 streams per connection (default 100).")
    var streamsPerConnection: Int?

    @Option(help: "Connections per host and worker, 0 for no limit (default 0).")
    var connectionsPerHost: Int?

    @Option(help: ArgumentHelp("Serve the running test's metrics for Prometheus at http://HOST:PORT/metrics.", valueName: "host:port"))
    var prometheus: String?

    @Option(help: "Which metrics the summary shows: compact or full.")
    var summaryMode = SummaryText.Mode.compact

    @Option(help: "Folder that holds one results folder per run.")
    var resultsDir = "results"

    @Flag(name: .shortAndLong, help: "No banner and no progress, only the summary.")
    var quiet = false

    func validate() throws {
        if let vus, vus < 1 { throw ValidationError("--vus must be at least 1, got \(vus)") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        if let duration, duration <= .zero { throw ValidationError("--duration must be longer than 0s") }
        guard timeout > .zero else { throw ValidationError("--timeout must be longer than 0s") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be above 0, got \(scale)") }
        guard durationScale > 0, durationScale.isFinite else { throw ValidationError("--duration-scale must be above 0, got \(durationScale)") }
        for entry in env where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--env '\(entry)' is not NAME=VALUE")
        }
        switch (scenario, url) {
        case (nil, nil): throw ValidationError("give a test name (see 'stampede list') or --url")
        case (.some, .some): throw ValidationError("give a test name or --url, not both")
        default: break
        }
        if let url { try Self.checkHTTPURL(url, flag: "--url") }
        if let target { try Self.checkHTTPURL(target, flag: "--target") }
        if let prometheus, Self.hostAndPort(prometheus) == nil {
            throw ValidationError("--prometheus '\(prometheus)' is not HOST:PORT, e.g. 127.0.0.1:9464")
        }
    }

    static func checkHTTPURL(_ text: String, flag: String) throws {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty
        else { throw ValidationError("\(flag) '\(text)' is not an http:// or https:// URL") }
    }

    func run() throws {
        let plan = try resolvePlan()
        var embedded: TargetServer?
        var targetURL = target
        if url == nil && target == nil {
            do {
                embedded = try TargetServer()
            } catch {
                throw UsageFailure(message: "cannot start the embedded target: \(error)")
            }
            targetURL = embedded?.baseURL
        }
        defer { embedded?.shutdown() }

        let run: LoadRun
        do {
            let directory = scenario.flatMap { Self.isPlanFile($0) ? URL(fileURLWithPath: $0).deletingLastPathComponent() : nil }
            let options = RunOptions(workers: workers, target: targetURL, requestTimeout: timeout, env: environment, baseDirectory: directory)
            run = try LoadRun(plan: plan, options: options)
        } catch {
            throw UsageFailure(message: error.message)
        }
        let progress = ProgressReporter(mode: quiet ? .off : .automatic, plan: plan, registry: run.registry)
        if !quiet { print(banner(plan, target: targetURL, embedded: embedded != nil)) }
        // The folder exists before the load, so an interrupted run keeps its timeline.
        let folder = try createResultsFolder(name: plan.name)
        let timeline = try? TimelineWriter(
            url: folder.url.appendingPathComponent("timeline.ndjson"), registry: run.registry, scenarios: plan.scenarios.map(\.name))
        let exporter = try startPrometheus()
        defer { exporter?.shutdown() }
        let signals = SignalTrap { run.stop() }
        let outcome = run.run { second, metrics in
            progress.second(second, metrics)
            timeline?.append(second: second, metrics)
            exporter?.record(second: metrics)
        }
        withExtendedLifetime(signals) {}
        progress.finish()

        let summary = RunSummary(
            testName: plan.name, registry: run.registry, totals: outcome.totals, scenarios: plan.scenarios, startedAt: outcome.startedAt,
            endedAt: outcome.endedAt, wasInterrupted: outcome.wasInterrupted, commandLine: CommandLine.arguments,
            engineVersion: LoadRun.httpEngineVersion, thresholds: outcome.thresholds,
            abortedByThreshold: outcome.abortedByThreshold)
        print(SummaryText.render(summary, mode: summaryMode))
        try writeResults(summary, to: folder)
        if outcome.abortedByThreshold { throw ExitCode(ExitStatus.abortedByThreshold.rawValue) }
        if outcome.wasInterrupted { throw ExitCode(ExitStatus.abortedFromOutside.rawValue) }
        if !outcome.thresholdsPassed { throw ExitCode(ExitStatus.thresholdsFailed.rawValue) }
    }

    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon > text.startIndex else { return nil }
        return (String(text[..<colon]), port)
    }

    static func isPlanFile(_ argument: String) -> Bool {
        [".yaml", ".yml", ".json"].contains { argument.lowercased().hasSuffix($0) }
    }

    /// The process environment, overridden by `--env`.
    private var environment: [String: String] {
        var values = ProcessInfo.processInfo.environment
        for entry in env {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return values
    }

    /// The test to run: a built-in one or the ad-hoc GET loop, with the executor the flags
    /// ask for, scaled as asked.
    private func resolvePlan() throws -> TestPlan {
        do {
            return try buildPlan()
        } catch let error as PlanError {
            throw UsageFailure(message: error.message)
        }
    }

    private func buildPlan() throws -> TestPlan {
        var plan: TestPlan
        if let url {
            plan = TestPlan(Scenario("default", description: "GET \(url)", executor: .sharedIterations(1, iterations: 1)) { Get(url) })
        } else if let name = self.scenario, Self.isPlanFile(name) {
            plan = try PlanFile.load(name)
        } else if let name = self.scenario {
            guard let found = Catalog.plan(named: name) else {
                let known = Catalog.all.map(\.name).joined(separator: ", ")
                throw UsageFailure(message: "unknown test '\(name)'; the built-in ones are: \(known)")
            }
            plan = found
        } else {
            throw UsageFailure(message: "give a test name or --url")
        }
        for text in threshold { plan.thresholds.append(try Threshold(commandLine: text)) }
        applyHTTPFlags(to: &plan.http)
        if let executor = try executorFromFlags() {
            guard plan.scenarios.count == 1 else {
                throw UsageFailure(message: "--vus, --duration and --iterations apply to a test with one scenario; '\(plan.name)' has \(plan.scenarios.count)")
            }
            plan.scenarios[0].executor = executor
        }
        return scale == 1 && durationScale == 1 ? plan : plan.scaled(load: scale, time: durationScale)
    }

    /// The HTTP flags given, over the test's own options.
    private func applyHTTPFlags(to http: inout HTTPOptions) {
        if let httpVersion { http.version = httpVersion }
        if insecureSkipTLSVerify { http.insecureSkipTLSVerify = true }
        if let caFile { http.caFile = caFile }
        if let clientCert { http.clientCertificate = clientCert }
        if let clientKey { http.clientKey = clientKey }
        if let tlsMinVersion { http.minTLSVersion = tlsMinVersion }
        http.resolve += resolve
        if let maxRedirects { http.maxRedirects = maxRedirects }
        if noConnectionReuse { http.noConnectionReuse = true }
        if noVUConnectionReuse { http.noVUConnectionReuse = true }
        if let streamsPerConnection { http.streamsPerConnection = streamsPerConnection }
        if let connectionScope { http.connectionScope = connectionScope }
        if let serverName { http.serverName = serverName }
        if let connectionsPerHost { http.connectionsPerHost = connectionsPerHost }
    }

    /// The executor `--vus`, `--duration` and `--iterations` ask for, as k6 reads them.
    private func executorFromFlags() throws -> Executor? {
        guard vus != nil || duration != nil || iterations != nil else { return nil }
        let vus = self.vus ?? 1
        if let iterations {
            guard iterations >= vus else { throw UsageFailure(message: "--iterations (\(iterations)) must be at least --vus (\(vus))") }
            return .sharedIterations(vus, iterations: iterations, maxDuration: duration ?? .seconds(600))
        }
        if let duration { return .constantVUs(vus, duration: duration) }
        return .sharedIterations(vus, iterations: vus)
    }

    private func banner(_ plan: TestPlan, target: String?, embedded: Bool) -> String {
        let targetLine = embedded ? "\(target ?? "") (embedded business-support API)" : (target ?? url ?? "")
        let count = plan.scenarios.count
        var lines = [
            "",
            "     execution: local (\(workers) worker\(workers == 1 ? "" : "s"))",
            "        target: \(targetLine)",
            "     scenarios: \(count) scenario\(count == 1 ? "" : "s"), \(plan.maxVUs) max VUs, \(plan.maxDuration.humanReadable) max duration (incl. graceful stop):",
        ]
        for scenario in plan.scenarios {
            let start = scenario.startTime > .zero ? " (startTime: \(scenario.startTime.humanReadable))" : ""
            lines.append("              * \(scenario.name): \(scenario.executor.summary)\(start)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func startPrometheus() throws -> PrometheusExporter? {
        guard let prometheus, let (host, port) = Self.hostAndPort(prometheus) else { return nil }
        do {
            let exporter = try PrometheusExporter(host: host, port: port)
            print("    prometheus: http://\(exporter.address)/metrics\n")
            // Scripts read the address to scrape while the run goes: do not leave it in a pipe's buffer.
            fflush(nil)
            return exporter
        } catch {
            throw UsageFailure(message: "--prometheus: cannot listen on \(prometheus): \(error)")
        }
    }

    private func createResultsFolder(name: String) throws -> ResultsFolder {
        do {
            return try ResultsFolder.create(root: URL(fileURLWithPath: resultsDir), name: name, date: Date())
        } catch {
            throw UsageFailure(message: "cannot create a results folder in '\(resultsDir)': \(error.localizedDescription)")
        }
    }

    private func writeResults(_ summary: RunSummary, to folder: ResultsFolder) throws {
        do {
            try folder.writeReports(summary)
            if !quiet { print("results: \(folder.url.path) (summary.json, timeline.ndjson, junit.xml, report.html)") }
            if let summaryExport {
                try SummaryExport.json(summary).write(to: URL(fileURLWithPath: summaryExport))
            }
            if let junit {
                try Data(JUnitReport.xml(summary).utf8).write(to: URL(fileURLWithPath: junit))
            }
        } catch {
            throw UsageFailure(message: "cannot write results: \(error.localizedDescription)", status: .scenarioError)
        }
    }
}
