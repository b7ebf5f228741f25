import ArgumentParser
import Foundation
import StampedeDSL
import StampedeEngine
import StampedeTarget

/// `stampede run`: runs a built-in scenario, a plan file, or an ad-hoc GET loop against `--url`.
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

    @OptionGroup var test: TestOptions

    @Option(help: "Load-generating threads (default: the CPUs this process may use).")
    var workers = LoadRun.defaultWorkerCount

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
    }

    func run() throws {
        let request = test.request
        let plan = try request.plan()
        let embedded = try Self.embeddedTarget(for: request)
        defer { embedded?.shutdown() }
        let targetURL = request.target ?? embedded?.baseURL
        let run: LoadRun
        do {
            let directory = request.planFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
            let options = RunOptions(
                workers: workers, target: targetURL, requestTimeout: request.timeout,
                env: request.environment(over: ProcessInfo.processInfo.environment), baseDirectory: directory)
            run = try LoadRun(plan: plan, options: options)
        } catch {
            throw UsageFailure(message: error.message)
        }
        let session = RunSession(plan: plan, registry: run.registry, output: output, banner: [
            "     execution: local (\(workers) worker\(workers == 1 ? "" : "s"))",
            "        target: \(Self.describeTarget(request, embedded: embedded))",
        ])
        try session.run(stop: { run.stop() }) { onSecond in
            RunSession.Result(outcome: run.run(onSecond: onSecond))
        }
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
