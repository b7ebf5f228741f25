import Foundation
import NIOCore
import NIOEmbedded
@testable import StampedeDashboard
import StampedeDSL
import StampedeMetrics
import StampedeReports
import StampedeTarget
import XCTest

/// One event of a text/event-stream, its data parsed as JSON.
struct ServerSentEvent {
    let name: String
    let data: [String: Any]

    /// The events in `text`, in order; an event cut short at the end is left out, and lines
    /// that are neither `event:` nor `data:` (a raw chunked stream's chunk sizes) are skipped.
    static func parse(_ text: String) -> [ServerSentEvent] {
        text.components(separatedBy: "\n\n").dropLast().compactMap { block in
            var name = "message", data = ""
            // "\r\n" (a chunked stream's framing) is one Character, and a newline too.
            for line in block.split(whereSeparator: \.isNewline) {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { return nil }
            return ServerSentEvent(name: name, data: object)
        }
    }

    var points: [[String: Any]] { data["points"] as? [[String: Any]] ?? [] }
    var state: [String: Any] { data["state"] as? [String: Any] ?? [:] }
}

/// What the page reads from each event (DashboardPage.swift); a field it uses that the
/// stream lacks would leave a figure blank.
enum PageFields {
    static let hello: Set = ["test", "scenarios", "maxVUs", "maxDurationSeconds", "groups", "historyLimit", "scrape"]
    static let point: Set = ["t", "requests", "failed", "iterations", "vus", "groups", "scrape"]
    static let latency: Set = ["p50", "p95", "p99"]
    static let state: Set = ["t", "requests", "failed", "failedRate", "requestsPerSecond", "iterations", "vus", "groups", "thresholds"]
    static let threshold: Set = ["metric", "expression", "passed", "observedText"]
    static let final: Set = ["exitCode", "verdict", "state", "results"]
}

/// The hub alone, on an embedded event loop, with pages whose connections are as fast or as
/// slow as the test says.
final class DashboardEventHubTests: XCTestCase {
    private final class Page: EventClient {
        var isWritable = true
        var sent: [String] = []
        let loop: EmbeddedEventLoop
        init(_ loop: EmbeddedEventLoop) { self.loop = loop }

        func send(_ event: String) -> EventLoopFuture<Void> {
            sent.append(event)
            return loop.makeSucceededFuture(())
        }

        var events: [ServerSentEvent] { ServerSentEvent.parse(sent.joined()) }
    }

    private let loop = EmbeddedEventLoop()
    private let plan = TestPlan(Scenario("browse", executor: .constantVUs(2, duration: .seconds(30))) { Get("/") })
    private let registry = MetricRegistry()

    private func makeHub() -> EventHub {
        EventHub(builder: SnapshotBuilder(plan: plan, registry: registry, workers: nil, historyLimit: EventHub.historyLimit) { _, _ in [] })
    }

    /// A second with `requests` requests of 1 ms, one in ten failed.
    private func second(_ requests: Int) -> MetricSet {
        var metrics = MetricSet(registry: registry)
        for i in 0..<requests {
            metrics.add(BuiltinMetrics.httpReqs, 1)
            metrics.record(BuiltinMetrics.httpReqDuration, 1000)
            metrics.record(BuiltinMetrics.httpReqFailed, i % 10 == 0)
        }
        metrics.set(BuiltinMetrics.vus, 2)
        return metrics
    }

    private func times(_ events: [ServerSentEvent]) -> [[Int]] {
        events.filter { $0.name == "second" }.map { $0.points.compactMap { $0["t"] as? Int } }
    }

    func testAPageThatKeepsUpIsSentOneEventPerSecond() {
        let hub = makeHub()
        let page = Page(loop)
        hub.subscribe(page)
        for index in 0..<3 { hub.record(second: index, second(10), workers: nil) }
        let events = page.events
        XCTAssertEqual(events.map(\.name), ["hello", "second", "second", "second"])
        XCTAssertEqual(times(events), [[1], [2], [3]])
        XCTAssertEqual(events.last?.state["requests"] as? Int, 30, "the state is the run so far")
        XCTAssertEqual(events.last?.state["failed"] as? Int, 3)
    }

    func testASlowPageIsSentNothingUntilItDrainsThenOneEventWithEverySecondItMissed() {
        let hub = makeHub()
        let slow = Page(loop), fast = Page(loop)
        hub.subscribe(slow)
        hub.subscribe(fast)
        hub.record(second: 0, second(5), workers: nil)
        slow.isWritable = false
        for index in 1...10 { hub.record(second: index, second(5), workers: nil) }
        XCTAssertEqual(slow.sent.count, 2, "hello and second 1: nothing queues for a page that does not read")
        slow.isWritable = true
        hub.writable(slow)
        XCTAssertEqual(times(slow.events), [[1], Array(2...11)], "one event brings it up to date")
        XCTAssertEqual(slow.events.last?.state["requests"] as? Int, 55)
        XCTAssertEqual(times(fast.events), (1...11).map { [$0] }, "the other page did not wait")
        hub.writable(slow)
        XCTAssertEqual(slow.sent.count, 3, "nothing more to send")
    }

    func testPagesThatConnectLateGetTheHistoryAndAfterTheEndTheFinalEvent() throws {
        let hub = makeHub()
        for index in 0..<3 { hub.record(second: index, second(4), workers: nil) }
        let late = Page(loop)
        hub.subscribe(late)
        XCTAssertEqual(late.events.map(\.name), ["hello", "second"])
        XCTAssertEqual(times(late.events), [[1, 2, 3]])
        var totals = MetricSet(registry: registry)
        for _ in 0..<3 { totals.append(second(4)) }
        let summary = RunSummary(
            testName: plan.name, registry: registry, totals: totals, scenarios: plan.scenarios, startedAt: Date(timeIntervalSinceNow: -3),
            endedAt: Date(), wasInterrupted: false, commandLine: [], engineVersion: "")
        let finished = hub.finish(DashboardOutcome(summary: summary, exitCode: 0, verdict: "passed", results: "/results", report: "<p>report</p>"), on: loop)
        XCTAssertNoThrow(try finished.wait())
        XCTAssertEqual(late.events.last?.name, "final")
        let afterTheEnd = Page(loop)
        hub.subscribe(afterTheEnd)
        XCTAssertEqual(afterTheEnd.events.map(\.name), ["hello", "second", "final"])
        let final = try XCTUnwrap(afterTheEnd.events.last?.data)
        XCTAssertEqual(final["verdict"] as? String, "passed")
        XCTAssertEqual(final["report"] as? String, "<p>report</p>")
        XCTAssertEqual((final["state"] as? [String: Any])?["requests"] as? Int, 12)
    }

    func testTheHistoryKeepsTheLastHour() {
        let hub = makeHub()
        let limit = EventHub.historyLimit
        for index in 0..<(limit + 5) { hub.record(second: index, MetricSet(registry: registry), workers: nil) }
        let late = Page(loop)
        hub.subscribe(late)
        XCTAssertEqual(times(late.events).first?.first, 6)
        XCTAssertEqual(times(late.events).first?.count, limit)
    }
}

/// `--dashboard` as a user runs it: a real stampede process, its page in a real headless
/// Chromium, its event stream read with curl(1), every wait bounded.
final class DashboardTests: XCTestCase {
    private var workDir: URL!
    private var processes: [StampedeProcess] = []

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for process in processes where process.process.isRunning { process.signal(SIGKILL) }
        processes = []
        try? FileManager.default.removeItem(at: workDir)
    }

    private func start(_ arguments: [String], executable: String? = nil) throws -> StampedeProcess {
        let process = try StampedeProcess(arguments, in: workDir, executable: executable)
        processes.append(process)
        return process
    }

    /// The page's address, as the banner prints it.
    private func dashboardURL(_ process: StampedeProcess) throws -> String {
        try process.firstOutput(#"dashboard: (http://127\.0\.0\.1:\d+/)"#)
    }

    /// Reads `url`'s event stream with curl until the final event (or `seconds`), noting when
    /// each `second` event arrived.
    private func readEvents(_ url: String, seconds: Double = 60) throws -> (events: [ServerSentEvent], arrivals: [Date]) {
        let curl = try start(["--silent", "--no-buffer", "--max-time", "\(Int(seconds))", url + "events"], executable: "/usr/bin/curl")
        var arrivals: [Date] = []
        // Once curl has exited, its last bytes may still be on their way from the pipe.
        var (length, quietSince) = (-1, Date())
        let deadline = Date() + seconds
        while Date() < deadline {
            let text = curl.stdout
            let seen = text.components(separatedBy: "event: second\n").count - 1
            while arrivals.count < seen { arrivals.append(Date()) }
            if text.contains("event: final\n") && ServerSentEvent.parse(text).last?.name == "final" { break }
            if curl.process.isRunning || text.utf8.count != length {
                (length, quietSince) = (text.utf8.count, Date())
            } else if Date().timeIntervalSince(quietSince) > 1 {
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let events = ServerSentEvent.parse(curl.stdout)
        XCTAssertEqual(events.last?.name, "final", "the stream ends with the run's final event: \(curl.stdout.suffix(500))")
        return (events, arrivals)
    }

    private func metric(_ summary: [String: Any], _ name: String, _ key: String) -> Double? {
        ((summary["metrics"] as? [String: Any])?[name] as? [String: Any])?[key] as? Double
    }

    private func timelineSeconds() throws -> Int {
        let text = try String(contentsOf: onlyResultsFolder(in: workDir).appendingPathComponent("timeline.ndjson"), encoding: .utf8)
        return text.split(separator: "\n").count
    }

    func testChromiumShowsTheRunAsItGoesAndEndsOnTheSummarysFigures() throws {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { target.shutdown() }
        // The browser starts first, on the address the run will take: Chromium took longer to
        // start than an 8 s run lasts on this machine when it was busy. The probe opens the
        // page again until the dashboard answers.
        let port = try freePort()
        let url = "http://127.0.0.1:\(port)/"
        let screenshot = workDir.appendingPathComponent("dashboard.png")
        let field = { (id: String) in "document.getElementById('\(id)').textContent" }
        let script = ReferenceTools.packageRoot.appendingPathComponent("scripts/browser-probe").path
        let probe = try start([
            "--chromium", try ReferenceTools.chromium(), "--timeout", "90", "--screenshot", screenshot.path,
            // While the run goes: a second drawn, before the final event.
            "--checkpoint", "dashboard.points.length > 0 || dashboard.final !== null",
            "({live: dashboard.final === null, status: \(field("status")), requests: \(field("requests")), thresholds: document.getElementById('thresholds').innerText})",
            // At its end: the figures shown, and the seconds the page was sent.
            "--checkpoint", "dashboard.final !== null",
            "({requests: \(field("requests")), p95: \(field("p95")), verdict: \(field("verdict")), exitCode: \(field("exit-code")), thresholds: document.getElementById('thresholds').innerText, report: document.getElementById('report-link') !== null, sent: dashboard.points.reduce((sum, p) => sum + p.requests, 0), seconds: dashboard.points.length})",
            url,
        ], executable: script)
        let run = try start(["run", "--url", target.baseURL + "/health", "--vus", "2", "--duration", "8s", "-q",
                             "--dashboard-listen", "127.0.0.1:\(port)", "--threshold", "http_req_duration: p(95)<10s"])
        XCTAssertEqual(try dashboardURL(run), url)
        XCTAssertEqual(probe.exitStatus(within: 120), 0, "\(probe.stderr)\n\(run.stderr)")
        XCTAssertEqual(run.exitStatus(within: 30), 0, run.stderr)
        let checkpoints = probe.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["value"] as? [String: Any]
        }
        XCTAssertEqual(checkpoints.count, 2, probe.stdout)
        let (live, final) = (try XCTUnwrap(checkpoints.first), try XCTUnwrap(checkpoints.last))

        XCTAssertEqual(live["live"] as? Bool, true, "the page drew a second while the run went on")
        XCTAssertEqual(live["status"] as? String, "running")
        XCTAssertGreaterThan(Int((live["requests"] as? String ?? "").replacingOccurrences(of: ",", with: "")) ?? 0, 0)
        XCTAssertTrue((live["thresholds"] as? String ?? "").contains("✓\thttp_req_duration\tp(95)<10s"), "\(live)")

        let summary = try onlySummary(in: workDir)
        let requests = try XCTUnwrap(metric(summary, "http_reqs", "count"))
        XCTAssertEqual(Double((final["requests"] as? String ?? "").replacingOccurrences(of: ",", with: "")), requests,
                       "the request count the page ends on is summary.json's")
        XCTAssertEqual(final["sent"] as? Double, requests, "and the seconds it was sent add up to it")
        XCTAssertEqual(final["seconds"] as? Int, try timelineSeconds(), "one point per second of timeline.ndjson")
        let p95 = try XCTUnwrap(metric(summary, "http_req_duration", "p(95)"))
        let shown = try XCTUnwrap(final["p95"] as? String)
        let (value, halfStep) = try XCTUnwrap(Self.milliseconds(shown), shown)
        XCTAssertEqual(value, p95, accuracy: halfStep + 1e-9, "p(95) shown \(shown), summary \(p95) ms")
        XCTAssertEqual(final["verdict"] as? String, "passed")
        XCTAssertEqual(final["exitCode"] as? String, "0")
        XCTAssertTrue((final["thresholds"] as? String ?? "").contains("✓\thttp_req_duration\tp(95)<10s"), "\(final)")
        XCTAssertEqual(final["report"] as? Bool, true, "the final report is offered")

        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG came out")
        XCTAssertGreaterThan(png.count, 30_000, "with the charts drawn, not a blank page")
    }

    /// A figure as the page prints a time, in milliseconds, and half its last digit's step.
    static func milliseconds(_ text: String) -> (value: Double, halfStep: Double)? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let value = Double(parts[0]) else { return nil }
        let decimals = parts[0].split(separator: ".").dropFirst().first?.count ?? 0
        let scale: Double = parts[1] == "s" ? 1000 : 1
        return (value * scale, 0.5 * pow(10, -Double(decimals)) * scale)
    }

    func testTheEventStreamHasOneEventPerSecondWithThePagesFieldsAndPagesThatGoAwayDoNotStallTheRun() throws {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { target.shutdown() }
        let run = try start(["run", "--url", target.baseURL + "/health", "--vus", "2", "--duration", "5s", "-q",
                             "--dashboard-listen", "127.0.0.1:0", "--threshold", "http_reqs: count>0",
                             "--scrape", target.baseURL + "/metrics", "--scrape-series", "stampede_target_requests_total"])
        let url = try dashboardURL(run)
        let port = try XCTUnwrap(Int(url.split(separator: ":").last?.dropLast() ?? ""))
        // A page that leaves at once (a reset, not a goodbye), and one that never reads.
        let gone = try RawClient(port: port, receiveBuffer: nil)
        gone.reset()
        let stalled = try RawClient(port: port, receiveBuffer: 1024)
        defer { stalled.reset() }
        let started = Date()
        let (events, arrivals) = try readEvents(url)
        XCTAssertEqual(run.exitStatus(within: 30), 0, run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "a 5 s run was not held up by its pages")

        XCTAssertEqual(events.first?.name, "hello")
        let hello = try XCTUnwrap(events.first?.data)
        XCTAssertTrue(PageFields.hello.isSubset(of: hello.keys), "\(hello.keys)")
        XCTAssertEqual(hello["test"] as? String, "default")
        let seconds = events.filter { $0.name == "second" }
        let points = seconds.flatMap(\.points)
        XCTAssertEqual(points.compactMap { $0["t"] as? Int }, Array(1...(try timelineSeconds())), "every second, once, in order")
        XCTAssertEqual(seconds.dropFirst().map(\.points.count), Array(repeating: 1, count: seconds.count - 1),
                       "after the first, an event per second, each with its second")
        for point in points {
            XCTAssertTrue(PageFields.point.isSubset(of: point.keys), "\(point.keys)")
            if (point["requests"] as? Int ?? 0) > 0 { XCTAssertTrue(PageFields.latency.isSubset(of: point.keys), "\(point)") }
        }
        for event in seconds {
            XCTAssertTrue(PageFields.state.union(PageFields.latency).isSubset(of: event.state.keys), "\(event.state.keys)")
            for threshold in event.state["thresholds"] as? [[String: Any]] ?? [] {
                XCTAssertTrue(PageFields.threshold.isSubset(of: threshold.keys), "\(threshold)")
            }
        }
        // Arrivals are a second apart, give or take the run's 200 ms merge tick and this
        // machine's load; the last second is partial, so it is left out.
        let gaps = zip(arrivals.dropFirst(), arrivals).map { $0.timeIntervalSince($1) }.dropLast().sorted()
        XCTAssertGreaterThanOrEqual(gaps.count, 2, "\(arrivals)")
        let median = gaps.isEmpty ? 0 : gaps[gaps.count / 2]
        XCTAssertEqual(median, 1, accuracy: 0.3, "events every \(gaps) s")

        let summary = try onlySummary(in: workDir)
        let requests = try XCTUnwrap(metric(summary, "http_reqs", "count"))
        XCTAssertEqual(Double(points.compactMap { $0["requests"] as? Int }.reduce(0, +)), requests, "the seconds add up to summary.json")
        // The scraped series, each second as timeline.ndjson has it.
        XCTAssertEqual(hello["scrape"] as? [String], ["stampede_target_requests_total"])
        let timeline = try String(contentsOf: onlyResultsFolder(in: workDir).appendingPathComponent("timeline.ndjson"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let written = timeline.map { (($0["scrape"] as? [String: Any])?["stampede_target_requests_total"] as? NSNumber)?.doubleValue }
        let shown = points.map { ($0["scrape"] as? [Any])?.first as? Double }
        XCTAssertEqual(shown, written)
        XCTAssertGreaterThanOrEqual(shown.compactMap { $0 }.count, 2, "the target answered in most seconds: \(shown)")
        let final = try XCTUnwrap(events.last?.data)
        XCTAssertTrue(PageFields.final.isSubset(of: final.keys), "\(final.keys)")
        let state = try XCTUnwrap(final["state"] as? [String: Any])
        XCTAssertEqual(state["requests"] as? Double, requests)
        XCTAssertEqual(state["p95"] as? Double, metric(summary, "http_req_duration", "p(95)"), "the summary's own p(95)")
        XCTAssertEqual(final["exitCode"] as? Int, 0)
        XCTAssertEqual(final["results"] as? String, try onlyResultsFolder(in: workDir).path)
    }

    func testTheServedPageIsSelfContainedAndLoadsNothingFromAnotherHost() throws {
        let plan = TestPlan(Scenario("browse", executor: .constantVUs(1, duration: .seconds(1))) { Get("/") })
        let server = try DashboardServer(host: "127.0.0.1", port: 0, plan: plan, registry: MetricRegistry(), workers: nil) { _, _ in [] }
        defer { server.shutdown() }
        let page = try fetch("http://\(server.address)/")
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"), String(page.prefix(200)))
        XCTAssertNil(page.range(of: #"https?://"#, options: .regularExpression), "no URL of any host: it works offline")
        for loader in ["<link", "src=", "@import", "url(", "@font-face"] {
            XCTAssertFalse(page.contains(loader), "nothing loaded from outside the page: \(loader)")
        }
        XCTAssertTrue(page.contains("new EventSource('events')"), "its only request is the event stream, to its own server")
        XCTAssertThrowsError(try fetch("http://\(server.address)/other"), "anything else is 404")
        print("dashboard page: \(page.utf8.count) bytes")
    }

    func testAPageThatStopsReadingIsSentWhatItMissedInOneEventOnceItReadsAgain() throws {
        let plan = TestPlan(Scenario("browse", executor: .constantVUs(1, duration: .seconds(1))) { Get("/") })
        // Many workers make each event large (about 100 KB), so a page that does not read
        // fills the socket's buffers and the server's high-water mark within a few seconds.
        let names = (0..<2000).map { "worker-\($0)" }
        let server = try DashboardServer(host: "127.0.0.1", port: 0, plan: plan, registry: MetricRegistry(), workers: names) { _, _ in [] }
        defer { server.shutdown() }
        let port = try XCTUnwrap(Int(server.address.split(separator: ":").last ?? ""))
        let page = try RawClient(port: port, receiveBuffer: 4096)
        defer { page.reset() }
        Thread.sleep(forTimeInterval: 0.5)  // subscribed before the first second
        let seconds = 40
        for index in 0..<seconds {
            let workers = names.map { DashboardWorker(name: $0, requests: UInt64(index * 10), failedRequests: 0, state: "running") }
            server.record(second: index, MetricSet(registry: MetricRegistry()), workers: workers)
        }
        // Once the dashboard's thread has taken every second, the page starts reading.
        try server.loop.submit {}.wait()
        let text = try page.read(until: "\"t\":\(seconds),", seconds: 60)
        let events = ServerSentEvent.parse(text).filter { $0.name == "second" }
        XCTAssertEqual(events.flatMap(\.points).compactMap { $0["t"] as? Int }, Array(1...seconds), "every second, once, in order")
        XCTAssertLessThan(events.count, seconds, "the seconds it could not take were coalesced, not queued one by one")
        XCTAssertTrue(events.contains { $0.points.count > 1 }, "\(events.map(\.points.count))")
    }

    func testABusyPortStopsTheRunBeforeAnyLoadWithOneLine() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        let run = try start(["run", "--url", target.baseURL + "/health", "--vus", "1", "--duration", "2s",
                             "--dashboard-listen", "127.0.0.1:\(target.port)"])
        XCTAssertEqual(run.exitStatus(within: 30), 104, run.stderr)
        XCTAssertEqual(run.stderr, "stampede: error: dashboard: cannot listen on 127.0.0.1:\(target.port): Address already in use; choose another address with --dashboard-listen HOST:PORT (port 0 picks a free one)\n")
        XCTAssertEqual(target.stats.requests, 0, "no load started")
        XCTAssertFalse(FileManager.default.fileExists(atPath: workDir.appendingPathComponent("results").path), "no results folder either")

        let malformed = try start(["run", "--url", target.baseURL + "/health", "--dashboard-listen", "localhost"])
        XCTAssertEqual(malformed.exitStatus(within: 30), 104, malformed.stderr)
        XCTAssertTrue(malformed.stderr.contains("--dashboard-listen 'localhost' is not HOST:PORT, e.g. 127.0.0.1:5665"), malformed.stderr)
    }

    func testTheCoordinatorsDashboardCountsEachWorkersRequestsEachSecond() throws {
        let target = try TargetServer(options: TargetOptions(latency: .milliseconds(2)))
        defer { target.shutdown() }
        let coordinator = try start(["coordinator", "--url", target.baseURL + "/health", "--vus", "4", "--duration", "4s",
                                     "--workers", "2", "--listen", "127.0.0.1:0", "--quiet", "--dashboard-listen", "127.0.0.1:0"])
        let address = try XCTUnwrap(coordinator.waitForError(#"waiting for \d+ workers? on (\S+)"#))
        let workers = try ["w-a", "w-b"].map {
            try start(["worker", "--coordinator", address, "--workers", "1", "--connect-timeout", "10s", "--name", $0])
        }
        let (events, _) = try readEvents(try dashboardURL(coordinator))
        XCTAssertEqual(coordinator.exitStatus(within: 30), 0, coordinator.stderr)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }

        let names = try XCTUnwrap(events.first?.data["workers"] as? [String])
        XCTAssertEqual(Set(names), ["w-a", "w-b"])
        let points = events.filter { $0.name == "second" }.flatMap(\.points)
        XCTAssertFalse(points.isEmpty)
        var sent = Array(repeating: 0, count: names.count)
        for point in points {
            let perWorker = try XCTUnwrap(point["workers"] as? [[String: Any]], "\(point)")
            XCTAssertEqual(perWorker.count, names.count)
            for (i, worker) in perWorker.enumerated() { sent[i] += worker["requests"] as? Int ?? 0 }
        }
        let summary = try onlySummary(in: workDir)
        let parts = try XCTUnwrap(((summary["stampede"] as? [String: Any])?["distributed"] as? [String: Any])?["workers"] as? [[String: Any]])
        let own = Dictionary(uniqueKeysWithValues: parts.map { ($0["name"] as? String ?? "", $0["http_reqs"] as? Int ?? -1) })
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: zip(names, sent)), own, "each worker's seconds add up to its own count")
        let final = try XCTUnwrap((events.last?.data["state"] as? [String: Any])?["workers"] as? [[String: Any]])
        XCTAssertEqual(final.compactMap { $0["state"] as? String }, ["done", "done"])
    }
}

/// A loopback port nobody listens on now: bound, read and let go.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FixtureError(message: "socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw FixtureError(message: "bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A page's connection made by hand, to misbehave: one that resets at once, or one with a
/// tiny receive buffer that never reads.
final class RawClient {
    private let fd: Int32

    init(port: Int, receiveBuffer: Int32?) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError(message: "socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw FixtureError(message: "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else {
            close(fd)
            throw FixtureError(message: "could not send the request")
        }
    }

    /// Reads what the server sends until `marker` is in it and the event holding it has
    /// ended (its chunk too: the stream is chunked), within `seconds`.
    func read(until marker: String, seconds: Double) throws -> String {
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var found = false
        let deadline = Date() + seconds
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[..<count]
                // Only the tail can hold a marker that just arrived.
                found = found || String(decoding: received.suffix(count + marker.utf8.count), as: UTF8.self).contains(marker)
                if found && received.suffix(4) == Array("\n\n\r\n".utf8) { return String(decoding: received, as: UTF8.self) }
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                break
            }
        }
        throw FixtureError(message: "no '\(marker)' within \(seconds) s in \(received.count) bytes")
    }

    /// Closes with a reset (linger 0), as a browser tab that is killed does.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }
}
