import ArgumentParser
import Foundation
import Scenarios
import StampedeDSL
import StampedeEngine
import StampedeMetrics
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
            104 invalid configuration, 105 interrupted.
            """
    )

    @Argument(help: "A built-in scenario's name.")
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

    @Option(help: "Also write the summary JSON to this path (k6's flag).")
    var summaryExport: String?

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
        switch (scenario, url) {
        case (nil, nil): throw ValidationError("give a scenario name (see 'stampede list') or --url")
        case (.some, .some): throw ValidationError("give a scenario name or --url, not both")
        default: break
        }
        if let url { try Self.checkHTTPURL(url, flag: "--url") }
        if let target { try Self.checkHTTPURL(target, flag: "--target") }
    }

    static func checkHTTPURL(_ text: String, flag: String) throws {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host, !host.isEmpty
        else { throw ValidationError("\(flag) '\(text)' is not an http:// or https:// URL") }
    }

    func run() throws {
        let scenario = try resolveScenario()
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
            run = try LoadRun(scenarios: [scenario], options: RunOptions(workers: workers, target: targetURL, requestTimeout: timeout))
        } catch {
            throw UsageFailure(message: error.message)
        }
        let progress = ProgressReporter(mode: quiet ? .off : .automatic, scenario: scenario)
        if !quiet { print(banner(scenario, target: targetURL, embedded: embedded != nil)) }
        let signals = SignalTrap { run.stop() }
        let outcome = run.run { second, metrics in progress.second(second, metrics) }
        withExtendedLifetime(signals) {}
        progress.finish()

        let summary = RunSummary(
            registry: run.registry, totals: outcome.totals, scenarios: [scenario], startedAt: outcome.startedAt,
            endedAt: outcome.endedAt, wasInterrupted: outcome.wasInterrupted, commandLine: CommandLine.arguments,
            engineVersion: LoadRun.httpEngineVersion)
        print(SummaryText.render(summary, mode: summaryMode))
        try writeResults(summary, name: scenario.name)
        if outcome.wasInterrupted { throw ExitCode(ExitStatus.abortedFromOutside.rawValue) }
    }

    /// The scenario to run: a built-in one or the ad-hoc GET loop, with the executor the
    /// flags ask for.
    private func resolveScenario() throws -> Scenario {
        var scenario: Scenario
        if let url {
            scenario = Scenario("default", description: "GET \(url)", executor: .sharedIterations(1, iterations: 1)) { Get(url) }
        } else if let name = self.scenario {
            guard let found = Catalog.scenario(named: name) else {
                let known = Catalog.all.map(\.name).joined(separator: ", ")
                throw UsageFailure(message: "unknown scenario '\(name)'; the built-in ones are: \(known)")
            }
            scenario = found
        } else {
            throw UsageFailure(message: "give a scenario name or --url")
        }
        if vus != nil || duration != nil || iterations != nil {
            let vus = self.vus ?? 1
            if let iterations {
                guard iterations >= vus else {
                    throw UsageFailure(message: "--iterations (\(iterations)) must be at least --vus (\(vus))")
                }
                scenario.executor = .sharedIterations(vus, iterations: iterations, maxDuration: duration ?? .seconds(600))
            } else if let duration {
                scenario.executor = .constantVUs(vus, duration: duration)
            } else {
                scenario.executor = .sharedIterations(vus, iterations: vus)
            }
        }
        return scenario
    }

    private func banner(_ scenario: Scenario, target: String?, embedded: Bool) -> String {
        let targetLine = embedded ? "\(target ?? "") (embedded business-support API)" : (target ?? url ?? "")
        return """

                 execution: local (\(workers) worker\(workers == 1 ? "" : "s"))
                    target: \(targetLine)
                 scenarios: 1 scenario, \(scenario.executor.maxVUs) max VUs, \(scenario.executor.maxDuration.humanReadable) max duration (incl. graceful stop):
                          * \(scenario.name): \(scenario.executor.summary)

            """
    }

    private func writeResults(_ summary: RunSummary, name: String) throws {
        do {
            let folder = try ResultsFolder.create(root: URL(fileURLWithPath: resultsDir), name: name, date: summary.startedAt)
            let file = try folder.writeSummary(summary)
            if !quiet { print("results: \(file.path)") }
            if let summaryExport {
                try SummaryExport.json(summary).write(to: URL(fileURLWithPath: summaryExport))
            }
        } catch {
            throw UsageFailure(message: "cannot write results: \(error.localizedDescription)", status: .scenarioError)
        }
    }
}
