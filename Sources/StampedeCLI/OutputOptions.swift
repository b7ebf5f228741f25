import ArgumentParser
import StampedeReports

/// Where a run's results go and what it prints: shared by `run` and `coordinator`.
struct OutputOptions: ParsableArguments {
    @Option(help: "Also write the summary JSON to this path (k6's flag).")
    var summaryExport: String?

    @Option(help: "Also write junit.xml (a test case per threshold and per check) to this path.")
    var junit: String?

    @Option(help: ArgumentHelp("Serve the running test's metrics for Prometheus at http://HOST:PORT/metrics.", valueName: "host:port"))
    var prometheus: String?

    @Flag(help: "Serve a live dashboard of the running test (a page updated every second) at --dashboard-listen.")
    var dashboard = false

    static let defaultDashboardListen = "127.0.0.1:5665"

    @Option(help: ArgumentHelp(
        "Where --dashboard listens (default: \(defaultDashboardListen); port 0 picks a free one). Implies --dashboard.",
        valueName: "host:port"))
    var dashboardListen: String?

    /// Where the dashboard listens, when the run has one.
    var dashboardAddress: HostAndPort? {
        guard dashboard || dashboardListen != nil else { return nil }
        return HostAndPort(dashboardListen ?? Self.defaultDashboardListen)
    }

    @Option(help: "Which metrics the summary shows: compact or full.")
    var summaryMode = SummaryText.Mode.compact

    @Option(help: "Folder that holds one results folder per run.")
    var resultsDir = "results"

    @Flag(name: .shortAndLong, help: "No banner and no progress: only the summary and the results folder's path.")
    var quiet = false

    func validate() throws {
        if let prometheus, HostAndPort(prometheus) == nil {
            throw ValidationError("--prometheus '\(prometheus)' is not HOST:PORT, e.g. 127.0.0.1:9464")
        }
        if let dashboardListen, HostAndPort(dashboardListen) == nil {
            throw ValidationError("--dashboard-listen '\(dashboardListen)' is not HOST:PORT, e.g. \(Self.defaultDashboardListen)")
        }
    }
}

/// `HOST:PORT` from the command line; the host may be a bracketed IPv6 address.
struct HostAndPort: Equatable {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon > text.startIndex else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }
}
