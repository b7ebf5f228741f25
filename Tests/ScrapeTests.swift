import Foundation
@testable import StampedeScrape
import StampedeTarget
import XCTest

/// `--scrape`: the system under test's own Prometheus endpoint read each second beside the
/// load. The embedded target serves its process's metrics and its own request count at
/// /metrics, a count kept outside Stampede's: the scraped values must be the target's, a
/// threshold on them must judge the run, and an endpoint that is down or never answers must
/// cost the load nothing but gaps.
extension CLITests {
    func testThePrometheusTextReaderReadsTheFormatsExamplesAndSkipsWhatItCannotRead() throws {
        let text = try String(contentsOf: ReferenceTools.packageRoot.appendingPathComponent("Fuzz/corpus/prometheus-text/exposition-examples.txt"),
                              encoding: .utf8) + "not a sample line\n{broken} 1\n"
        let page = PrometheusText(text)
        XCTAssertEqual(page.samples.count, 8, "every sample line, no comment, nothing malformed")
        XCTAssertEqual(page.samples.first, .init(name: "http_requests_total", labels: ["method": "post", "code": "200"], value: 1027))
        let msdos = try XCTUnwrap(page.samples.first { $0.name == "msdos_file_access_time_seconds" })
        XCTAssertEqual(msdos.labels, ["path": #"C:\DIR\FILE.TXT"#, "error": "Cannot find file:\n\"FILE.TXT\""])
        XCTAssertEqual(msdos.value, 1.458255915e9)
        XCTAssertEqual(page.samples.first { $0.name == "something_weird" }?.value, .infinity, "a timestamp after the value is not the value")
        XCTAssertTrue(page.samples.first { $0.name == "nan_value" }?.value.isNaN ?? false)
        XCTAssertEqual(page.samples.first { $0.name == "jvm_gc_pause_seconds_max" }?.labels["cause"], "G1 Evacuation Pause", "a trailing comma is allowed")
        XCTAssertEqual(SeriesSelector("http_requests_total")?.value(on: page), 1030, "a bare name sums its label sets")
        XCTAssertNil(SeriesSelector("absent_total")?.value(on: page))
        XCTAssertNil(SeriesSelector("not-a-name"))
    }

    func testScrapedSeriesAreTheTargetsOwnFiguresAndAThresholdOnThemJudgesTheRun() throws {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { target.shutdown() }
        let (probe, closed) = try loopbackSocket()
        close(probe)  // nothing listens on it now
        let result = try stampede(
            "run", "--url", target.baseURL + "/health", "--vus", "4", "--duration", "3s", "-q",
            "--scrape", "\(target.baseURL)/metrics,http://127.0.0.1:\(closed)/metrics",
            "--scrape-series", "stampede_target_requests_total", "--scrape-series", "process_resident_memory_bytes",
            "--threshold", "scrape:process_resident_memory_bytes: max<1", "--threshold", "scrape:stampede_target_requests_total: max>10")
        XCTAssertEqual(result.status, 99, "the memory threshold fails: \(result.stderr)")
        XCTAssertEqual(result.stderr.components(separatedBy: "127.0.0.1:\(closed)/metrics").count - 1, 1,
                       "the endpoint that is down is named once: \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("✗ 'max<1'"), result.stdout)
        XCTAssertTrue(result.stdout.contains("✓ 'max>10'"), result.stdout)

        let folder = try onlyResultsFolder(in: workDir)
        let timeline = try String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let counts = timeline.compactMap { (($0["scrape"] as? [String: Any])?["stampede_target_requests_total"] as? NSNumber)?.doubleValue }
        XCTAssertGreaterThanOrEqual(counts.count, 2, "a value in most seconds: \(timeline)")
        XCTAssertEqual(counts, counts.sorted(), "a counter only grows")
        // The target's own count, outside Stampede: the last reading is at most what it served
        // in all, and most of it (the load's last second may come after it).
        let served = Double(target.stats.requests)
        let summary = try XCTUnwrap(try onlySummary(in: workDir)["metrics"] as? [String: [String: Any]])
        let scraped = try XCTUnwrap((summary["scrape:stampede_target_requests_total"]?["max"] as? NSNumber)?.doubleValue)
        XCTAssertLessThanOrEqual(scraped, served)
        XCTAssertGreaterThan(scraped, served * 0.5, "scraped \(scraped) of \(served)")
        XCTAssertEqual(served, (summary["http_reqs"]?["count"] as? NSNumber)?.doubleValue, "reading /metrics is not counted as load")
        let memory = try XCTUnwrap((summary["scrape:process_resident_memory_bytes"]?["max"] as? NSNumber)?.doubleValue)
        XCTAssertGreaterThan(memory, 1_000_000, "this process's resident memory, in bytes")
        let report = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(report.contains("System under test: stampede_target_requests_total per second"))
    }

    func testAnEndpointThatNeverAnswersCostsTheLoadNothingButGaps() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        // A socket that accepts connections (the kernel completes them) and never answers.
        let (silent, port) = try loopbackSocket()
        defer { close(silent) }
        XCTAssertEqual(listen(silent, 64), 0)

        let started = Date()
        let result = try stampede("run", "--url", target.baseURL + "/health", "--vus", "2", "--duration", "2s", "-q",
                                  "--scrape", "http://127.0.0.1:\(port)/metrics", "--scrape-series", "process_open_fds")
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(port)/metrics: Timeout was reached"), result.stderr)
        XCTAssertLessThan(seconds, 6, "a 2 s run is not held up by its scrapes")
        let timeline = try String(contentsOf: try onlyResultsFolder(in: workDir).appendingPathComponent("timeline.ndjson"), encoding: .utf8)
        XCTAssertTrue(timeline.contains(#""scrape":{"process_open_fds":null}"#), "each second is a gap: \(timeline)")
        XCTAssertGreaterThan(target.stats.requests, 100, "the load went on")
    }

    func testScrapeOptionsThatCannotWorkAreRefusedBeforeTheLoad() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        let base = ["run", "--url", target.baseURL + "/health", "--iterations", "1", "-q"]
        assertUsageError(try stampede(base + ["--scrape-series", "process_open_fds"]), mentions: "no endpoint to scrape")
        assertUsageError(try stampede(base + ["--scrape", "ftp://127.0.0.1/metrics", "--scrape-series", "x"]),
                         mentions: "scrape URL 'ftp://127.0.0.1/metrics' is not an http:// or https:// address")
        assertUsageError(try stampede(base + ["--scrape", target.baseURL + "/metrics", "--scrape-series", "cpu-seconds"]),
                         mentions: "scrape series 'cpu-seconds' is not a Prometheus metric name")
        let plan = try writePlan("scrape.yaml", """
            scrape:
              urls: \(target.baseURL)/metrics
              series: [process_open_fds]
            thresholds:
              "scrape:process_open_fds": ["max<100000"]
            scenarios:
              default:
                executor: shared-iterations
                iterations: 1
                flow:
                  - get: \(target.baseURL)/health
            """)
        let fromPlan = try stampede("run", plan.path, "-q")
        XCTAssertEqual(fromPlan.status, 0, fromPlan.stderr)
        XCTAssertTrue(fromPlan.stdout.contains("scrape:process_open_fds"), fromPlan.stdout)
        XCTAssertEqual(target.stats.requests, 1)
    }

    /// A TCP socket bound to a free loopback port, not listening yet, and the port.
    private func loopbackSocket() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard fd >= 0, bound == 0 else { throw FixtureError(message: "cannot bind a loopback socket: \(String(cString: strerror(errno)))") }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
