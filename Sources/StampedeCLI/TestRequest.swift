import Foundation
import Scenarios
import StampedeDSL
import StampedeSwiftFiles

/// A test as the command line asks for it: which test, its executor and scale overrides,
/// extra thresholds, `--env` values and HTTP flags. `run` and `coordinator` build their plan
/// from it, and a coordinator ships it to every worker as JSON, so all build the same plan.
struct TestRequest: Codable, Equatable {
    /// A built-in test's name, a plan file's path, or the name of a test in `swiftFiles`;
    /// nil with `url`.
    var test: String?
    /// The user's Swift files that declare `test`, compiled together.
    var swiftFiles: [String]?
    var url: String?
    var target: String?
    var vus: Int?
    var durationNanoseconds: Int64?
    var iterations: Int?
    var timeoutMilliseconds: Int
    var scale: Double
    var durationScale: Double
    var thresholds: [String]
    /// `NAME=VALUE` entries; they override the process environment.
    var env: [String]
    var http: HTTPOverrides
    /// `--scrape` and `--scrape-series`, added to the plan's own.
    var scrape = ScrapeOptions()

    /// The plan file's path, when the test is one.
    var planFile: String? {
        guard swiftFiles == nil else { return nil }
        return test.flatMap { Self.isPlanFile($0) ? $0 : nil }
    }

    /// The files the test is written in: its plan file or its Swift files.
    var sourceFiles: [String] {
        swiftFiles ?? planFile.map { [$0] } ?? []
    }

    /// The folder of the test's files, against which the paths it names (feeders, uploads)
    /// resolve; nil for a built-in test (the current folder).
    var folder: URL? {
        sourceFiles.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }
    }

    static func isPlanFile(_ argument: String) -> Bool {
        [".yaml", ".yml", ".json"].contains { argument.lowercased().hasSuffix($0) }
    }

    /// The test to run, with the executor the flags ask for, scaled as asked. Its files are
    /// read from `shippedFolder` when given (a worker's copy of them, by name).
    func plan(shippedFolder: URL? = nil) throws -> TestPlan {
        func located(_ file: String) -> String {
            shippedFolder.map { $0.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path } ?? file
        }
        var plan: TestPlan
        do {
            if let url {
                plan = TestPlan(Scenario("default", description: "GET \(url)", executor: .sharedIterations(1, iterations: 1)) { Get(url) })
            } else if let files = swiftFiles, let name = test {
                plan = try SwiftTestFiles.load(files.map(located), log: Self.logCompile).test(named: name)
            } else if let file = planFile {
                plan = try PlanFile.load(located(file))
            } else if let name = test {
                guard let found = Catalog.plan(named: name) else {
                    let known = Catalog.all.map(\.name).joined(separator: ", ")
                    throw UsageFailure(message: "unknown test '\(name)'; the built-in ones are: \(known)")
                }
                plan = found
            } else {
                throw UsageFailure(message: "give a test name or --url")
            }
            for text in thresholds { plan.thresholds.append(try Threshold(commandLine: text)) }
        } catch let error as PlanError {
            throw UsageFailure(message: error.message)
        } catch let error as SwiftFileError {
            throw UsageFailure(message: error.message)
        }
        http.apply(to: &plan.http)
        for url in scrape.urls where !plan.scrape.urls.contains(url) { plan.scrape.urls.append(url) }
        for name in scrape.series where !plan.scrape.series.contains(name) { plan.scrape.series.append(name) }
        do {
            try plan.scrape.validate()
        } catch {
            throw UsageFailure(message: error.message)
        }
        if let executor = try executorFromFlags() {
            guard plan.scenarios.count == 1 else {
                throw UsageFailure(message: "--vus, --duration and --iterations apply to a test with one scenario; '\(plan.name)' has \(plan.scenarios.count)")
            }
            plan.scenarios[0].executor = executor
        }
        return scale == 1 && durationScale == 1 ? plan : plan.scaled(load: scale, time: durationScale)
    }

    /// A compile's progress line, on standard error beside swiftc's own output.
    static let logCompile: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("stampede: \(line)…\n".utf8))
    }

    /// `environment` overridden by the `--env` entries.
    func environment(over environment: [String: String]) -> [String: String] {
        environment.merging(KeyValueArguments.dictionary(env)) { _, given in given }
    }

    var timeout: Duration { .milliseconds(timeoutMilliseconds) }

    /// The executor `--vus`, `--duration` and `--iterations` ask for, as k6 reads them.
    private func executorFromFlags() throws -> Executor? {
        let duration = durationNanoseconds.map { Duration.nanoseconds($0) }
        guard vus != nil || duration != nil || iterations != nil else { return nil }
        let vus = self.vus ?? 1
        if let iterations {
            guard iterations >= vus else { throw UsageFailure(message: "--iterations (\(iterations)) must be at least --vus (\(vus))") }
            return .sharedIterations(vus, iterations: iterations, maxDuration: duration ?? .seconds(600))
        }
        if let duration { return .constantVUs(vus, duration: duration) }
        return .sharedIterations(vus, iterations: vus)
    }
}

/// The HTTP flags given on the command line; each replaces the test's own option.
struct HTTPOverrides: Codable, Equatable {
    var version: HTTPOptions.Version?
    var insecureSkipTLSVerify = false
    var caFile: String?
    var clientCertificate: String?
    var clientKey: String?
    var minTLSVersion: HTTPOptions.TLSVersion?
    var resolve: [String] = []
    var maxRedirects: Int?
    var noConnectionReuse = false
    var noVUConnectionReuse = false
    var connectionScope: HTTPOptions.ConnectionScope?
    var serverName: String?
    var streamsPerConnection: Int?
    var connectionsPerHost: Int?

    func apply(to http: inout HTTPOptions) {
        if let version { http.version = version }
        if insecureSkipTLSVerify { http.insecureSkipTLSVerify = true }
        if let caFile { http.caFile = caFile }
        if let clientCertificate { http.clientCertificate = clientCertificate }
        if let clientKey { http.clientKey = clientKey }
        if let minTLSVersion { http.minTLSVersion = minTLSVersion }
        http.resolve += resolve
        if let maxRedirects { http.maxRedirects = maxRedirects }
        if noConnectionReuse { http.noConnectionReuse = true }
        if noVUConnectionReuse { http.noVUConnectionReuse = true }
        if let streamsPerConnection { http.streamsPerConnection = streamsPerConnection }
        if let connectionScope { http.connectionScope = connectionScope }
        if let serverName { http.serverName = serverName }
        if let connectionsPerHost { http.connectionsPerHost = connectionsPerHost }
    }
}
