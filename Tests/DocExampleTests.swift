import Foundation
import StampedeTarget
import XCTest

/// docs/scenarios.md's Swift examples as a reader uses them: each saved as a file of its own
/// and run by the stampede binary, with the page's own commands where it gives them.
final class DocExampleTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("examples"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    private var page: String {
        get throws { try String(contentsOf: ReferenceTools.packageRoot.appendingPathComponent("docs/scenarios.md"), encoding: .utf8) }
    }

    /// The page's fenced blocks of `language`, in order.
    private func blocks(_ language: String) throws -> [String] {
        try page.components(separatedBy: "```\(language)\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    private func stampede(_ arguments: [String]) throws -> ReferenceTools.Output {
        try ReferenceTools.run(StampedeProcess.binary.path, arguments, seconds: 300,
                               environment: childEnvironment(["STAMPEDE_CACHE_DIR": work.appendingPathComponent("cache").path]), directory: work)
    }

    func testScenariosPagesFirstExampleRunsAsWritten() throws {
        let swift = try XCTUnwrap(try blocks("swift").first, "docs/scenarios.md has a Swift example")
        let commands = try XCTUnwrap(try blocks("sh").first, "and the commands that run it")
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        XCTAssertEqual(commands.count, 2, "mkdir + cp, then stampede run: \(commands)")

        try FileManager.default.copyItem(at: ReferenceTools.packageRoot.appendingPathComponent("examples/customers.csv"),
                                         to: work.appendingPathComponent("examples/customers.csv"))
        let shell = try ReferenceTools.run("/bin/sh", ["-c", commands[0]], seconds: 10, directory: work)
        XCTAssertEqual(shell.status, 0, shell.stderr)
        try swift.write(to: work.appendingPathComponent("loadtests/Checkout.swift"), atomically: true, encoding: .utf8)

        let run = commands[1].split(separator: " ").map(String.init)
        XCTAssertEqual(run.first, ".build/debug/stampede")
        let result = try stampede(Array(run.dropFirst()))
        XCTAssertEqual(result.status, 0, result.stderr)
        // Every check passed: the feeder's ids exist on the embedded target.
        XCTAssertNotNil(result.stdout.range(of: #"checks_failed\.+: 0\.00%"#, options: .regularExpression), result.stdout)
        XCTAssertNotNil(result.stdout.range(of: #"http_req_failed\.+: 0\.00%"#, options: .regularExpression), result.stdout)
    }

    func testScenariosPagesHelpersExampleCompilesAndRuns() throws {
        let swift = try XCTUnwrap(try blocks("swift").first { $0.contains("@FlowBuilder func") }, "the helpers example")
        try swift.write(to: work.appendingPathComponent("Browse.swift"), atomically: true, encoding: .utf8)
        let server = try TargetServer()
        defer { server.shutdown() }
        let result = try stampede(["run", "Browse.swift", "--target", server.baseURL, "--iterations", "4", "-q"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.stats.requests, 4 * 3, "each iteration: the list, p-001 from browse(), then p-002")
    }

    func testScenariosPagesCustomMetricsExampleCountsTheTargetsOrders() throws {
        let swift = try XCTUnwrap(try blocks("swift").first { $0.contains("CounterMetric(") }, "the custom metrics example")
        try swift.write(to: work.appendingPathComponent("Orders.swift"), atomically: true, encoding: .utf8)
        // 2 VUs for 1.5 s; 5 ms a response, so a checkout (an order and its payment) takes 10 ms or more.
        let server = try TargetServer(options: TargetOptions(latency: .milliseconds(5)))
        defer { server.shutdown() }
        let result = try stampede(["run", "Orders.swift", "--target", server.baseURL, "--scale", "0.2", "--duration-scale", "0.05", "-q"])
        XCTAssertEqual(result.status, 0, result.stderr)

        let placed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try fetch("\(server.baseURL)/customers/c-0001/orders").utf8)) as? [Any]).count
        XCTAssertGreaterThan(placed, 0)
        let metrics = try XCTUnwrap(try onlySummary(in: work)["metrics"] as? [String: Any])
        func metric(_ name: String) throws -> [String: Any] { try XCTUnwrap(metrics[name] as? [String: Any], "\(name) in \(metrics.keys)") }
        XCTAssertEqual(try metric("orders_placed")["count"] as? Double, Double(placed), "the orders the target holds")
        XCTAssertEqual(try metric("payment_captured")["passes"] as? Double, Double(placed), "every payment captured")
        XCTAssertEqual(try metric("payment_captured")["fails"] as? Double, 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(try metric("checkout_time")["min"] as? Double), 10, "ms: two responses of 5 ms each")
    }
}
