import Foundation
import StampedeTarget
import XCTest

/// `stampede convert` on real inputs: a HAR that headless Chromium records of the embedded
/// target's shop page, and the target's own OpenAPI document; each converted plan is then
/// run against the target, which logs what it was sent.
final class ConvertTests: XCTestCase {
    var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDir)
    }

    /// `stampede ARGUMENTS` in the work folder, killed after `seconds`.
    func stampede(_ arguments: String..., seconds: Double = 60) throws -> ReferenceTools.Output {
        try ReferenceTools.run(StampedeProcess.binary.path, arguments, seconds: seconds, directory: workDir)
    }

    /// The target's access log since line `from`, `METHOD URI STATUS` lines, once it holds
    /// `count` of them (the pipe may lag the responses by a moment), or after 10 s.
    func accessLog(_ target: StampedeProcess, from: Int = 0, count: Int = 0) -> [String] {
        let deadline = Date() + 10
        while true {
            let lines = Array(target.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("stampede target:") }.dropFirst(from))
            if lines.count >= count || Date() > deadline { return lines }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A log line with record ids (`o-7`, `pay-9`) made generic, to compare two runs' requests.
    func generic(_ line: String) -> String {
        line.replacingOccurrences(of: #"\b(o|pay|c|s|inv)-\d+\b"#, with: "$1-N", options: .regularExpression)
    }

    func testAChromiumRecordingOfTheShopConvertsToAPlanThatReplaysItsRequests() throws {
        let target = try StampedeProcess(["target", "--port", "0", "--access-log"], in: workDir)
        let base = try target.firstOutput(#"(http://127\.0\.0\.1:\d+)"#)
        let har = workDir.appendingPathComponent("shop.har")
        let script = ReferenceTools.packageRoot.appendingPathComponent("scripts/record-har.py").path
        // Chromium's first start on a new machine took 40 s here (its caches): a wide bound.
        let recording = try ReferenceTools.run(
            try ReferenceTools.python(),
            [script, "--url", base + "/shop", "--out", har.path, "--chromium", try ReferenceTools.chromium(), "--timeout", "150"],
            seconds: 180)
        XCTAssertEqual(recording.status, 0, recording.stderr)

        // What the browser sent, as the target saw it: the page, its two assets, and the
        // shop's four API calls in order.
        let recorded = accessLog(target, count: 7)
        XCTAssertEqual(Set(recorded.prefix(3)), ["GET /shop 200", "GET /shop/shop.js 200", "GET /shop/shop.css 200"], "\(recorded)")
        XCTAssertEqual(recorded.dropFirst(3).map(generic), ["GET /products?page=1&size=5 200", "POST /orders 201", "POST /payments 201", "GET /orders/o-N 200"])
        let recordedOrder = try XCTUnwrap(recorded.last?.split(separator: " ")[1].split(separator: "/").last.map(String.init))
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: har)) as? [String: Any])["log"] as? [String: Any]
        let entries = try XCTUnwrap(log?["entries"] as? [[String: Any]])
        let httpEntries = entries.filter { (($0["request"] as? [String: Any])?["url"] as? String)?.hasPrefix("http") == true }
        XCTAssertEqual(httpEntries.count, recorded.count, "one entry per request the target answered")
        let firstHeaders = ((entries.first?["request"] as? [String: Any])?["headers"] as? [[String: String]])?.compactMap { $0["name"] } ?? []
        XCTAssertTrue(firstHeaders.contains("Host") && firstHeaders.contains("Connection"), "the wire headers were recorded: \(firstHeaders)")

        let plan = workDir.appendingPathComponent("shop.yaml")
        let convert = try stampede("convert", har.path, "-o", plan.path)
        XCTAssertEqual(convert.status, 0, convert.stderr)
        XCTAssertTrue(convert.stderr.contains(#"correlation: orderId = "\#(recordedOrder)" from the response to POST /orders (json: id), sent by POST /payments (JSON body), GET /orders/\#(recordedOrder) (URL path)"#), convert.stderr)
        XCTAssertTrue(convert.stderr.contains(#"correlation: productId = "p-002" from the response to GET /products?page=1&size=5 (json: items.1.id), sent by POST /orders (JSON body)"#), convert.stderr)
        let text = try String(contentsOf: plan, encoding: .utf8)
        XCTAssertTrue(text.contains("# correlation: orderId"), "the plan says what it found:\n\(text)")
        XCTAssertTrue(text.contains(#"- get: "/orders/{{orderId}}""#), text)
        XCTAssertTrue(text.contains(#"body: "{\"orderId\":\"{{orderId}}\"}""#), text)
        XCTAssertTrue(text.contains("orderId: {json: id}") && text.contains("productId: {json: items.1.id}"), text)
        let steps = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(separator: "\n")
        XCTAssertFalse(steps.contains(recordedOrder), "the recorded id is templated away (it stays in comments only):\n\(text)")
        for header in ["Host:", "Connection:", "Content-Length:", "Cookie:"] { XCTAssertFalse(text.contains(header), "\(header) dropped") }
        XCTAssertTrue(text.contains("- get: /shop\n") && steps.firstMatch(of: #/- [a-z]+: "?http/#) == nil, "paths are relative to --target:\n\(text)")
        // The page waits 1.5 s after listing products, then 0.8 s before paying: think steps
        // right before those requests (a loaded machine may add a short one elsewhere).
        let stepLines = text.split(separator: "\n").filter { $0.hasPrefix("      - ") }.map(String.init)
        func think(before request: String) -> Int? {
            guard let index = stepLines.firstIndex(of: "      - " + request), index > 0 else { return nil }
            return stepLines[index - 1].firstMatch(of: #/think: (\d+)ms/#).map { Int($0.1)! }
        }
        XCTAssertGreaterThanOrEqual(think(before: "post: /orders") ?? 0, 1400, text)
        XCTAssertGreaterThanOrEqual(think(before: "post: /payments") ?? 0, 700, text)

        // The plan replays the recording: the same requests, with the ids this run created.
        let before = accessLog(target).count
        let run = try stampede("run", plan.path, "--target", base, "-q", seconds: 90)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let replayed = accessLog(target, from: before, count: recorded.count)
        XCTAssertEqual(replayed.map(generic).sorted(), recorded.map(generic).sorted(), "the target saw the recording's requests again")
        let replayedOrder = try XCTUnwrap(replayed.last?.split(separator: " ")[1].split(separator: "/").last.map(String.init))
        XCTAssertNotEqual(replayedOrder, recordedOrder, "the replay read the order it created, not the recorded one")
        let checks = try XCTUnwrap(onlySummary(in: workDir)["metrics"] as? [String: Any])["checks"] as? [String: Double]
        XCTAssertEqual(checks?["passes"], 7)
        XCTAssertEqual(checks?["fails"], 0)
        let order = try JSONSerialization.jsonObject(with: Data(fetch(base + "/orders/" + replayedOrder).utf8)) as? [String: Any]
        XCTAssertEqual(order?["status"] as? String, "paid", "the payment carried the replay's own order id")

        // --skip-static drops the page's script and stylesheet and says so; the page stays.
        let lean = try stampede("convert", har.path, "--skip-static")
        XCTAssertEqual(lean.status, 0, lean.stderr)
        XCTAssertTrue(lean.stderr.contains("dropped GET \(base)/shop/shop.js (script, --skip-static)"), lean.stderr)
        XCTAssertTrue(lean.stderr.contains("dropped GET \(base)/shop/shop.css (stylesheet, --skip-static)"), lean.stderr)
        XCTAssertTrue(lean.stdout.contains("# dropped GET \(base)/shop/shop.js"), lean.stdout)
        XCTAssertFalse(lean.stdout.contains("- get: /shop/shop."), lean.stdout)
        XCTAssertTrue(lean.stdout.contains("- get: /shop\n"), lean.stdout)
        target.signal(SIGTERM)
        XCTAssertNotNil(target.exitStatus(within: 10))
    }

    func testTheTargetsOwnOpenAPIDocumentConvertsToAPlanWhoseChecksPass() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let document = workDir.appendingPathComponent("openapi.json")
        try fetch(server.baseURL + "/openapi.json").write(to: document, atomically: true, encoding: .utf8)
        let plan = workDir.appendingPathComponent("api.yaml")
        let convert = try stampede("convert", document.path, "--output", plan.path)
        XCTAssertEqual(convert.status, 0, convert.stderr)
        XCTAssertTrue(convert.stderr.contains("an OpenAPI 3.1.0 document, 25 requests written"), convert.stderr)
        XCTAssertTrue(convert.stderr.contains("link: orderId from the response to createOrder (POST /orders) (json: id), sent to getOrder"), convert.stderr)
        XCTAssertFalse(convert.stderr.contains("placeholder"), "the document gives every value: \(convert.stderr)")
        let text = try String(contentsOf: plan, encoding: .utf8)
        XCTAssertTrue(text.contains(#"json: "{\"orderId\":\"{{orderId}}\"}""#), text)
        XCTAssertTrue(text.contains("- get: \"/orders/{{orderId}}/invoice\"\n        name: getOrderInvoice\n        checks:\n          - status: 200"), text)

        let before = server.stats.requests
        let run = try stampede("run", plan.path, "--target", server.baseURL, "-q", seconds: 90)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        // One request per operation; reading GET /metrics is not counted by the target (docs/target.md).
        XCTAssertEqual(server.stats.requests - before, 24, "one request per operation but /metrics")
        let checks = try XCTUnwrap(onlySummary(in: workDir)["metrics"] as? [String: Any])["checks"] as? [String: Double]
        XCTAssertEqual(checks?["passes"], 25, run.stdout)
        XCTAssertEqual(checks?["fails"], 0, run.stdout)
    }

    func testInputThatCannotBeConvertedGetsOneLineAndExit104() throws {
        func file(_ name: String, _ text: String) throws -> String {
            let url = workDir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let cases: [(String, String)] = [
            (try file("settings.json", #"{"theme": "dark", "fontSize": 12}"#),
             "neither a HAR recording (a 'log' with 'entries') nor an OpenAPI document (an 'openapi' version); its top-level keys are: fontSize, theme"),
            (try file("notes.txt", "remember the milk\n"), "neither a HAR recording nor an OpenAPI document: it holds plain text"),
            (try file("cut.har", #"{"log": {"entries": [{"startedDateTime": "#), "cut.har: not valid JSON"),
            (try file("broken.yaml", "openapi: 3.1.0\ninfo: [unclosed\n"), "broken.yaml:3: not valid YAML or JSON"),
            (try file("swagger.json", #"{"swagger": "2.0", "paths": {}}"#), "a Swagger 2.0 document; stampede convert reads OpenAPI 3.0 and 3.1"),
            (try file("half.har", #"{"log": {"entries": [{"startedDateTime": "2026-01-01T00:00:00Z", "time": 1, "request": {"method": "GET", "headers": []}, "response": {"status": 200, "headers": [], "content": {}}}]}}"#),
             "half.har: not a HAR file that can be read: log.entries[0].request: missing 'url'"),
            (try file("noinfo.yaml", "openapi: 3.0.3\npaths: {}\n"), "noinfo.yaml: not an OpenAPI document that can be read"),
            (workDir.appendingPathComponent("nowhere.har").path, "nowhere.har: no such file (looked for \(workDir.path)/nowhere.har)"),
        ]
        for (path, message) in cases {
            let result = try stampede("convert", path)
            XCTAssertEqual(result.status, 104, "\(path): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line: \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("stampede: error: "), result.stderr)
            XCTAssertTrue(result.stderr.contains(message), "\(result.stderr) should say: \(message)")
            XCTAssertFalse(result.stderr.contains("Fatal error") || result.stderr.contains("Stack dump"), result.stderr)
            XCTAssertEqual(result.stdout, "", "no plan for \(path)")
        }
    }
}
