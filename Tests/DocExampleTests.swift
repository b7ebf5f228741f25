import Foundation
import XCTest

/// The example at the top of docs/scenarios.md, as a reader uses it: the page's Swift saved
/// as loadtests/Checkout.swift, then the page's commands, run from a copy of the repository's
/// examples/ folder.
final class DocExampleTests: XCTestCase {
    func testScenariosPagesExampleRunsAsWritten() throws {
        let root = ReferenceTools.packageRoot
        let page = try String(contentsOf: root.appendingPathComponent("docs/scenarios.md"), encoding: .utf8)
        func between(_ text: String, _ start: String, _ end: String) -> String? {
            guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
            return String(text[from.upperBound..<to.lowerBound])
        }
        let swift = try XCTUnwrap(between(page, "```swift\n", "```"), "docs/scenarios.md has a Swift example")
        let commands = try XCTUnwrap(between(page, "```sh\n", "```"), "and the commands that run it")
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        XCTAssertEqual(commands.count, 2, "mkdir + cp, then stampede run: \(commands)")

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-doc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work.appendingPathComponent("examples"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("examples/customers.csv"), to: work.appendingPathComponent("examples/customers.csv"))
        let shell = try ReferenceTools.run("/bin/sh", ["-c", commands[0]], seconds: 10, directory: work)
        XCTAssertEqual(shell.status, 0, shell.stderr)
        try swift.write(to: work.appendingPathComponent("loadtests/Checkout.swift"), atomically: true, encoding: .utf8)

        let run = commands[1].split(separator: " ").map(String.init)
        XCTAssertEqual(run.first, ".build/debug/stampede")
        let result = try ReferenceTools.run(StampedeProcess.binary.path, Array(run.dropFirst()), seconds: 300,
                                            environment: ["STAMPEDE_CACHE_DIR": work.appendingPathComponent("cache").path], directory: work)
        XCTAssertEqual(result.status, 0, result.stderr)
        // Every check passed: the feeder's ids exist on the embedded target.
        XCTAssertTrue(result.stdout.contains("checks_failed"), result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"checks_failed\.+: 0\.00%"#, options: .regularExpression) != nil, result.stdout)
        XCTAssertTrue(result.stdout.range(of: #"http_req_failed\.+: 0\.00%"#, options: .regularExpression) != nil, result.stdout)
    }
}
