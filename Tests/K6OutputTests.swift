import Foundation
import StampedeTarget
import XCTest

/// `--out json=FILE` and `--out csv=FILE` against real k6's: the same test (K6ComparisonTests'
/// group, check, custom metrics and thresholds) run by k6 1.1.0 and by Stampede against the
/// same embedded target. The files must have k6's metrics, each with k6's tag names, k6's
/// metric definitions and CSV columns; and every request, byte and iteration the summary
/// counts, one sample each.
extension CLITests {
    /// Each JSON line of a k6 output file, parsed: none may fail to parse.
    private func jsonLines(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "the file ends with a whole line", file: file, line: line)
        return try text.split(separator: "\n").map { entry in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any], "not a JSON object: \(entry)", file: file, line: line)
        }
    }

    /// Point lines' tag names by metric, and Metric lines' type and unit by metric.
    private func shape(_ lines: [[String: Any]]) -> (tags: [String: Set<String>], definitions: [String: String]) {
        var tags: [String: Set<String>] = [:], definitions: [String: String] = [:]
        for line in lines {
            let metric = line["metric"] as? String ?? "?", data = line["data"] as? [String: Any] ?? [:]
            switch line["type"] as? String {
            case "Point": tags[metric, default: []].formUnion((data["tags"] as? [String: Any] ?? [:]).keys)
            case "Metric": definitions[metric] = "\(data["type"] ?? "?") \(data["contains"] ?? "?") \(Set((data as NSDictionary).allKeys as? [String] ?? []).sorted())"
            default: tags["unknown line type \(line["type"] ?? "none")"] = []
            }
        }
        return (tags, definitions)
    }

    private func pointSum(_ lines: [[String: Any]], _ metric: String) -> Double {
        lines.filter { $0["type"] as? String == "Point" && $0["metric"] as? String == metric }
            .reduce(0) { $0 + ((($1["data"] as? [String: Any])?["value"] as? NSNumber)?.doubleValue ?? .nan) }
    }

    func testOutJSONAndCSVWriteK6sMetricsTagsAndColumnsWithEverySampleTheSummaryCounts() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let script = workDir.appendingPathComponent("test.js"), plan = try writePlan("test.yaml", Self.stampedePlan)
        try Self.k6Script.write(to: script, atomically: true, encoding: .utf8)
        let file = { (name: String) in self.workDir.appendingPathComponent(name) }
        let environment = ["HOME": workDir.path, "PATH": "/usr/bin:/bin", "K6_NO_USAGE_REPORT": "true", "TARGET": server.baseURL]
        let k6 = try ReferenceTools.run(try ReferenceTools.k6(), ["run", "--quiet", "--out", "json=\(file("k6.json").path)",
                                                                      "--out", "csv=\(file("k6.csv").path)", script.path],
                                        seconds: 120, environment: environment, directory: workDir)
        XCTAssertEqual(k6.status, 0, k6.stdout + k6.stderr)
        let own = try stampede("run", plan.path, "--target", server.baseURL, "-q",
                               "--out", "json=\(file("own.json").path)", "--out", "csv=\(file("own.csv").path)")
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertEqual(server.stats.requests, 80, "each tool sent its 40 requests")

        let (theirs, ours) = (try jsonLines(file("k6.json")), try jsonLines(file("own.json")))
        let (k6Shape, ownShape) = (shape(theirs), shape(ours))
        XCTAssertTrue(k6Shape.tags.keys.contains("orders_created"), "k6 wrote the custom metrics: \(k6Shape.tags.keys.sorted())")
        // k6 writes vus each second; its run is shorter than one.
        XCTAssertEqual(Set(ownShape.tags.keys).subtracting(["vus", "vus_max"]), Set(k6Shape.tags.keys).subtracting(["vus", "vus_max"]))
        for (metric, names) in k6Shape.tags {
            XCTAssertEqual(ownShape.tags[metric], names, "\(metric)'s tags")
        }
        for (metric, definition) in k6Shape.definitions {
            XCTAssertEqual(ownShape.definitions[metric], definition, "\(metric)'s Metric line")
        }
        let thresholds = ours.first { $0["type"] as? String == "Metric" && $0["metric"] as? String == "http_req_duration" }
        XCTAssertEqual((thresholds?["data"] as? [String: Any])?["thresholds"] as? [String], ["p(95)<5000"])

        // Every sample the summary counts is in the file.
        let summary = try XCTUnwrap(try onlySummary(in: workDir)["metrics"] as? [String: [String: Any]])
        let count = { (metric: String) in (summary[metric]?["count"] as? NSNumber)?.doubleValue }
        XCTAssertEqual(pointSum(ours, "http_reqs"), 40)
        XCTAssertEqual(pointSum(ours, "http_reqs"), count("http_reqs"))
        XCTAssertEqual(pointSum(ours, "iterations"), count("iterations"))
        XCTAssertEqual(pointSum(ours, "data_sent"), count("data_sent"))
        XCTAssertEqual(pointSum(ours, "data_received"), count("data_received"))
        XCTAssertEqual(pointSum(ours, "orders_created"), count("orders_created"))
        XCTAssertEqual(pointSum(ours, "checks"), 20, "20 checks, all passed")
        let durations = ours.filter { $0["metric"] as? String == "http_req_duration" && $0["type"] as? String == "Point" }
            .compactMap { (($0["data"] as? [String: Any])?["value"] as? NSNumber)?.doubleValue }
        XCTAssertEqual(durations.max() ?? -1, (summary["http_req_duration"]?["max"] as? NSNumber)?.doubleValue ?? -2, accuracy: 0.001,
                       "the slowest request's sample is the summary's max")

        // CSV: k6's header, and a full row per sample.
        let k6CSV = try String(contentsOf: file("k6.csv"), encoding: .utf8).split(separator: "\n")
        let ownCSV = try String(contentsOf: file("own.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(ownCSV.first, k6CSV.first)
        let columns = ownCSV[0].split(separator: ",", omittingEmptySubsequences: false).count
        for row in ownCSV.dropFirst() { XCTAssertEqual(row.split(separator: ",", omittingEmptySubsequences: false).count, columns, String(row)) }
        XCTAssertEqual(ownCSV.filter { $0.hasPrefix("http_reqs,") }.count, 40)
        XCTAssertEqual(Set(ownCSV.dropFirst().map { $0.prefix { $0 != "," } }).subtracting(["vus", "vus_max"]),
                       Set(k6CSV.dropFirst().map { $0.prefix { $0 != "," } }).subtracting(["vus", "vus_max"]))
    }

    func testAnOutFileThatCannotBeWrittenIsNamedWithTheRightExitCode() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let unknown = try stampede("run", "--url", server.baseURL + "/health", "--iterations", "1", "-q", "--out", "influxdb=http://x")
        assertUsageError(unknown, mentions: "no output 'influxdb' (json=FILE or csv=FILE)")
        let missing = try stampede("run", "--url", server.baseURL + "/health", "--iterations", "1", "-q", "--out", "json=/nonexistent/s.json")
        assertUsageError(missing, mentions: "--out json=/nonexistent/s.json: cannot create it: No such file or directory")
        XCTAssertEqual(server.stats.requests, 0, "refused before any load")
        // A full disk: the run and its results go on; the end says which file stopped, exit 107.
        let full = try stampede("run", "--url", server.baseURL + "/health", "--iterations", "3", "-q", "--out", "csv=/dev/full")
        XCTAssertEqual(full.status, 107, full.stderr)
        XCTAssertEqual(full.stderr, "stampede: error: cannot write --out file /dev/full: No space left on device (the file stops there)\n")
        XCTAssertEqual(server.stats.requests, 3)
        XCTAssertNotNil(try onlySummary(in: workDir)["metrics"], "the results folder is written")
    }
}
