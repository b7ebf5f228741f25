import ArgumentParser
import Foundation
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeReports
import StampedeScrape
import StampedeTarget

/// `stampede run`: runs built-in tests, plan files, the tests of Swift files, or an ad-hoc GET
/// loop against `--url`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run tests (built-in, plan files or Swift files) or an ad-hoc load on --url.",
        discussion: """
            Without --target, a scenario runs against the embedded business-support API, \
            started in this process on a free loopback port. Swift files (or a folder of \
            them) are compiled together against this stampede's DSL, or taken from the cache \
            when unchanged, and each test they declare runs (--test picks). Several tests run one after \
            another as a suite, each with its own summary and results folder, then a line \
            per test; the exit code is the first failing test's. --vus, --duration and \
            --iterations replace the scenario's executor, as in k6. Results go to \
            results/<scenario>-<UTC time>/summary.json. Exit codes: 0 passed, \
            99 a threshold failed, 104 invalid configuration, 105 interrupted, \
            107 results not written, 108 stopped by an abortOnFail threshold.
            """
    )

    @OptionGroup var test: TestOptions

    @Option(help: "Load-generating threads (default: the CPUs this process may use).")
    var workers = LoadRun.defaultWorkerCount

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("out"), help: ArgumentHelp(
        "Also write every sample to FILE in k6's output format: json=FILE or csv=FILE (repeatable).", valueName: "format=file"),
            transform: SampleOutputArgument.argument)
    var outputs: [SampleOutputArgument] = []

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
    }

    func run() throws {
        let requests = try test.requests()
        // Every test of a suite is built before any load: a mistake in the last one costs
        // nothing, and all share one embedded target.
        let plans = try requests.map { request in
            do {
                return try request.plan()
            } catch let failure as UsageFailure {
                throw naming(request, failure)
            }
        }
        let samples = try outputs.map { try $0.open() }
        let embedded = try Self.embeddedTarget(for: requests[0])
        defer { embedded?.shutdown() }
        let runs = try zip(requests, plans).map { request, plan in
            let scraper = Scraper(plan.scrape)
            return (try loadRun(request, plan, target: request.target ?? embedded?.baseURL, samples: samples, gauges: scraper), scraper)
        }
        var verdicts: [(test: String, verdict: RunSession.Verdict)] = []
        for (request, (run, scraper)) in zip(requests, runs) {
            let session = RunSession(
                plan: run.plan, registry: run.registry, judge: run.judgeThresholds, output: output, scraper: scraper, banner: [
                "     execution: local (\(workers) worker\(workers == 1 ? "" : "s"))",
                "        target: \(Self.describeTarget(request, embedded: embedded))",
            ])
            let verdict = try session.run(stop: { run.stop() }) { onSecond in
                RunSession.Result(outcome: run.run(onSecond: onSecond))
            }
            verdicts.append((request.test ?? run.plan.name, verdict))
            // An interrupt ends the suite, not just its current test.
            if verdict.status == .abortedFromOutside { break }
        }
        if requests.count > 1 { print(Self.suiteLines(verdicts, of: requests.count)) }
        // A sample file that could not be written is said after the summary, as a results file would be.
        let unwritten = samples.compactMap { $0.finish() }
        for failure in unwritten { FileHandle.standardError.write(Data("stampede: error: cannot write --out file \(failure)\n".utf8)) }
        if let failed = verdicts.first(where: { $0.verdict.status != .passed }) { throw ExitCode(failed.verdict.status.rawValue) }
        if !unwritten.isEmpty { throw ExitCode(ExitStatus.scenarioError.rawValue) }
    }

    private func loadRun(
        _ request: TestRequest, _ plan: TestPlan, target: String?, samples: [any SampleSink], gauges: (any GaugeSource)?
    ) throws -> LoadRun {
        do {
            let options = RunOptions(
                workers: workers, target: target, requestTimeout: request.timeout,
                env: request.environment(over: ProcessInfo.processInfo.environment), baseDirectory: request.folder, samples: samples,
                gauges: gauges)
            return try LoadRun(plan: plan, options: options)
        } catch {
            throw naming(request, UsageFailure(message: error.message))
        }
    }

    /// A test's error, naming the test when the suite has several.
    private func naming(_ request: TestRequest, _ failure: UsageFailure) -> UsageFailure {
        guard test.tests.count > 1 || request.swiftFiles != nil, let name = request.test else { return failure }
        return UsageFailure(message: "\(name): \(failure.message)", status: failure.status)
    }

    /// A suite's end: a line per test with its verdict and results, in the order they ran.
    static func suiteLines(_ verdicts: [(test: String, verdict: RunSession.Verdict)], of count: Int) -> String {
        let width = verdicts.map(\.test.count).max() ?? 0
        var lines = ["", "suite: \(verdicts.count) of \(count) tests ran"]
        for (test, verdict) in verdicts {
            let mark = verdict.status == .passed ? "✓" : "✗"
            lines.append("  \(mark) \(test.padding(toLength: width, withPad: " ", startingAt: 0))  \(verdict.status.summary)  \(verdict.folder.path)")
        }
        return lines.joined(separator: "\n")
    }

    /// The embedded business-support API, started on a free loopback port when the test has
    /// neither --target nor --url.
    static func embeddedTarget(for request: TestRequest) throws -> TargetServer? {
        guard request.url == nil, request.target == nil else { return nil }
        do {
            return try TargetServer()
        } catch {
            throw UsageFailure(message: "cannot start the embedded target: \(error)")
        }
    }

    static func describeTarget(_ request: TestRequest, embedded: TargetServer?) -> String {
        if let embedded { return "\(embedded.baseURL) (embedded business-support API)" }
        return request.target ?? request.url ?? ""
    }
}
