import Foundation
import Histogram
import StampedeTarget
import XCTest

/// A coordinator and worker processes on loopback, against a target that counts what it
/// receives: the merged numbers must be the target's and the workers' sums, and every
/// failure path (a dead or hung worker, a dead coordinator, Ctrl+C, a stranger) must end
/// the way docs/distributed.md says, within the times it says.
final class DistributedTests: XCTestCase {
    private var workDir: URL!
    private var processes: [StampedeProcess] = []

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-dist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for process in processes where process.process.isRunning { process.signal(SIGKILL) }
        processes = []
        try? FileManager.default.removeItem(at: workDir)
    }

    private func start(_ arguments: [String], environment: [String: String] = [:]) throws -> StampedeProcess {
        let process = try StampedeProcess(arguments, in: workDir, environment: environment)
        processes.append(process)
        return process
    }

    /// A coordinator on a free loopback port (it binds port 0 and prints the port it got).
    private func coordinator(_ arguments: [String], workers: Int) throws -> (StampedeProcess, String) {
        let process = try start(["coordinator"] + arguments + ["--workers", "\(workers)", "--listen", "127.0.0.1:0", "--quiet"])
        let address = try XCTUnwrap(process.waitForError(#"waiting for \d+ workers? on (\S+)"#))
        return (process, address)
    }

    private func worker(_ address: String, _ extra: [String] = []) throws -> StampedeProcess {
        try start(["worker", "--coordinator", address, "--workers", "1", "--connect-timeout", "10s"] + extra)
    }

    private func summary(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try onlySummary(in: workDir, file: file, line: line)
    }

    private func metric(_ summary: [String: Any], _ name: String, _ key: String) -> Double? {
        ((summary["metrics"] as? [String: Any])?[name] as? [String: Any])?[key] as? Double
    }

    private func distribution(_ summary: [String: Any]) throws -> [String: Any] {
        try XCTUnwrap((summary["stampede"] as? [String: Any])?["distributed"] as? [String: Any])
    }

    func testThreeWorkersAddUpToOneMachine() throws {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { target.shutdown() }
        let (coordinator, address) = try coordinator(["--url", target.baseURL + "/health", "--vus", "6", "--iterations", "300"], workers: 3)
        // eu has twice the capacity of the others: half the iterations, exactly.
        let workers = try ["eu", "us", "apac"].map {
            try worker(address, ["--tag", "region=\($0)", "--name", "w-\($0)", "--capacity", $0 == "eu" ? "2" : "1"])
        }
        XCTAssertEqual(coordinator.exitStatus(within: 60), 0, coordinator.stderr)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }

        let summary = try summary()
        XCTAssertEqual(metric(summary, "http_reqs", "count"), 300)
        XCTAssertEqual(metric(summary, "iterations", "count"), 300, "the plan's iterations, split exactly")
        XCTAssertEqual(target.stats.requests, 300, "the target counted what the merged summary says")
        let distributed = try distribution(summary)
        let parts = try XCTUnwrap(distributed["workers"] as? [[String: Any]])
        XCTAssertEqual(Set(parts.compactMap { $0["name"] as? String }), ["w-eu", "w-us", "w-apac"])
        XCTAssertEqual(parts.compactMap { $0["http_reqs"] as? Int }.reduce(0, +), 300, "the workers' own counts add up")
        let byName = Dictionary(uniqueKeysWithValues: parts.map { ($0["name"] as? String ?? "", $0["iterations"] as? Int ?? 0) })
        XCTAssertEqual(byName, ["w-eu": 150, "w-us": 75, "w-apac": 75], "segments follow --capacity")
        XCTAssertEqual((distributed["tags"] as? [[String: Any]])?.count, 3, "a row per region")
        XCTAssertLessThan(try XCTUnwrap(distributed["startSkewMs"] as? Double), 50, "workers start together")

        // The merged distribution is the union of the workers' own: bucket for bucket, and so
        // its p99 is the union's p99.
        var union: [UInt64: UInt64] = [:]
        for part in parts {
            for (value, count) in try HDRDecoding.buckets(base64: try XCTUnwrap(part["http_req_duration_hdr"] as? String)) {
                union[value, default: 0] += count
            }
        }
        let percentiles = try XCTUnwrap(((summary["stampede"] as? [String: Any])?["percentiles"] as? [String: Any])?["http_req_duration"] as? [String: Any])
        let merged = try HDRDecoding.buckets(base64: try XCTUnwrap(percentiles["hdrHistogram"] as? String))
        XCTAssertEqual(merged, union)
        XCTAssertEqual(union.values.reduce(0, +), 300)
        let p99 = try XCTUnwrap(percentiles["p(99)"] as? Double) * 1000
        XCTAssertEqual(HDRDecoding.percentile(99, of: union), p99, accuracy: max(1, p99 * 0.001))
    }

    func testAThresholdFailsOnTheMergedDataWhileEachWorkerAlonePasses() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        // Each worker sends 100 requests (< 150); together they send 300.
        let (coordinator, address) = try coordinator(
            ["--url", target.baseURL + "/health", "--vus", "3", "--iterations", "300", "--threshold", "http_reqs: count<150"], workers: 3)
        let workers = try (0..<3).map { _ in try worker(address) }
        XCTAssertEqual(coordinator.exitStatus(within: 60), 99, coordinator.stderr)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }
        let parts = try XCTUnwrap(try distribution(try summary())["workers"] as? [[String: Any]])
        XCTAssertEqual(parts.compactMap { $0["http_reqs"] as? Int }, [100, 100, 100])
        XCTAssertTrue(coordinator.stdout.contains("✗ 'count<150' count=300"), coordinator.stdout)
    }

    func testSharedIterationsWithFewerVUsThanWorkersAreRefusedBeforeTheLoad() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        // One VU for two workers: one of them would hold 20 iterations and nobody to run them.
        let (coordinator, address) = try coordinator(["--url", target.baseURL + "/health", "--vus", "1", "--iterations", "40"], workers: 2)
        _ = try (0..<2).map { _ in try worker(address) }
        XCTAssertEqual(coordinator.exitStatus(within: 30), 104, coordinator.stderr)
        XCTAssertTrue(coordinator.stderr.contains("has too few VUs (1) to share among the workers"), coordinator.stderr)
        XCTAssertEqual(target.stats.requests, 0, "no load started")
    }

    func testAnAbortOnFailThresholdOnMergedDataStopsEveryWorkerAndTeardownStillRuns() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        let teardownTarget = try TargetServer()
        defer { teardownTarget.shutdown() }
        try """
            teardown:
              - get: \(teardownTarget.baseURL)/health
            thresholds:
              http_req_failed:
                - {threshold: "rate<0.01", abortOnFail: true}
            scenarios:
              missing:
                executor: constant-vus
                vus: 2
                duration: 60s
                flow:
                  - get: /no-such-route
            """.write(to: workDir.appendingPathComponent("abort.yaml"), atomically: true, encoding: .utf8)
        let (coordinator, address) = try coordinator(["abort.yaml", "--target", target.baseURL], workers: 2)
        let workers = try (0..<2).map { _ in try worker(address) }
        let startedAt = Date()
        XCTAssertEqual(coordinator.exitStatus(within: 30), 108, coordinator.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(startedAt), 15, "stopped early, not after 60 s")
        for worker in workers {
            XCTAssertEqual(worker.exitStatus(within: 5), 0, worker.stderr)
            XCTAssertTrue(worker.stderr.contains("the coordinator stopped the test"), worker.stderr)
        }
        XCTAssertEqual(teardownTarget.stats.requests, 1, "teardown ran once, after the abort")
        XCTAssertEqual((try summary()["stampede"] as? [String: Any])?["abortedByThreshold"] as? Bool, true)
    }

    /// A long test that three workers are running, with the target counting.
    private func runningTest(workers count: Int = 3, extra: [String] = []) throws -> (TargetServer, StampedeProcess, [StampedeProcess]) {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(5)))
        let (coordinator, address) = try coordinator(["--url", target.baseURL + "/health", "--vus", "\(count)", "--duration", "60s"] + extra, workers: count)
        let workers = try (0..<count).map { try worker(address, ["--name", "w\($0)"]) }
        coordinator.waitForError("joined.*\\(\(count) of \(count)\\)")
        let deadline = Date() + 20
        while target.stats.requests < 30 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThanOrEqual(target.stats.requests, 30, "the load started")
        return (target, coordinator, workers)
    }

    func testAKilledWorkerAbortsTheRunWithinFiveSecondsAndResultsAreWritten() throws {
        let (target, coordinator, workers) = try runningTest()
        defer { target.shutdown() }
        let killedAt = Date()
        workers[1].signal(SIGKILL)
        XCTAssertEqual(coordinator.exitStatus(within: 10), 103, coordinator.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 5, "noticed and stopped within 5 s")
        XCTAssertTrue(coordinator.stderr.contains("worker w1"), coordinator.stderr)
        XCTAssertTrue(coordinator.stderr.contains("lost"), coordinator.stderr)
        for index in [0, 2] { XCTAssertEqual(workers[index].exitStatus(within: 5), 0, workers[index].stderr) }
        let requests = target.stats.requests
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(target.stats.requests, requests, "no load after the abort")
        XCTAssertGreaterThan(metric(try summary(), "http_reqs", "count") ?? 0, 0, "the results so far were written")
    }

    func testAHungWorkerIsGivenUpAfterFiveSecondsOfSilence() throws {
        let (target, coordinator, workers) = try runningTest(workers: 2)
        defer { target.shutdown() }
        let stoppedAt = Date()
        workers[0].signal(SIGSTOP)
        XCTAssertEqual(coordinator.exitStatus(within: 15), 103, coordinator.stderr)
        let took = Date().timeIntervalSince(stoppedAt)
        XCTAssertGreaterThan(took, 3, "not before its 4 s of silence")
        XCTAssertLessThan(took, 7, "noticed within 5 s, results written soon after")
        XCTAssertTrue(coordinator.stderr.contains("silent"), coordinator.stderr)
        workers[0].signal(SIGKILL)
    }

    func testWorkersContinueWithoutALostOneWhenAsked() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        let (coordinator, address) = try coordinator(
            ["--url", target.baseURL + "/health", "--vus", "2", "--duration", "3s", "--on-worker-loss", "continue"], workers: 2)
        let workers = try (0..<2).map { try worker(address, ["--name", "w\($0)"]) }
        coordinator.waitForError("joined.*\\(2 of 2\\)")
        Thread.sleep(forTimeInterval: 1)
        workers[0].signal(SIGKILL)
        XCTAssertEqual(coordinator.exitStatus(within: 15), 0, "the run went on to its end: \(coordinator.stderr)")
        XCTAssertEqual(workers[1].exitStatus(within: 5), 0, workers[1].stderr)
        XCTAssertTrue(coordinator.stdout.contains("worker w0 (lost)"), coordinator.stdout)
    }

    func testAKilledCoordinatorStopsEveryWorkerWithinFiveSeconds() throws {
        let (target, coordinator, workers) = try runningTest()
        defer { target.shutdown() }
        let killedAt = Date()
        coordinator.signal(SIGKILL)
        for worker in workers {
            XCTAssertEqual(worker.exitStatus(within: 10), 103, worker.stderr)
            XCTAssertTrue(worker.stderr.contains("lost the coordinator"), worker.stderr)
        }
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 5)
        let requests = target.stats.requests
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(target.stats.requests, requests, "no worker goes on alone")
    }

    func testAHungCoordinatorStopsEveryWorkerWithinFiveSeconds() throws {
        let (target, coordinator, workers) = try runningTest(workers: 2)
        defer { target.shutdown() }
        let hungAt = Date()
        coordinator.signal(SIGSTOP)
        defer { coordinator.signal(SIGKILL) }
        for worker in workers {
            XCTAssertEqual(worker.exitStatus(within: 10), 103, worker.stderr)
            XCTAssertTrue(worker.stderr.contains("silent"), worker.stderr)
        }
        XCTAssertLessThan(Date().timeIntervalSince(hungAt), 6.5, "noticed within 5 s, VUs stopped soon after")
        let requests = target.stats.requests
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(target.stats.requests, requests, "no worker goes on alone")
    }

    func testCtrlCOnTheCoordinatorStopsEveryWorkerAndWritesMergedResults() throws {
        let (target, coordinator, workers) = try runningTest()
        defer { target.shutdown() }
        let interruptedAt = Date()
        coordinator.signal(SIGINT)
        XCTAssertEqual(coordinator.exitStatus(within: 10), 105, coordinator.stderr)
        for worker in workers {
            XCTAssertEqual(worker.exitStatus(within: 5), 0, worker.stderr)
            XCTAssertTrue(worker.stderr.contains("the coordinator stopped the test"), worker.stderr)
        }
        XCTAssertLessThan(Date().timeIntervalSince(interruptedAt), 3, "every worker stopped within 2 s, the results written")
        let summary = try summary()
        // Requests in flight at the stop reached the target but were cut: one per VU at most.
        let merged = Int(try XCTUnwrap(metric(summary, "http_reqs", "count")))
        XCTAssertLessThanOrEqual(merged, target.stats.requests)
        XCTAssertLessThanOrEqual(target.stats.requests - merged, 3, "merged = what the target counted, less what was in flight")
        XCTAssertEqual((summary["stampede"] as? [String: Any])?["interrupted"] as? Bool, true)
    }

    func testStrangersAreRefusedAndTheCoordinatorKeepsRunning() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        let (coordinator, address) = try coordinator(["--url", target.baseURL + "/health", "--iterations", "10", "--token", "right"], workers: 1)

        let wrong = try worker(address, ["--token", "wrong"])
        XCTAssertEqual(wrong.exitStatus(within: 10), 104, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("refused"), wrong.stderr)
        coordinator.waitForError("refused a worker .*token")

        // Bytes that are not HTTP/2 at all, then a connection that says nothing.
        let parts = address.split(separator: ":")
        try Self.sendGarbage(port: UInt16(parts.last!)!)

        let good = try start(["worker", "--coordinator", address, "--workers", "1", "--connect-timeout", "10s"], environment: ["STAMPEDE_TOKEN": "right"])
        XCTAssertEqual(coordinator.exitStatus(within: 30), 0, coordinator.stderr)
        XCTAssertEqual(good.exitStatus(within: 5), 0, good.stderr)
        XCTAssertEqual(target.stats.requests, 10)
    }

    func testSetupRunsOnceItsVariablesReachEveryWorkerAndTheFilesTravel() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try """
            setup:
              - post: /customers
                json: {name: Setup, email: setup@example.com}
                extract:
                  customerId: {json: id}
            teardown:
              - get: /customers/{{customerId}}
            scenarios:
              lookup:
                executor: shared-iterations
                vus: 3
                iterations: 30
                feeder: {file: data/products.csv}
                flow:
                  - get: /customers/{{customerId}}
                    checks: [{status: 200}]
                  - get: /products/{{productId}}
                    checks: [{status: 200}]
            """.write(to: workDir.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: workDir.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "productId\np-001\np-002\n".write(to: workDir.appendingPathComponent("data/products.csv"), atomically: true, encoding: .utf8)

        let (coordinator, address) = try coordinator(["plan.yaml", "--target", target.baseURL], workers: 3)
        // The workers run elsewhere: the plan and its feeder reach them through the coordinator.
        let elsewhere = workDir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let workers = try (0..<3).map { _ in
            try StampedeProcess(["worker", "--coordinator", address, "--workers", "1", "--connect-timeout", "10s"], in: elsewhere)
        }
        processes += workers
        XCTAssertEqual(coordinator.exitStatus(within: 60), 0, coordinator.stderr + coordinator.stdout)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }
        let summary = try summary()
        XCTAssertEqual(metric(summary, "checks", "passes"), 60, "every VU on every worker had setup's customer id and the feeder's rows")
        XCTAssertEqual(metric(summary, "checks", "fails"), 0)
        XCTAssertEqual(target.stats.requests, 62, "setup once, 60 load requests, teardown once")
        XCTAssertEqual(metric(summary, "http_reqs", "count"), 62)
    }

    func testAWorkerJoiningAFullTestIsRefusedAndTheTestGoesOn() throws {
        let (target, coordinator, _) = try runningTest(workers: 2)
        defer { target.shutdown() }
        let late = try worker(coordinator.waitForError(#"on (\S+)"#) ?? "")
        XCTAssertEqual(late.exitStatus(within: 10), 104, late.stderr)
        XCTAssertTrue(late.stderr.contains("all its 2 workers"), late.stderr)
        XCTAssertTrue(coordinator.process.isRunning, "the coordinator keeps running")
        coordinator.signal(SIGINT)
        XCTAssertEqual(coordinator.exitStatus(within: 10), 105, coordinator.stderr)
    }

    func testMutualTLSLetsOnlyWorkersWithTheCAsCertificateIn() throws {
        let pki = try TestPKI(in: workDir)
        let target = try TargetServer()
        defer { target.shutdown() }
        let (coordinator, address) = try coordinator(
            ["--url", target.baseURL + "/health", "--iterations", "10", "--tls-cert", pki.server.cert, "--tls-key", pki.server.key,
             "--tls-ca", pki.ca], workers: 1)
        let plaintext = try worker(address, ["--connect-timeout", "2s"])
        XCTAssertEqual(plaintext.exitStatus(within: 15), 104, plaintext.stderr)
        XCTAssertTrue(plaintext.stderr.contains("cannot reach the coordinator"), plaintext.stderr)
        let noClientCertificate = try worker(address, ["--connect-timeout", "2s", "--tls-ca", pki.ca])
        XCTAssertEqual(noClientCertificate.exitStatus(within: 15), 104, noClientCertificate.stderr)

        let trusted = try worker(address, ["--tls-ca", pki.ca, "--tls-cert", pki.client.cert, "--tls-key", pki.client.key])
        XCTAssertEqual(coordinator.exitStatus(within: 30), 0, coordinator.stderr)
        XCTAssertEqual(trusted.exitStatus(within: 5), 0, trusted.stderr)
        XCTAssertEqual(target.stats.requests, 10)
    }

    func testCtrlCWhileWaitingForWorkersEndsTheTestForThoseThatJoined() throws {
        let (coordinator, address) = try coordinator(["smoke"], workers: 2)
        let joined = try worker(address)
        coordinator.waitForError("joined.*\\(1 of 2\\)")
        coordinator.signal(SIGINT)
        XCTAssertEqual(coordinator.exitStatus(within: 10), 105, coordinator.stderr)
        XCTAssertTrue(coordinator.stderr.contains("interrupted while waiting for workers"), coordinator.stderr)
        XCTAssertEqual(joined.exitStatus(within: 10), 105, joined.stderr)
        XCTAssertTrue(joined.stderr.contains("ended the test before the start: interrupted while waiting for workers"), joined.stderr)
    }

    func testAWorkerInterruptedMidRunIsALostWorker() throws {
        let (target, coordinator, workers) = try runningTest(workers: 2)
        defer { target.shutdown() }
        workers[0].signal(SIGTERM)
        XCTAssertEqual(workers[0].exitStatus(within: 5), 105, workers[0].stderr)
        XCTAssertEqual(coordinator.exitStatus(within: 10), 103, coordinator.stderr)
        XCTAssertTrue(coordinator.stderr.contains("worker w0"), coordinator.stderr)
    }

    func testABusyPortIsNamedAsSuch() throws {
        let (_, address) = try coordinator(["smoke"], workers: 1)
        let second = try start(["coordinator", "smoke", "--workers", "1", "--listen", address])
        XCTAssertEqual(second.exitStatus(within: 10), 104)
        XCTAssertTrue(second.stderr.contains("Address already in use"), second.stderr)
    }

    func testAListenAddressOthersCanReachNeedsAToken() throws {
        let result = try start(["coordinator", "smoke", "--workers", "1", "--listen", "0.0.0.0:0"])
        XCTAssertEqual(result.exitStatus(within: 10), 104)
        XCTAssertTrue(result.stderr.contains("give a token"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }

    func testTheSeedDistributedTestRunsScaledDownAcrossThreeWorkers() throws {
        let (coordinator, address) = try coordinator(["distributed", "--scale", "0.01", "--duration-scale", "0.003"], workers: 3)
        let workers = try ["eu", "us", "apac"].map { try worker(address, ["--tag", "region=\($0)"]) }
        let status = coordinator.exitStatus(within: 90)
        XCTAssertTrue(status == 0 || status == 99, "finished with a verdict: \(String(describing: status)) \(coordinator.stderr)")
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }
        let summary = try summary()
        XCTAssertGreaterThan(metric(summary, "http_reqs", "count") ?? 0, 100)
        let metrics = try XCTUnwrap(summary["metrics"] as? [String: Any])
        for region in ["eu", "us", "apac"] {
            XCTAssertNotNil(metrics["http_req_duration{region:\(region)}"], "per-region latency for \(region)")
        }
    }

    /// Each worker records custom metrics on its own; the coordinator's summary and
    /// thresholds see their sum (counters), union (trends) and the spread of a gauge.
    func testCustomMetricsOfEveryWorkerMergeIntoTheSummary() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try """
            metrics:
              orders_created: counter
              order_value: trend
              vu_number: gauge
            thresholds:
              orders_created: ["count==60"]
            scenarios:
              shop:
                executor: shared-iterations
                vus: 3
                iterations: 30
                flow:
                  - post: /orders
                    json: {customerId: c-0003, lines: [{productId: p-002, quantity: 1}]}
                    extract:
                      total: {json: total}
                  - record: orders_created
                    value: 2
                  - record: order_value
                    value: "{{total}}"
                  - record: vu_number
                    value: "{{__VU}}"
            """.write(to: workDir.appendingPathComponent("orders.yaml"), atomically: true, encoding: .utf8)
        let (coordinator, address) = try coordinator(["orders.yaml", "--target", target.baseURL], workers: 3)
        let workers = try (0..<3).map { _ in try worker(address) }
        // Each worker alone counts 20: the threshold passes only on the merged count.
        XCTAssertEqual(coordinator.exitStatus(within: 60), 0, coordinator.stderr + coordinator.stdout)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }
        let summary = try summary()
        let orders = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try fetch("\(target.baseURL)/customers/c-0003/orders").utf8)) as? [[String: Any]])
        XCTAssertEqual(orders.count, 30, "the target created an order per iteration")
        XCTAssertEqual(metric(summary, "orders_created", "count"), Double(2 * orders.count), "two per order, summed over the workers")
        let parts = try XCTUnwrap(try distribution(summary)["workers"] as? [[String: Any]])
        XCTAssertEqual(parts.compactMap { $0["iterations"] as? Int }, [10, 10, 10], "every worker recorded its share")
        let percentiles = try XCTUnwrap((summary["stampede"] as? [String: Any])?["percentiles"] as? [String: [String: Any]])
        XCTAssertEqual(percentiles["order_value"]?["count"] as? Double, 30, "the workers' histograms merged")
        XCTAssertEqual(metric(summary, "order_value", "avg"), Double(try XCTUnwrap(orders.first?["total"] as? Int)))
        XCTAssertEqual(metric(summary, "vu_number", "min"), 1, "VU 1's worker")
        XCTAssertEqual(metric(summary, "vu_number", "max"), 3, "VU 3's worker")
    }

    /// Opens a TCP connection to the coordinator's port and writes bytes that are no gRPC.
    static func sendGarbage(port: UInt16) throws {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0, "connect to the coordinator")
        let garbage = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n\u{0}\u{1}\u{2}not a preface at all".utf8)
        _ = write(socket, garbage, garbage.count)
        Thread.sleep(forTimeInterval: 0.3)
    }
}

/// A certificate authority made with openssl for one test, and a server certificate (for
/// 127.0.0.1 and localhost) and a client certificate that it signed.
struct TestPKI {
    let ca: String
    let server: (cert: String, key: String)
    let client: (cert: String, key: String)

    init(in directory: URL) throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws {
            let result = try ReferenceTools.run("/usr/bin/openssl", arguments, seconds: 30)
            guard result.status == 0 else { throw ReferenceTools.Failure(description: "openssl \(arguments.first ?? ""): \(result.stderr)") }
        }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + curve + ["-days", "1", "-keyout", path("ca-key.pem"), "-out", path("ca.pem"), "-subj", "/CN=stampede-test-ca"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: path("san.ext"), atomically: true, encoding: .utf8)
        for name in ["server", "client"] {
            try openssl(["req"] + curve + ["-keyout", path("\(name)-key.pem"), "-out", path("\(name).csr"), "-subj", "/CN=stampede-\(name)"])
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca-key.pem"),
                         "-CAcreateserial", "-days", "1", "-out", path("\(name).pem"), "-extfile", path("san.ext")])
        }
        ca = path("ca.pem")
        server = (path("server.pem"), path("server-key.pem"))
        client = (path("client.pem"), path("client-key.pem"))
    }
}
