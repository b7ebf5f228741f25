import Foundation
import FoundationNetworking
import NIOConcurrencyHelpers
import XCTest

/// A `stampede` process as a user runs it, whose output is read while it runs: tests wait
/// for a line (the coordinator's address, a worker joining), signal it, and bound every
/// wait so a hang fails the test instead of stalling the suite.
final class StampedeProcess: @unchecked Sendable {
    let process = Process()
    private let output = Output()

    /// What the process printed so far, filled by the pipes' handlers.
    private final class Output: Sendable {
        let text = NIOLockedValueBox<(stdout: String, stderr: String)>(("", ""))
    }

    /// The `stampede` binary built beside the test bundle.
    static var binary: URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent(), Bundle.main.bundleURL] {
            let url = candidate.appendingPathComponent("stampede")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return dir.appendingPathComponent("stampede")
    }

    /// Starts `stampede` (or `executable`, e.g. `ip netns exec … stampede`) with `arguments`.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:], executable: String? = nil) throws {
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = childEnvironment(environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLockedValue { $0.stdout += text }
        }
        err.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLockedValue { $0.stderr += text }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var stdout: String { output.text.withLockedValue { $0.stdout } }
    var stderr: String { output.text.withLockedValue { $0.stderr } }

    /// Waits until standard error matches `pattern` (a regular expression); returns the
    /// first capture group, or the whole match. Fails the test on timeout or early exit.
    @discardableResult
    func waitForError(_ pattern: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line) -> String? {
        record(search(pattern, in: { self.stderr }, timeout: timeout), file: file, line: line)
    }

    /// The same on standard output.
    @discardableResult
    func waitForOutput(_ pattern: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line) -> String? {
        record(search(pattern, in: { self.stdout }, timeout: timeout), file: file, line: line)
    }

    /// The same on standard output, throwing instead: for a fixture's server, whose failure
    /// to start must fail the test from where it is made, with what the server said.
    func firstOutput(_ pattern: String, timeout: TimeInterval = 30) throws -> String {
        try search(pattern, in: { self.stdout }, timeout: timeout).get()
    }

    private func record(_ result: Result<String, FixtureError>, file: StaticString, line: UInt) -> String? {
        switch result {
        case .success(let found): return found
        case .failure(let error):
            XCTFail(error.message, file: file, line: line)
            return nil
        }
    }

    private func search(_ pattern: String, in stream: () -> String, timeout: TimeInterval) -> Result<String, FixtureError> {
        let regex = try! NSRegularExpression(pattern: pattern)
        func find() -> String? {
            let text = stream()
            guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
            let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            return Range(range, in: text).map { String(text[$0]) }
        }
        let deadline = Date() + timeout
        while Date() < deadline {
            if let found = find() { return .success(found) }
            if !process.isRunning {
                // The last bytes may still be on their way from the pipe.
                Thread.sleep(forTimeInterval: 0.2)
                if let found = find() { return .success(found) }
                return .failure(FixtureError(message: "exited (\(process.terminationStatus)) without printing /\(pattern)/: \(stderr)"))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return .failure(FixtureError(message: "no /\(pattern)/ within \(timeout) s: \(stderr)"))
    }

    /// Waits for the exit; nil (and the process killed) on timeout.
    func exitStatus(within timeout: TimeInterval) -> Int32? {
        let deadline = Date() + timeout
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        // Let the readability handlers take the last bytes.
        Thread.sleep(forTimeInterval: 0.1)
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }
}

/// The results folder of the one run that `results/` under `directory` holds.
func onlyResultsFolder(in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let results = directory.appendingPathComponent("results")
    let folders = try FileManager.default.contentsOfDirectory(atPath: results.path)
    XCTAssertEqual(folders.count, 1, "one results folder: \(folders)", file: file, line: line)
    return results.appendingPathComponent(try XCTUnwrap(folders.first, file: file, line: line))
}

/// The summary.json of the one run whose results folder `results/` under `directory` holds.
func onlySummary(in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let data = try Data(contentsOf: onlyResultsFolder(in: directory, file: file, line: line).appendingPathComponent("summary.json"))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
}

/// The environment for a program a test starts: this process's with `extra` on top. Under
/// `scripts/sanitize address`, children get the AddressSanitizer options meant for them
/// (leak detection on), which the test process itself runs without (docs/reliability.md).
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    if let options = environment["STAMPEDE_CHILD_ASAN_OPTIONS"] { environment["ASAN_OPTIONS"] = options }
    return environment.merging(extra) { $1 }
}

/// GET over HTTP with curl(1), as a scraper (or a user checking the target's data) would: a
/// client outside this package and outside this process.
func fetch(_ address: String) throws -> String {
    try ReferenceTools.runChecked("/usr/bin/curl", ["--silent", "--show-error", "--fail", "--max-time", "5", address]).stdout
}
