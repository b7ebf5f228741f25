import Foundation
import StampedeTarget
import XCTest

/// `stampede` as a user runs it: a real process, its exit code, its output and its files.
final class CLITests: XCTestCase {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDir)
    }

    func launch(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = StampedeProcess.binary
        process.arguments = arguments
        process.currentDirectoryURL = workDir
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// The /metrics address a run started with `--prometheus 127.0.0.1:0` prints in its banner.
    func prometheusAddress(printedOn out: Pipe) throws -> String {
        var banner = ""
        while !banner.contains("/metrics") {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        return try XCTUnwrap(banner.range(of: #"http://127\.0\.0\.1:\d+/metrics"#, options: .regularExpression).map { String(banner[$0]) })
    }

    func collect(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func stampede(_ arguments: String...) throws -> Result {
        try stampede(arguments)
    }

    func stampede(_ arguments: [String]) throws -> Result {
        let (process, out, err) = try launch(arguments)
        return collect(process, out, err)
    }

    /// The summary's closing line, k6's "running (…)", "interrupted (…)" or "aborted by a threshold (…)".
    func finalLine(_ stdout: String) -> String {
        stdout.split(separator: "\n").last {
            $0.range(of: #"^(running|interrupted|aborted by a threshold) \(\d\dm"#, options: .regularExpression) != nil
        }.map(String.init) ?? "no closing line in: \(stdout)"
    }

    func assertUsageError(_ result: Result, mentions text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 104, result.stderr, file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), "\(result.stderr) should mention \(text)", file: file, line: line)
        XCTAssertFalse(result.stderr.contains("Fatal error"), file: file, line: line)
    }

    func testBadInputGetsOneLineAndExit104() throws {
        assertUsageError(try stampede("run", "nosuch"), mentions: "smoke")
        assertUsageError(try stampede("run", "--url", "not a url"), mentions: "--url")
        assertUsageError(try stampede("run", "--url", "ftp://127.0.0.1/"), mentions: "--url")
        assertUsageError(try stampede("run", "--url", "http://127.0.0.1:1/", "--vus", "0"), mentions: "--vus")
        assertUsageError(try stampede("run", "--url", "http://127.0.0.1:1/", "--duration", "0s"), mentions: "--duration")
        assertUsageError(try stampede("run", "--url", "http://127.0.0.1:1/", "--duration", "soon"), mentions: "duration")
        assertUsageError(try stampede("run", "smoke", "--no-such-flag"), mentions: "no-such-flag")
        assertUsageError(try stampede("run"), mentions: "test name")
        assertUsageError(try stampede("runn", "smoke"), mentions: "unknown command 'runn'; the commands are: run, coordinator")
        assertUsageError(try stampede("run", "smoke", "--scale", "-1"), mentions: "--scale must be above 0, got -1.0")
        assertUsageError(try stampede("run", "smoke", "--vus", "-3"), mentions: "--vus must be at least 1, got -3")
        assertUsageError(try stampede("run", "nowhere/"), mentions: "no such file or folder: nowhere/ (looked for \(workDir.path)/nowhere)")
    }

    func testListShowsTheBuiltInScenarios() throws {
        let result = try stampede("list")
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("smoke"))
        XCTAssertTrue(result.stdout.contains("constant-vus"))
        let one = try stampede("list", "spike")
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.hasPrefix("spike "), one.stdout)
        XCTAssertFalse(one.stdout.contains("smoke"), "only the test asked for")
    }

    func testAdHocURLRunPrintsTheSummaryAndWritesK6SummaryJSON() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let export = workDir.appendingPathComponent("export.json")
        let result = try stampede(
            "run", "--url", server.baseURL + "/health", "--vus", "4", "--iterations", "40",
            "--summary-export", export.path)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("█ TOTAL RESULTS"))
        XCTAssertTrue(result.stdout.contains("http_reqs"))
        XCTAssertEqual(server.stats.requests, 40)

        let folders = try FileManager.default.contentsOfDirectory(atPath: workDir.appendingPathComponent("results").path)
        XCTAssertEqual(folders.count, 1)
        XCTAssertTrue(folders[0].hasPrefix("default-"))
        for file in [export, workDir.appendingPathComponent("results/\(folders[0])/summary.json")] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
            let metrics = try XCTUnwrap(json?["metrics"] as? [String: Any])
            let reqs = try XCTUnwrap(metrics["http_reqs"] as? [String: Double])
            XCTAssertEqual(reqs["count"], 40)
            let duration = try XCTUnwrap(metrics["http_req_duration"] as? [String: Double])
            XCTAssertEqual(Set(duration.keys), ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"])
            let failed = try XCTUnwrap(metrics["http_req_failed"] as? [String: Double])
            XCTAssertEqual(failed, ["passes": 0, "fails": 40, "value": 0])
            XCTAssertNotNil(metrics["http_req_duration{expected_response:true}"])
            XCTAssertNotNil(json?["root_group"])
        }
    }

    func testNamedScenarioRunsAgainstTheEmbeddedTarget() throws {
        let result = try stampede("run", "smoke", "--vus", "2", "--duration", "1s", "--quiet")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("http_req_failed"))
        XCTAssertTrue(result.stdout.contains("0.00%"), "the embedded target answers every smoke request")
        // Quiet keeps one line beside the summary: where the results went (CI logs need it).
        let folder = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: workDir.appendingPathComponent("results").path).first)
        XCTAssertTrue(result.stdout.contains("results: \(workDir.appendingPathComponent("results").appendingPathComponent(folder).path)"), result.stdout)
        XCTAssertFalse(result.stdout.contains("execution:"), "no banner")
    }

    func testSIGTERMStopsTheRunWritesResultsAndExits105() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        // A failing threshold too: an interrupt (105) wins over it (99).
        let (process, out, err) = try launch(["run", "--url", server.baseURL + "/health", "--vus", "2", "--duration", "60s",
                                               "--threshold", "http_req_duration: p(99)<1us"])
        Thread.sleep(forTimeInterval: 1.5)
        process.terminate()
        let result = collect(process, out, err)
        XCTAssertEqual(result.status, 105, result.stderr)
        XCTAssertTrue(result.stdout.contains("✗ 'p(99)<1us'"), result.stdout)
        XCTAssertTrue(result.stdout.contains("█ TOTAL RESULTS"))
        // Every summary ends "… N interrupted iterations"; only an interrupted run's last line starts so.
        XCTAssertTrue(finalLine(result.stdout).hasPrefix("interrupted ("), result.stdout)
        let folders = try FileManager.default.contentsOfDirectory(atPath: workDir.appendingPathComponent("results").path)
        XCTAssertEqual(folders.count, 1, "the interrupted run still wrote its results")
        XCTAssertGreaterThan(server.stats.requests, 0)
    }

    func testUnreachableTargetIsReportedNotACrash() throws {
        let closed = try TargetServer()
        let url = closed.baseURL
        closed.shutdown()
        let result = try stampede("run", "--url", url + "/", "--iterations", "3", "--quiet")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("connection_refused"), result.stdout)
        XCTAssertTrue(result.stdout.contains("100.00%"))
    }
}

extension CLITests {
    func testTargetCommandServesTheAPIUntilTerminated() throws {
        let (process, out, err) = try launch(["target", "--port", "0"])
        let firstLine = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let url = try XCTUnwrap(firstLine.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init), firstLine)
        let run = try stampede("run", "--url", url + "/health", "--iterations", "5", "--quiet")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains(": 0.00% 0 out of 5"), run.stdout)
        process.terminate()
        XCTAssertEqual(collect(process, out, err).status, 0)
    }
}

extension CLITests {
    func testPlanFilesRunAndTheirMistakesStopBeforeAnyLoad() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let good = workDir.appendingPathComponent("good.yaml")
        try """
            scenarios:
              ping:
                executor: shared-iterations
                vus: 2
                iterations: 10
                feeder: {file: ids.csv, strategy: sequential}
                flow:
                  - get: /customers/{{id}}
                    checks: [{status: 200}]
            """.write(to: good, atomically: true, encoding: .utf8)
        try "id\nc-0001\nc-0002\nc-0003\nc-0004\nc-0005\nc-0006\nc-0007\nc-0008\nc-0009\nc-0010\n"
            .write(to: workDir.appendingPathComponent("ids.csv"), atomically: true, encoding: .utf8)
        let result = try stampede("run", good.path, "--target", server.baseURL, "--quiet")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("checks_succeeded"), result.stdout)
        XCTAssertTrue(result.stdout.contains("100.00% 10 out of 10"), result.stdout)
        XCTAssertEqual(server.stats.requests, 10)

        let missingFeeder = workDir.appendingPathComponent("missing.yaml")
        try """
            scenarios:
              ping:
                executor: constant-vus
                vus: 1
                duration: 5s
                feeder: {file: nowhere.csv}
                flow: [{get: /health}]
            """.write(to: missingFeeder, atomically: true, encoding: .utf8)
        assertUsageError(try stampede("run", missingFeeder.path, "--target", server.baseURL), mentions: "feeder file 'nowhere.csv': no such file at \(workDir.path)/nowhere.csv")
        assertUsageError(try stampede("run", workDir.appendingPathComponent("absent.yaml").path), mentions: "absent.yaml: no such file (looked for \(workDir.path)/absent.yaml)")
        XCTAssertEqual(server.stats.requests, 10, "no load started for a bad plan")
    }
}

extension CLITests {
    func testThresholdsGateTheExitCode() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let url = server.baseURL + "/health"
        let pass = try stampede("run", "--url", url, "--iterations", "20", "--vus", "2", "-q", "--threshold", "http_req_failed: rate<0.01")
        XCTAssertEqual(pass.status, 0, pass.stderr)
        XCTAssertTrue(pass.stdout.contains("✓ 'rate<0.01' rate=0.00%"), pass.stdout)

        let export = workDir.appendingPathComponent("fail.json")
        let junit = workDir.appendingPathComponent("junit.xml")
        let fail = try stampede("run", "--url", url, "--iterations", "20", "-q", "--threshold", "http_req_duration: p(99)<1us",
                                "--threshold", "http_reqs: count==20", "--summary-export", export.path, "--junit", junit.path)
        XCTAssertEqual(fail.status, 99, fail.stderr)
        XCTAssertTrue(fail.stdout.contains("✗ 'p(99)<1us'"), fail.stdout)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: export)) as? [String: Any]
        let duration = (json?["metrics"] as? [String: Any])?["http_req_duration"] as? [String: Any]
        XCTAssertEqual(duration?["thresholds"] as? [String: Bool], ["p(99)<1us": true], "k6 marks a failed threshold true")
        let xml = try String(contentsOf: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains(#"<testsuite name="thresholds" tests="2" failures="1""#), xml)
        XCTAssertTrue(xml.contains(#"name="p(99)&lt;1us"><failure message="p(99)="#), xml)
        XCTAssertTrue(xml.contains(#"name="count==20"></testcase>"#), xml)

        let compare = try stampede("compare", export.path, export.path, "--max-regression", "p(99)=5%")
        XCTAssertEqual(compare.status, 0, compare.stderr)
        XCTAssertTrue(compare.stdout.contains("http_req_duration"), compare.stdout)
        assertUsageError(try stampede("compare", export.path, "/nowhere.json"), mentions: "/nowhere.json: no such file")

        assertUsageError(try stampede("run", "--url", url, "--threshold", "http_req_duration: p95<500"), mentions: "p95")
        XCTAssertEqual(server.stats.requests, 40, "a bad threshold starts no load")
    }
}

extension CLITests {
    func testEveryRunWritesASelfContainedReportThatReportRebuilds() throws {
        // 2 ms answers: request times above 2 ms use the histograms' full range, the phases below it the small one.
        let server = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { server.shutdown() }
        let result = try stampede("run", "--url", server.baseURL + "/products/p-001", "--vus", "2", "--duration", "2s", "-q",
                                  "--threshold", "http_req_duration: p(95)<10s", "--threshold", "http_reqs: count<1")
        XCTAssertEqual(result.status, 99, "one threshold fails, so the page shows a ✗ and a ✓: \(result.stderr)")
        let folder = try onlyResultsFolder(in: workDir)
        for file in ["summary.json", "timeline.ndjson", "junit.xml", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        try assertTimelineAddsUpToTheSummary(folder, serverLatencyMs: 2)
        let report = folder.appendingPathComponent("report.html")
        let html = try String(contentsOf: report, encoding: .utf8)
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg").count - 1, 4, "charts are inline SVG")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertNil(html.range(of: #"(src|href)="https?:"#, options: .regularExpression), "nothing loads from the network")

        try FileManager.default.removeItem(at: report)
        let rebuilt = try stampede("report", folder.path)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertEqual(try String(contentsOf: report, encoding: .utf8), html, "report rebuilds the same page")
        assertUsageError(try stampede("report", workDir.path), mentions: "no summary.json")

        try assertHistogramsDecodeWithTheReferenceDecoder(folder.appendingPathComponent("summary.json"))

        // The page as a real browser parses and draws it, offline, each within a deadline.
        let browser = try ReferenceTools.chromium()
        let flags = ["--headless", "--no-sandbox", "--disable-gpu"]
        let dom = try ReferenceTools.run(browser, flags + ["--dump-dom", report.absoluteString], seconds: 60)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        try assertReportShows(dom.stdout, folder: folder)
        let screenshot = workDir.appendingPathComponent("report.png")
        let shot = try ReferenceTools.run(browser, flags + ["--window-size=900,2400", "--screenshot=\(screenshot.path)", report.absoluteString],
                                          seconds: 60)
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG came out")
        XCTAssertGreaterThan(png.count, 30_000, "with the charts drawn, not a blank page")
    }
}

extension CLITests {
    func testPrometheusServesTheRunningTestsMetrics() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let (process, out, err) = try launch(["run", "--url", server.baseURL + "/health", "--vus", "2", "--duration", "3s",
                                               "--prometheus", "127.0.0.1:0"])
        let address = try prometheusAddress(printedOn: out)
        Thread.sleep(forTimeInterval: 2)
        let text = try fetch(address)
        let requests = text.split(separator: "\n").first { $0.hasPrefix("stampede_http_reqs_total ") }
        XCTAssertNotNil(requests, text)
        XCTAssertGreaterThan(Double(requests?.split(separator: " ").last ?? "") ?? 0, 0, "a second of the run was recorded")
        XCTAssertTrue(text.contains("stampede_http_req_duration_seconds{quantile=\"0.99\"}"), text)
        XCTAssertEqual(collect(process, out, err).status, 0)
    }
}

extension CLITests {
    func testBadHTTPOptionsStopBeforeAnyLoad() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let url = server.baseURL + "/health"
        assertUsageError(try stampede("run", "--url", url, "--ca-file", "/nowhere/ca.pem"), mentions: "CA file '/nowhere/ca.pem': no such file")
        assertUsageError(try stampede("run", "--url", url, "--tls-min-version", "1.4"), mentions: "tls-min-version")
        assertUsageError(try stampede("run", "--url", url, "--resolve", "api.example.com:443"), mentions: "resolve entry 'api.example.com:443'")
        assertUsageError(try stampede("run", "--url", url, "--client-cert", workDir.path), mentions: "needs its key")
        XCTAssertEqual(server.stats.requests, 0)
    }
}

extension CLITests {
    /// `--duration -5s` was read as a flag ("Missing value"), and `--duration 5` said only
    /// that the value was invalid: both now say what a duration is, in one line, exit 104.
    func testDurationMistakesSayWhatADurationIs() throws {
        let url = "http://127.0.0.1:1/"  // nothing listens: each mistake stops before any request
        assertUsageError(try stampede("run", "--url", url, "--duration", "-5s"), mentions: "--duration must be longer than 0s, got -5s")
        assertUsageError(try stampede("run", "--url", url, "--duration", "5"),
                         mentions: "'5' is invalid for '--duration <duration>': expected a duration such as 30s, 5m, 1h30m (a number needs its unit: 5s, 5m")
        assertUsageError(try stampede("run", "--url", url, "--duration", "6131300h"), mentions: "expected a duration such as 30s")
        assertUsageError(try stampede("run", "--url", url, "--timeout", "soon"),
                         mentions: "'soon' is invalid for '--timeout <timeout>': expected a duration such as 30s, 5m, 1h30m")
        assertUsageError(try stampede("target", "--port", "0", "--latency", "-5ms"), mentions: "--latency must not be negative, got -5ms")
        assertUsageError(try stampede("target", "--port", "0", "--stall-every", "5"), mentions: "expected a duration such as 30s, 5m, 1h30m")
        // A well-formed duration still reads as one, next to other flags.
        let run = try stampede("run", "--url", url, "--duration", "1m30s", "--iterations", "1", "--timeout", "500ms", "-q")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("connection_refused"), run.stdout)
    }
}
