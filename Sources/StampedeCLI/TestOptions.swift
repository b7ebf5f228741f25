import ArgumentParser
import Foundation
import StampedeDSL
import StampedeSwiftFiles

/// The flags that say which test runs and how it is shaped: shared by `run` and
/// `coordinator`, and shipped to workers as a `TestRequest`, so every process builds the
/// same plan.
struct TestOptions: ParsableArguments {
    @Argument(help: "Built-in tests (see 'stampede list'), plan files (.yaml, .yml, .json), or Swift files and folders of them (compiled together); several run one after another as a suite.")
    var tests: [String] = []

    @Option(name: .customLong("test"), help: ArgumentHelp("A test the Swift files declare, by name (repeatable; default: all of them).", valueName: "name"))
    var chosenTests: [String] = []

    @Option(help: "Ad-hoc run: each iteration is one GET of this URL.")
    var url: String?

    @Option(help: "Base URL the scenario's request paths go to (default: the embedded target).")
    var target: String?

    // `.unconditional` takes "-3" as the value, so the check below can say what is wrong with it.
    @Option(parsing: .unconditional, help: "Virtual users.")
    var vus: Int?

    @Option(parsing: .unconditional, help: "How long to run, e.g. 30s, 1m30s (constant-vus).", transform: Duration.argument)
    var duration: Duration?

    @Option(parsing: .unconditional, help: "Iterations shared among all VUs (shared-iterations).")
    var iterations: Int?

    static let defaultTimeout = Duration.seconds(60)
    @Option(parsing: .unconditional, help: Duration.help("Per-request timeout.", default: defaultTimeout), transform: Duration.argument)
    var timeout: Duration = defaultTimeout

    @Option(parsing: .unconditional, help: "Multiply VUs, iterations and rates by this factor, e.g. 0.01.")
    var scale = 1.0

    @Option(parsing: .unconditional, help: "Multiply every duration (stages, think times, graceful stops) by this factor.")
    var durationScale = 1.0

    @Option(help: ArgumentHelp("A pass/fail criterion, 'METRIC: EXPRESSION' as in k6, e.g. 'http_req_duration: p(99)<200' (repeatable).", valueName: "threshold"))
    var threshold: [String] = []

    @Option(help: ArgumentHelp(
        "A Prometheus endpoint of the system under test, read each second during the run, e.g. http://svc:8080/metrics (repeatable, or comma-separated).",
        valueName: "url"))
    var scrape: [String] = []

    @Option(help: ArgumentHelp(
        "The scraped series to keep, by metric name (comma-separated, repeatable): each becomes the gauge scrape:NAME, for thresholds too.",
        valueName: "names"))
    var scrapeSeries: [String] = []

    @Option(name: [.customShort("e"), .long], help: ArgumentHelp("A variable for {{env.NAME}} templates, NAME=VALUE (repeatable).", valueName: "NAME=VALUE"))
    var env: [String] = []

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

    func validate() throws {
        if let vus, vus < 1 { throw ValidationError("--vus must be at least 1, got \(vus)") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        if let duration, duration <= .zero { throw ValidationError("--duration must be longer than 0s, got \(duration.humanReadable)") }
        guard timeout > .zero else { throw ValidationError("--timeout must be longer than 0s, got \(timeout.humanReadable)") }
        guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be above 0, got \(scale)") }
        guard durationScale > 0, durationScale.isFinite else { throw ValidationError("--duration-scale must be above 0, got \(durationScale)") }
        try KeyValueArguments.validate(env, flag: "--env", form: "NAME=VALUE")
        switch (tests.isEmpty, url) {
        case (true, nil): throw ValidationError("give a test name (see 'stampede list') or --url")
        case (false, .some): throw ValidationError("give a test name or --url, not both")
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

    /// What these flags ask for, one request per test (one for --url), as data a worker can
    /// be sent. The Swift files among the arguments are compiled together (or found in the
    /// cache) to learn their tests, which take the place of the first of them.
    func requests() throws -> [TestRequest] {
        if url != nil { return [request(for: nil)] }
        var requests: [TestRequest] = []
        var swiftFiles: [String] = []
        var swiftPosition: Int?
        for argument in tests {
            if case .swiftFiles(let files) = try TestArgument(argument) {
                swiftFiles += files
                swiftPosition = swiftPosition ?? requests.count
            } else {
                // An unknown name is said by the plan it fails to build, with the known ones.
                requests.append(request(for: argument))
            }
        }
        guard let swiftPosition else {
            if !chosenTests.isEmpty { throw UsageFailure(message: "--test chooses among the tests of Swift files; give a .swift file or a folder of them") }
            return requests
        }
        let declared: SwiftTestFiles
        do {
            declared = try SwiftTestFiles.load(swiftFiles, log: TestRequest.logCompile)
            for name in chosenTests { _ = try declared.test(named: name) }
        } catch {
            throw UsageFailure(message: error.message)
        }
        let names = chosenTests.isEmpty ? declared.tests.map(\.name) : chosenTests
        requests.insert(contentsOf: names.map { name in
            var request = request(for: name)
            request.swiftFiles = swiftFiles
            return request
        }, at: swiftPosition)
        return requests
    }

    private func request(for test: String?) -> TestRequest {
        var http = HTTPOverrides()
        http.version = httpVersion
        http.insecureSkipTLSVerify = insecureSkipTLSVerify
        http.caFile = caFile
        http.clientCertificate = clientCert
        http.clientKey = clientKey
        http.minTLSVersion = tlsMinVersion
        http.resolve = resolve
        http.maxRedirects = maxRedirects
        http.noConnectionReuse = noConnectionReuse
        http.noVUConnectionReuse = noVUConnectionReuse
        http.connectionScope = connectionScope
        http.serverName = serverName
        http.streamsPerConnection = streamsPerConnection
        http.connectionsPerHost = connectionsPerHost
        return TestRequest(
            test: test, url: url, target: target, vus: vus, durationNanoseconds: duration?.nanoseconds, iterations: iterations,
            timeoutMilliseconds: Int(timeout.nanoseconds / 1_000_000), scale: scale, durationScale: durationScale,
            thresholds: threshold, env: env, http: http,
            scrape: ScrapeOptions(urls: Self.list(scrape), series: Self.list(scrapeSeries)))
    }

    /// Repeated and comma-separated values, in order.
    private static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
