import ArgumentParser
import Foundation
import StampedeDSL
import StampedeDashboard
import StampedeEngine
import StampedeMetrics
import StampedePrometheus
import StampedeReports
import StampedeScrape

/// The one path from a run's merged seconds to what the user sees and keeps, shared by
/// `run` and `coordinator`: banner, live progress, timeline, Prometheus, dashboard, summary,
/// results folder and exit code.
struct RunSession {
    let plan: TestPlan
    let registry: MetricRegistry
    /// The run's threshold judge (`LoadRun.judgeThresholds`), for the dashboard's view of
    /// the thresholds while the run goes.
    let judge: @Sendable (MetricSet, Double) -> [ThresholdVerdict]
    let output: OutputOptions
    /// Reads the system under test's metrics while the load runs (`--scrape`), if asked to.
    var scraper: Scraper? = nil
    /// Banner lines before the scenarios: where the load runs and what it targets.
    let banner: [String]
    /// A distributed run's workers and their counts so far, for the dashboard's worker view;
    /// read once per merged second.
    var workers: (() -> [DashboardWorker])?

    /// What the load produced: the outcome, and for a distributed run its breakdown and
    /// whether a worker was lost.
    struct Result {
        var outcome: RunOutcome
        var distribution: DistributedBreakdown?
        var lostWorker = false
    }

    /// How a run ended: its exit status and where its results are.
    struct Verdict {
        let status: ExitStatus
        let folder: URL
    }

    /// Runs `execute`, feeding each merged second to progress, timeline, Prometheus and the
    /// dashboard, and calling `stop` on SIGINT or SIGTERM; then prints the summary, writes the
    /// results, tells the dashboard the verdict and returns it.
    func run(stop: @escaping @Sendable () -> Void, execute: (_ onSecond: (Int, MetricSet) -> Void) throws -> Result) throws -> Verdict {
        let progress = ProgressReporter(mode: output.quiet ? .off : .automatic, plan: plan, registry: registry)
        if !output.quiet { print(bannerText) }
        let dashboard = try startDashboard()
        defer { dashboard?.shutdown() }
        // The folder exists before the load, so an interrupted run keeps its timeline.
        let folder = try createResultsFolder()
        let timeline: TimelineWriter?
        var timelineFailure: FileWriteError?
        do {
            timeline = try TimelineWriter(
                url: folder.url.appendingPathComponent("timeline.ndjson"), registry: registry, scenarios: plan.scenarios.map(\.name))
        } catch {
            // The run goes on without it: the load is what the user came for; the end says so.
            (timeline, timelineFailure) = (nil, error)
        }
        let exporter = try startPrometheus()
        defer { exporter?.shutdown() }
        SignalTrap.onSignal(stop)
        scraper?.start()
        defer { scraper?.stop() }
        let result = try execute { second, metrics in
            progress.second(second, metrics)
            timeline?.append(second: second, metrics)
            exporter?.record(second: metrics)
            dashboard?.record(second: second, metrics, workers: workers?())
        }
        progress.finish()

        let outcome = result.outcome
        let summary = RunSummary(
            testName: plan.name, registry: registry, totals: outcome.totals, scenarios: plan.scenarios, startedAt: outcome.startedAt,
            endedAt: outcome.endedAt, wasInterrupted: outcome.wasInterrupted, commandLine: CommandLine.arguments,
            engineVersion: LoadRun.httpEngineVersion, thresholds: outcome.thresholds,
            abortedByThreshold: outcome.abortedByThreshold, distribution: result.distribution)
        print(SummaryText.render(summary, mode: output.summaryMode))
        // A scenario code's mistake is said before writing: a results failure throws.
        if let fault = outcome.codeFault { FileHandle.standardError.write(Data("stampede: error: \(fault)\n".utf8)) }
        let written = Swift.Result { try writeResults(summary, to: folder, timelineFailure: timelineFailure ?? timeline?.failure) }
        let status: ExitStatus = outcome.codeFault != nil ? .scenarioError
            : outcome.abortedByThreshold ? .abortedByThreshold
            : result.lostWorker ? .workerLost
            : outcome.wasInterrupted ? .abortedFromOutside
            : outcome.thresholdsPassed ? .passed : .thresholdsFailed
        if let dashboard {
            // Results that could not be written end the process with 107, whatever the load did.
            let reportFile = folder.url.appendingPathComponent("report.html")
            let (shown, report): (ExitStatus, String?) = switch written {
            case .success: (status, try? String(contentsOf: reportFile, encoding: .utf8))
            case .failure: (.scenarioError, nil)
            }
            dashboard.finish(DashboardOutcome(
                summary: summary, exitCode: shown.rawValue, verdict: shown.summary, results: folder.url.path, report: report))
        }
        try written.get()
        return Verdict(status: status, folder: folder.url)
    }

    private var bannerText: String {
        let count = plan.scenarios.count
        let scrape = plan.scrape.urls.isEmpty ? [] : [
            "        scrape: \(plan.scrape.urls.joined(separator: ", ")) (\(plan.scrape.series.joined(separator: ", ")))"
        ]
        var lines = [""] + banner + scrape + [
            "     scenarios: \(count) scenario\(count == 1 ? "" : "s"), \(plan.maxVUs) max VUs, \(plan.maxDuration.humanReadable) max duration (incl. graceful stop):"
        ]
        for scenario in plan.scenarios {
            let start = scenario.startTime > .zero ? " (startTime: \(scenario.startTime.humanReadable))" : ""
            lines.append("              * \(scenario.name): \(scenario.executor.summary)\(start)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Starts the dashboard before any load, so a port it cannot have stops the run with 104.
    private func startDashboard() throws -> DashboardServer? {
        guard let address = output.dashboardAddress else { return nil }
        do {
            let server = try DashboardServer(
                host: address.host, port: address.port, plan: plan, registry: registry, workers: workers?().map(\.name), judge: judge)
            // Even with -q, and flushed: a script (or a test) reads the address to open the page.
            print("     dashboard: http://\(server.address)/\n")
            fflush(nil)
            return server
        } catch {
            throw UsageFailure(message: "dashboard: \(error); choose another address with --dashboard-listen HOST:PORT (port 0 picks a free one)")
        }
    }

    private func startPrometheus() throws -> PrometheusExporter? {
        guard let prometheus = output.prometheus, let address = HostAndPort(prometheus) else { return nil }
        do {
            let exporter = try PrometheusExporter(host: address.host, port: address.port, metrics: registry)
            print("    prometheus: http://\(exporter.address)/metrics\n")
            // Scripts read the address to scrape while the run goes: do not leave it in a pipe's buffer.
            fflush(nil)
            return exporter
        } catch let clash as PrometheusExporter.NameClash {
            throw UsageFailure(message: "--prometheus: \(clash)")
        } catch {
            throw UsageFailure(message: "--prometheus: cannot listen on \(prometheus): \(error)")
        }
    }

    private func createResultsFolder() throws -> ResultsFolder {
        do {
            return try ResultsFolder.create(root: URL(fileURLWithPath: output.resultsDir), name: plan.name, date: Date())
        } catch {
            throw UsageFailure(message: "cannot create a results folder in '\(output.resultsDir)': \(error.localizedDescription)")
        }
    }

    /// Writes the results folder's reports and the exports asked for. A file that cannot be
    /// written does not stop the others; then one line names each that failed and why, and
    /// the exit code is 107 (the summary is already printed).
    private func writeResults(_ summary: RunSummary, to folder: ResultsFolder, timelineFailure: FileWriteError?) throws {
        var failures = timelineFailure.map { [$0] } ?? []
        do {
            try folder.writeReports(summary)
        } catch {
            failures += error.failures
        }
        if failures.isEmpty {
            // Even with -q: CI logs need to say where the results went.
            print("results: \(folder.url.path) (summary.json, timeline.ndjson, junit.xml, report.html)")
        }
        var exports: [(path: String, contents: () throws -> Data)] = []
        if let path = output.summaryExport { exports.append((path, { try SummaryExport.json(summary) })) }
        if let path = output.junit { exports.append((path, { Data(JUnitReport.xml(summary).utf8) })) }
        for (path, contents) in exports {
            do {
                try AtomicFile.write(to: URL(fileURLWithPath: path), contents)
            } catch {
                failures.append(error)
            }
        }
        guard failures.isEmpty else {
            throw UsageFailure(message: "cannot write results: \(ResultsWriteError(failures: failures))", status: .scenarioError)
        }
    }
}
