import Foundation
import StampedeMetrics
import XCTest

/// Targets that misbehave (issue 12), each a real server the test starts
/// (scripts/hostile-server through `HostileServer`). Every run must go on to its end, count
/// each request once — as passed, as many as the server answered in full, or as failed with
/// its class — print its summary, write its results folder and exit with the documented
/// code. The server's own counts are the truth (docs/reliability.md).
extension CLITests {
    /// What one `stampede run` left: its exit status, output and summary.json.
    struct HostileRun {
        let status: Int32
        let stdout: String
        let stderr: String
        let summary: [String: Any]

        private var metrics: [String: [String: Any]] { summary["metrics"] as? [String: [String: Any]] ?? [:] }
        var requests: Int { (metrics["http_reqs"]?["count"] as? NSNumber)?.intValue ?? -1 }
        /// k6's `passes` of http_req_failed: the requests that failed.
        var failed: Int { (metrics["http_req_failed"]?["passes"] as? NSNumber)?.intValue ?? -1 }
        var iterations: Int { (metrics["iterations"]?["count"] as? NSNumber)?.intValue ?? -1 }
        var errors: [String: Int] { (summary["stampede"] as? [String: Any])?["errors"] as? [String: Int] ?? [:] }
    }

    /// Runs `stampede run ARGUMENTS -q` (through `wrapper`, e.g. unshare, when given) with a
    /// results folder of its own, calling `during` with that folder while it runs; checks
    /// that the summary was printed and the results folder written in full, and returns the
    /// run with the folder's summary.json.
    func hostileRun(_ arguments: [String], wrapper: [String] = [], seconds: Double = 120, during: (URL) throws -> Void = { _ in },
                    file: StaticString = #filePath, line: UInt = #line) throws -> HostileRun {
        let resultsDir = workDir.appendingPathComponent("results-\(UUID().uuidString)")
        let command = wrapper + [StampedeProcess.binary.path, "run"] + arguments + ["-q", "--results-dir", resultsDir.path]
        let process = try StampedeProcess(Array(command.dropFirst()), in: workDir, executable: command[0])
        try during(resultsDir)
        let status = try XCTUnwrap(process.exitStatus(within: seconds), "still running after \(seconds) s: killed", file: file, line: line)
        let (stdout, stderr) = (process.stdout, process.stderr)
        XCTAssertTrue(stdout.contains("█ TOTAL RESULTS"), "the summary was printed: \(stdout)\(stderr)", file: file, line: line)
        let folder = try XCTUnwrap(stdout.firstMatch(of: #/results: (\S+) \(/#)?.1, "where the results went: \(stdout)", file: file, line: line)
        for name in ["summary.json", "timeline.ndjson", "junit.xml", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/\(name)"), "\(folder)/\(name)", file: file, line: line)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/summary.json"))
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
        return HostileRun(status: status, stdout: stdout, stderr: stderr, summary: summary)
    }

    /// Every request counted once: `passed` of them (what the server answered in full), and
    /// the rest failed with exactly these classes, each printed under ERRORS.
    func assertCountedOnce(_ run: HostileRun, passed: Int, failed: [ErrorClass: Int], file: StaticString = #filePath, line: UInt = #line) {
        let failures = failed.filter { $0.value > 0 }
        let failedCount = failures.values.reduce(0, +)
        XCTAssertEqual(run.requests, passed + failedCount, "http_reqs: the passed and the failed, once each", file: file, line: line)
        XCTAssertEqual(run.failed, failedCount, "http_req_failed", file: file, line: line)
        XCTAssertEqual(run.errors, Dictionary(uniqueKeysWithValues: failures.map { ($0.key.name, $0.value) }),
                       "stampede.errors in summary.json", file: file, line: line)
        for (error, count) in failures {
            XCTAssertNotNil(run.stdout.range(of: "    \(error.name)\\.+: \(count) \\(", options: .regularExpression),
                            "ERRORS prints \(error.name): \(count)\n\(run.stdout)", file: file, line: line)
        }
    }

    func testARefusedTargetThatRecoversMidRunCountsEachRequestOnce() throws {
        // Bound but not listening: every connection is refused, until the run has met that
        // for a second; then it serves.
        let server = try HostileServer("http1", ["--refuse"], in: workDir)
        let plan = try writePlan("refused.yaml", """
            scenarios:
              arrivals:
                executor: constant-arrival-rate
                rate: 100
                duration: 3s
                preAllocatedVUs: 5
                flow: [{get: "\(server.url)"}]
            """)
        let run = try hostileRun([plan.path, "--threshold", "http_req_failed: rate<0.01"]) { results in
            XCTAssertTrue(waitUntil(20) { self.timelineFailures(under: results) > 0 }, "a second of refusals in timeline.ndjson")
            try server.startServing()
        }
        let seen = try server.stop()
        XCTAssertEqual(run.status, 99, "a threshold failed, nothing else: \(run.stderr)")
        let served = seen["responses", default: 0]
        XCTAssertGreaterThan(served, 50, "it recovered and served the rest of the run: \(seen)")
        XCTAssertGreaterThan(run.requests - served, 50, "a second of refusals: \(seen)")
        assertCountedOnce(run, passed: served, failed: [.connectionRefused: run.requests - served])
        XCTAssertEqual(run.requests, run.iterations, "one request an iteration, none lost or doubled")
        XCTAssertEqual(seen["requests"], served, "the server answered everything it read")
    }

    /// The failed requests timeline.ndjson has so far, in the one results folder under `root`.
    func timelineFailures(under root: URL) -> Int {
        guard let folder = try? FileManager.default.contentsOfDirectory(atPath: root.path).first,
              let text = try? String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent("timeline.ndjson"), encoding: .utf8)
        else { return 0 }
        return text.split(separator: "\n").reduce(0) { sum, line in
            let second = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return sum + ((second?["failed"] as? NSNumber)?.intValue ?? 0)
        }
    }

    func testNamesThatDoNotResolveAreDNSFailuresAndTheRestOfTheRunGoesOn() throws {
        // A resolver of the test's own, so the result depends on no network: stampede runs in
        // a mount namespace whose /etc/resolv.conf names a DNS server on a loopback address
        // that answers NXDOMAIN and counts the queries.
        let address = "127.53.\(UInt8.random(in: 1...254)).\(UInt8.random(in: 1...254))"
        let dns = try HostileServer("dns", ["--address", address], in: workDir)
        let web = try HostileServer("http1", in: workDir)
        let resolvConf = workDir.appendingPathComponent("resolv.conf")
        try "nameserver \(address)\noptions attempts:1 timeout:2\n".write(to: resolvConf, atomically: true, encoding: .utf8)
        let plan = try writePlan("dns.yaml", """
            scenarios:
              lookups:
                executor: shared-iterations
                vus: 2
                iterations: 20
                flow:
                  - get: "\(web.url)"
                  - get: "http://nowhere.invalid:\(web.port)/"
            """)
        let unshare = ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                       #"mount --bind "$0" /etc/resolv.conf && exec "$@""#, resolvConf.path]
        let run = try hostileRun([plan.path], wrapper: unshare)
        let (queries, served) = (try dns.stop(), try web.stop())
        XCTAssertEqual(run.status, 0, "no threshold: failed requests are metrics, not an error of the run: \(run.stderr)")
        XCTAssertEqual(served["responses"], 20, "\(served)")
        XCTAssertEqual(queries["query nowhere.invalid A"], 20, "one lookup per request, none cached: \(queries)")
        assertCountedOnce(run, passed: 20, failed: [.dnsFailure: 20])
    }

    func testTLSHandshakesThatFailAreTLSFailuresCountedAsTheServerSawThem() throws {
        let certificates = try TestCertificates(in: workDir)
        let good = try HostileServer("http1", ["--cert", certificates.good.path, "--key", certificates.key.path], in: workDir)
        let expired = try HostileServer("http1", ["--cert", certificates.expired.path, "--key", certificates.key.path], in: workDir)
        let tls12 = try HostileServer("http1", ["--cert", certificates.good.path, "--key", certificates.key.path, "--max-tls", "1.2"],
                                      in: workDir)
        let load = ["--vus", "2", "--iterations", "10", "--ca-file", certificates.ca.path, "--threshold", "http_req_failed: rate<0.01"]
        // The certificate is good, but not for this name.
        let wrongName = try hostileRun(["--url", "https://wrong.test:\(good.port)/", "--resolve", "wrong.test:\(good.port):127.0.0.1"] + load)
        let rightName = try hostileRun(["--url", "https://127.0.0.1:\(good.port)/"] + load)
        let outOfDate = try hostileRun(["--url", "https://127.0.0.1:\(expired.port)/"] + load)
        // The server speaks TLS 1.2 at most; the run asks for 1.3 at least.
        let noCommonVersion = try hostileRun(["--url", "https://127.0.0.1:\(tls12.port)/", "--tls-min-version", "1.3"] + load)
        let oldVersion = try hostileRun(["--url", "https://127.0.0.1:\(tls12.port)/", "--tls-min-version", "1.2"] + load)
        let (goodSaw, expiredSaw, tls12Saw) = (try good.stop(), try expired.stop(), try tls12.stop())

        for run in [wrongName, outOfDate, noCommonVersion] {
            XCTAssertEqual(run.status, 99, run.stderr)
            assertCountedOnce(run, passed: 0, failed: [.tlsFailure: 10])
        }
        for run in [rightName, oldVersion] {
            XCTAssertEqual(run.status, 0, "the same servers work for a run that may use them: \(run.stderr)")
            assertCountedOnce(run, passed: 10, failed: [:])
        }
        // Each failed request was a connection that carried no request: libcurl checks the
        // name after the handshake and hangs up; an expired certificate or no common version
        // fails the handshake itself.
        XCTAssertEqual(goodSaw["no_request"], 10, "\(goodSaw)")
        XCTAssertEqual(goodSaw["responses"], 10, "\(goodSaw)")
        XCTAssertEqual(expiredSaw["handshake_failures"], 10, "\(expiredSaw)")
        XCTAssertEqual(expiredSaw["no_request"], 10, "\(expiredSaw)")
        XCTAssertNil(expiredSaw["responses"], "\(expiredSaw)")
        XCTAssertEqual(tls12Saw["handshake_failures"], 10, "\(tls12Saw)")
        XCTAssertEqual(tls12Saw["responses"], 10, "the 1.2 run: \(tls12Saw)")
    }

    func testHTTP2GoawayAndResetStreamsMidRunAreCountedOnceEach() throws {
        let certificates = try TestCertificates(in: workDir)
        // Every 7th stream is reset (RST_STREAM INTERNAL_ERROR); a connection says GOAWAY
        // after 10 streams, as nginx does at its keepalive_requests.
        func server() throws -> HostileServer {
            try HostileServer("h2", ["--cert", certificates.good.path, "--key", certificates.key.path,
                                     "--goaway-after", "10", "--reset-every", "7"], in: workDir)
        }
        func load(_ server: HostileServer) -> [String] {
            ["--url", "https://127.0.0.1:\(server.port)/", "--ca-file", certificates.ca.path, "--vus", "8", "--iterations", "200"]
        }
        // Each VU on its own connection (k6's way): one stream at a time, so GOAWAY never
        // finds another in flight.
        let own = try server()
        let alone = try hostileRun(load(own))
        let ownSaw = try own.stop()
        // The worker's VUs' streams on shared connections: GOAWAY finds others in flight.
        let shared = try server()
        let multiplexed = try hostileRun(load(shared) + ["--connection-scope", "worker"])
        let sharedSaw = try shared.stop()

        for (run, seen) in [(alone, ownSaw), (multiplexed, sharedSaw)] {
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertNil(seen["not_h2"], "every connection spoke HTTP/2: \(seen)")
            XCTAssertGreaterThanOrEqual(seen["goaways", default: 0], 200 / 10 - 8, "\(seen)")
            XCTAssertEqual(run.requests, 200, "\(seen)")
            // Passed: exactly the streams the server answered. Failed: every reset stream,
            // and none other than those and streams the server never processed.
            let resets = seen["resets", default: 0]
            XCTAssertGreaterThan(resets, 0, "\(seen)")
            XCTAssertGreaterThanOrEqual(run.failed, resets, "\(seen)")
            XCTAssertLessThanOrEqual(run.failed - resets, seen["after_goaway", default: 0], "\(seen)")
            XCTAssertEqual(Set(run.errors.keys).subtracting([ErrorClass.protocolError.name, ErrorClass.connectionReset.name]), [],
                           "\(run.errors)")
            assertCountedOnce(run, passed: seen["responses", default: -1], failed: [
                .protocolError: run.errors[ErrorClass.protocolError.name, default: 0],
                .connectionReset: run.errors[ErrorClass.connectionReset.name, default: 0],
            ])
        }
        // Alone, libcurl sends nothing after GOAWAY, and the count is exact: a reset stream
        // is a protocol_error, or a connection_reset when GOAWAY came first on its
        // connection (libcurl 7.88 reports a partial transfer then: docs/reliability.md).
        XCTAssertNil(ownSaw["after_goaway"], "\(ownSaw)")
        let afterGoaway = ownSaw["resets_after_goaway", default: 0]
        assertCountedOnce(alone, passed: ownSaw["responses", default: -1],
                          failed: [.protocolError: ownSaw["resets", default: 0] - afterGoaway, .connectionReset: afterGoaway])
    }

    func testInformationalResponsesBeforeTheFinalOneAreNotResponsesOfTheirOwn() throws {
        // 100 Continue to a request that asks for it, then 103 Early Hints, then the final
        // status: 200, or 503 for every 3rd request.
        let server = try HostileServer("http1", ["--informational"], in: workDir)
        let plan = try writePlan("informational.yaml", """
            scenarios:
              uploads:
                executor: shared-iterations
                vus: 3
                iterations: 30
                flow:
                  - post: "\(server.url)"
                    headers: {Expect: 100-continue}
                    body: a body that waits for the server's go-ahead
            """)
        let run = try hostileRun([plan.path])
        let seen = try server.stop()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(seen["continues"], 30, "every request asked for 100 Continue and got it: \(seen)")
        XCTAssertEqual(seen["early_hints"], 30, "\(seen)")
        XCTAssertEqual(seen["status_503"], 10, "\(seen)")
        assertCountedOnce(run, passed: seen["status_200", default: -1], failed: [.http5xx: seen["status_503", default: -1]])
        XCTAssertEqual(run.requests, 30, "a 1xx is not a response of its own: \(seen)")
        let slowest = ((run.summary["metrics"] as? [String: [String: Any]])?["http_req_duration"]?["max"] as? NSNumber)?.doubleValue
        XCTAssertLessThan(try XCTUnwrap(slowest), 1000, "the body went on the 100 Continue, not after libcurl's 1 s wait for it")
    }

    func testBodiesCutShortAreConnectionResetsCountedOnce() throws {
        // Every 2nd response stops halfway through its body and the server hangs up: a
        // Content-Length of 100 with 50 bytes sent, or a chunk of 100 with 50 sent.
        for framing in ["content-length", "chunked"] {
            let server = try HostileServer("http1", ["--truncate", framing], in: workDir)
            let run = try hostileRun(["--url", server.url, "--vus", "2", "--iterations", "40"])
            let seen = try server.stop()
            XCTAssertEqual(run.status, 0, "\(framing): \(run.stderr)")
            XCTAssertEqual(seen["truncated"], 20, "\(framing): \(seen)")
            assertCountedOnce(run, passed: seen["responses", default: -1], failed: [.connectionReset: seen["truncated", default: -1]])
        }
    }

    func testTenThousandConnectionsClosedByTheServerAtOnce() throws {
        // 10,000 VUs, each with its own keep-alive connection (k6's way), against a server
        // that closes every open connection at one moment, 1.5 s after the 10,000th opened.
        // It answers after 1 s and the VUs think for 0.2 s, so many have a request in
        // flight then (most on a quiet machine), on a connection they have used before.
        let connections = 10_000
        let server = try HostileServer("http1", ["--close-all-after", "\(connections)", "--close-delay", "1.5", "--delay", "1000"],
                                       in: workDir)
        // Iterations, not a duration: a request cut off by the end of a test is not counted
        // (as in k6), so only a run whose every iteration ends can be held to the server's
        // count; maxDuration still bounds it.
        let plan = try writePlan("close-all.yaml", """
            scenarios:
              crowd:
                executor: per-vu-iterations
                vus: \(connections)
                iterations: 3
                maxDuration: 60s
                flow:
                  - get: "\(server.url)"
                  - think: 200ms
            """)
        // A soft open-file limit of 1,024, as many shells have: stampede raises it to the
        // hard limit itself (a plan needing more than the hard limit is refused: see
        // testAPlanNeedingMoreOpenFilesThanTheLimitIsRefusedBeforeAnyLoad).
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let lowSoftLimit = ["/usr/bin/prlimit", "--nofile=1024:\(limit.rlim_max)"]
        let started = Date()
        let run = try hostileRun([plan.path, "--connection-scope", "vu"], wrapper: lowSoftLimit, seconds: 90)
        let seen = try server.stop()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "bounded by maxDuration")
        XCTAssertEqual(run.iterations, 3 * connections, "every iteration ran to its end, none interrupted")
        XCTAssertEqual(seen["open_at_close"], connections, "all open at once, then closed at once: \(seen)")
        XCTAssertGreaterThan(seen["connections", default: 0], connections, "the VUs connected again: \(seen)")
        XCTAssertGreaterThan(seen["unanswered", default: 0], connections / 10, "requests in flight at the close: \(seen)")
        // A request in flight on a reused connection that closes before any byte of an answer
        // is sent again by libcurl on a new one, and counts once, as that answer; a VU's
        // first request, on a new connection, fails. No request is lost or counted twice.
        let resets = run.errors[ErrorClass.connectionReset.name, default: 0]
        XCTAssertLessThanOrEqual(resets, seen["unanswered", default: 0] + seen["no_request", default: 0], "\(seen)")
        assertCountedOnce(run, passed: seen["responses", default: -1], failed: [.connectionReset: resets])
    }
}
