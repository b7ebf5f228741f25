import Foundation
import XCTest

/// README.md's examples as a new user types them. Every command in its `sh` blocks either
/// runs here and succeeds (exit 0, no failed request), or is one of the few listed below
/// that need the reader's own service or machines; a new example that is neither fails.
final class ReadmeExampleTests: XCTestCase {
    /// Commands not run here, and why.
    private let notRunHere: [String: String] = [
        "make run": "builds (one build at a time), then runs `run smoke`, which runs here",
        "make test": "the suite itself",
        ".build/debug/stampede run smoke --target http://staging.internal:8080 --vus 20 --duration 1m": "the reader's service",
        ".build/debug/stampede run --url https://api.test:8443/ --vus 20 --duration 30s --ca-file ca.pem --resolve api.test:8443:127.0.0.1 --connection-scope worker --connections-per-host 1":
            "the reader's TLS service and CA",
        ".build/debug/stampede coordinator smoke --workers 2 & coordinator=$!": "DistributedTests (a fixed port, 6575, shared by this machine's users)",
        ".build/debug/stampede worker --coordinator 127.0.0.1:6575 --tag region=eu &": "DistributedTests",
        ".build/debug/stampede worker --coordinator 127.0.0.1:6575 --tag region=us": "DistributedTests",
        "wait $coordinator": "DistributedTests",
    ]

    /// The commands of README.md's `sh` blocks: comments dropped, continued lines joined.
    static func commands(in markdown: String) -> [String] {
        var commands: [String] = []
        for block in markdown.components(separatedBy: "```sh\n").dropFirst() {
            let body = block.components(separatedBy: "```").first ?? ""
            var pending = ""
            for raw in body.split(separator: "\n") {
                var line = raw.trimmingCharacters(in: .whitespaces)
                // A trailing comment (`wait $coordinator   # …`) is not part of the command.
                if let hash = line.range(of: " #") { line = line[..<hash.lowerBound].trimmingCharacters(in: .whitespaces) }
                if line.isEmpty || line.hasPrefix("#") { continue }
                if line.hasSuffix("\\") {
                    pending += line.dropLast().trimmingCharacters(in: .whitespaces) + " "
                    continue
                }
                commands.append(pending + line)
                pending = ""
            }
        }
        return commands
    }

    func testEveryReadmeExampleThatRunsLocallySucceedsAsWritten() throws {
        let readme = try String(contentsOf: ReferenceTools.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = Self.commands(in: readme)
        let targetCommand = ".build/debug/stampede target --port 8080 --latency 5ms"
        XCTAssertTrue(commands.contains(targetCommand), "the README starts the embedded target for its ad-hoc examples")
        XCTAssertEqual(Set(notRunHere.keys).subtracting(commands).sorted(), [], "listed as not run here but gone from the README")
        let runnable = commands.filter { $0 != targetCommand && notRunHere[$0] == nil }
        XCTAssertGreaterThanOrEqual(runnable.count, 6, "\(runnable)")

        // A folder laid out as the README assumes: the build at .build/debug, examples/ beside it.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-readme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let debug = scratch.appendingPathComponent(".build/debug")
        try FileManager.default.createDirectory(at: debug, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: debug.appendingPathComponent("stampede"), withDestinationURL: StampedeProcess.binary)
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("examples"),
                                                   withDestinationURL: ReferenceTools.packageRoot.appendingPathComponent("examples"))

        // The README's target, on a free port instead of 8080 (other users of this machine).
        let arguments = targetCommand.split(separator: " ").dropFirst().map { $0 == "8080" ? "0" : String($0) }
        let target = try StampedeProcess(arguments, in: scratch)
        let port = try XCTUnwrap(target.waitForOutput(#"on http://127\.0\.0\.1:(\d+)"#))
        defer {
            target.signal(SIGTERM)
            XCTAssertEqual(target.exitStatus(within: 10), 0, "the target stops on SIGTERM")
        }

        for command in runnable {
            let typed = command.replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
            let result = try ReferenceTools.run("/bin/sh", ["-c", typed], seconds: 120, directory: scratch)
            XCTAssertEqual(result.status, 0, "\(typed): \(result.stderr)")
            XCTAssertFalse(result.stdout.isEmpty, typed)
            if command.contains(" run ") {
                // Requests were sent and none failed: k6's `http_req_failed: 0.00% 0 out of N`, N > 0.
                XCTAssertNotNil(result.stdout.range(of: #"http_req_failed\.*: 0\.00%\s+0 out of [1-9]"#, options: .regularExpression),
                                "\(typed):\n\(result.stdout)")
            }
        }
    }
}
