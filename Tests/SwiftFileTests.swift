import Foundation
import StampedeTarget
import XCTest

/// Users' own Swift test files, as a user runs them: a file in a folder outside the
/// repository, compiled by the stampede binary against its DSL, its requests checked by the
/// server that received them.
final class SwiftFileTests: XCTestCase {
    private var workDir: URL!
    private var processes: [StampedeProcess] = []

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir.appendingPathComponent("loadtests"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for process in processes where process.process.isRunning { process.signal(SIGKILL) }
        processes = []
        try? FileManager.default.removeItem(at: workDir)
    }

    /// stampede in `workDir` with a cache of its own, so each test sees its first compile.
    private func stampede(_ arguments: [String]) throws -> StampedeProcess {
        let cache = workDir.appendingPathComponent("cache").path
        let process = try StampedeProcess(arguments, in: workDir, environment: ["STAMPEDE_CACHE_DIR": cache])
        processes.append(process)
        return process
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(to: workDir.appendingPathComponent("loadtests/\(name)"), atomically: true, encoding: .utf8)
    }

    /// Two tests of one health check each, `count` iterations, to tell runs apart by count.
    private func healthChecks(iterations count: Int) -> String {
        """
        import StampedeDSL

        let health = TestPlan("health", scenarios: [
            Scenario("health", executor: .sharedIterations(2, iterations: \(count))) { Get("/health") },
        ])

        let products = TestPlan("products", scenarios: [
            Scenario("products", executor: .sharedIterations(1, iterations: 3)) { Get("/products/p-001") },
        ])
        """
    }

    func testAFileWithACodeStepAndAFeederSendsWhatItsSwiftComputes() throws {
        let nginx = try NginxFixture()
        defer { nginx.stop() }
        try "id\nc-1\nc-2\nc-3\n".write(to: workDir.appendingPathComponent("loadtests/customers.csv"), atomically: true, encoding: .utf8)
        try write("Cart.swift", """
            import StampedeDSL

            /// Swift that a plan file cannot express: the SKU is computed from the iteration.
            let cart = Scenario("cart", executor: .sharedIterations(1, iterations: 6)) {
                Code("pick a sku") { ctx in ctx["sku"] = "sku-\\(ctx.iteration * 7)" }
                Get("/cart/{{id}}/{{sku}}").named("cart").check(.status(200))
            }.with { $0.feeder = Feeder(.csv("customers.csv"), strategy: .sequential) }
            """)
        // Run from elsewhere: the feeder's path is relative to the file, not to the shell.
        let run = try stampede(["run", "loadtests/Cart.swift", "--target", nginx.url(""), "-q"])
        XCTAssertEqual(run.exitStatus(within: 120), 0, run.stderr)
        let uris = nginx.log().map(\.uri)
        XCTAssertEqual(uris, ["/cart/c-1/sku-0", "/cart/c-2/sku-7", "/cart/c-3/sku-14"],
                       "the sequential feeder's 3 rows ran out after 3 of 6 iterations; each URL carries the Code step's SKU")
        let summary = try onlySummary(in: workDir)
        let reqs = (summary["metrics"] as? [String: Any])?["http_reqs"] as? [String: Any]
        XCTAssertEqual(reqs?["count"] as? Double, 3)
    }

    func testAnEditIsCompiledAndAnUnchangedFileIsNot() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try write("Health.swift", healthChecks(iterations: 4))
        let first = try stampede(["run", "loadtests/Health.swift", "--test", "health", "--target", target.baseURL, "-q"])
        XCTAssertEqual(first.exitStatus(within: 120), 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("compiling loadtests/Health.swift"), first.stderr)
        XCTAssertEqual(target.stats.requests, 4)

        try write("Health.swift", healthChecks(iterations: 9))
        let edited = try stampede(["run", "loadtests/Health.swift", "--test", "health", "--target", target.baseURL, "-q"])
        XCTAssertEqual(edited.exitStatus(within: 120), 0, edited.stderr)
        XCTAssertTrue(edited.stderr.contains("compiling"), "the edit was compiled: \(edited.stderr)")
        XCTAssertEqual(target.stats.requests, 4 + 9, "the edited file ran")

        let unchanged = try stampede(["run", "loadtests/Health.swift", "--test", "health", "--target", target.baseURL, "-q"])
        XCTAssertEqual(unchanged.exitStatus(within: 60), 0, unchanged.stderr)
        XCTAssertFalse(unchanged.stderr.contains("compiling"), "an unchanged file comes from the cache: \(unchanged.stderr)")
        XCTAssertEqual(target.stats.requests, 4 + 9 + 9)
    }

    func testEveryTestOfAFileRunsAsASuiteAndListShowsThem() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try write("Health.swift", healthChecks(iterations: 5))
        let list = try stampede(["list", "loadtests/Health.swift"])
        XCTAssertEqual(list.exitStatus(within: 120), 0, list.stderr)
        let names = list.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(names, ["health", "products"], "in declaration order: \(list.stdout)")

        let suite = try stampede(["run", "loadtests", "--target", target.baseURL, "-q"])
        XCTAssertEqual(suite.exitStatus(within: 60), 0, suite.stderr)
        XCTAssertTrue(suite.stdout.contains("suite: 2 of 2 tests ran"), suite.stdout)
        XCTAssertEqual(target.stats.requests, 5 + 3, "the folder's file ran both its tests")
    }

    func testACompileErrorNamesTheFileAndLineAndStartsNoLoad() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try write("Broken.swift", """
            import StampedeDSL

            let broken = Scenario("broken", executor: .sharedIterations(1, iterations: 1)) {
                Get("/health").nmed("typo")
            }
            """)
        let run = try stampede(["run", "smoke", "loadtests/Broken.swift", "--target", target.baseURL, "-q"])
        XCTAssertEqual(run.exitStatus(within: 120), 104, run.stderr)
        XCTAssertTrue(run.stderr.contains("loadtests/Broken.swift:4:20: error: value of type 'Request' has no member 'nmed'"), run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("stampede: error: loadtests/Broken.swift did not compile (swiftc's errors are above)\n"), run.stderr)
        XCTAssertEqual(target.stats.requests, 0, "no test of the suite ran")
    }

    func testAFileThatDeclaresNoTestSaysSo() throws {
        try write("Helpers.swift", "import StampedeDSL\n\nlet baseHeaders = [Header(\"Accept\", \"application/json\")]\n")
        let run = try stampede(["run", "loadtests/Helpers.swift"])
        XCTAssertEqual(run.exitStatus(within: 120), 104, run.stderr)
        XCTAssertTrue(run.stderr.hasSuffix("stampede: error: loadtests/Helpers.swift declares no test: declare a top-level `let` of type TestPlan or Scenario (docs/scenarios.md)\n"), run.stderr)
    }

    func testACodeStepRecordingIntoAnUndeclaredMetricStopsTheRunWithResultsAnd107() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try write("Undeclared.swift", """
            import StampedeDSL

            let declared = CounterMetric("orders_counted")
            let forgotten = CounterMetric("orders_forgotten")

            let orders = TestPlan("orders", scenarios: [
                Scenario("orders", executor: .constantVUs(2, duration: .seconds(30))) {
                    Get("/health")
                    Code("count") { ctx in
                        ctx.add(1, to: declared)
                        if ctx.iteration == 3 { ctx.add(1, to: forgotten) }
                    }
                },
            ], metrics: [declared])
            """)
        let run = try stampede(["run", "loadtests/Undeclared.swift", "--target", target.baseURL, "-q"])
        XCTAssertEqual(run.exitStatus(within: 60), 107, "stopped long before its 30 s: \(run.stderr)")
        XCTAssertTrue(run.stderr.hasSuffix("stampede: error: code step 'count' records into metric 'orders_forgotten', which the test does not declare in its metrics\n"), run.stderr)
        XCTAssertTrue(run.stdout.contains("orders_counted"), "the summary still prints: \(run.stdout)")
        let reqs = (try onlySummary(in: workDir)["metrics"] as? [String: Any])?["http_reqs"] as? [String: Any]
        let counted = Int(try XCTUnwrap(reqs?["count"] as? Double))
        // As an interrupt: a request in flight when the run stopped is not counted (one per VU at most).
        XCTAssertTrue((target.stats.requests - 2...target.stats.requests).contains(counted), "results written: \(counted) of \(target.stats.requests)")
    }

    func testACoordinatorShipsTheFileAndEachWorkerCompilesIt() throws {
        let target = try TargetServer()
        defer { target.shutdown() }
        try write("Health.swift", healthChecks(iterations: 40))
        let coordinator = try stampede(["coordinator", "loadtests/Health.swift", "--test", "health", "--target", target.baseURL,
                                        "--workers", "2", "--listen", "127.0.0.1:0", "-q"])
        let address = try XCTUnwrap(coordinator.waitForError(#"waiting for \d+ workers? on (\S+)"#, timeout: 120))
        // Workers start in a folder without the file: they get it from the coordinator.
        let elsewhere = workDir.appendingPathComponent("worker")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let workers = try (0..<2).map { _ in
            try StampedeProcess(["worker", "--coordinator", address, "--workers", "1", "--connect-timeout", "10s"], in: elsewhere,
                                environment: ["STAMPEDE_CACHE_DIR": workDir.appendingPathComponent("worker-cache").path])
        }
        processes += workers
        XCTAssertEqual(coordinator.exitStatus(within: 120), 0, coordinator.stderr)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }
        XCTAssertEqual(target.stats.requests, 40)
        let summary = try onlySummary(in: workDir)
        let reqs = (summary["metrics"] as? [String: Any])?["http_reqs"] as? [String: Any]
        XCTAssertEqual(reqs?["count"] as? Double, 40, "the merged count is the target's")
    }

    func testAScaffoldedPackageBuildsAndRunsWithTheCommandsItsReadmeGives() throws {
        let initialised = try stampede(["init", "team-load-tests"])
        XCTAssertEqual(initialised.exitStatus(within: 30), 0, initialised.stderr)
        let package = workDir.appendingPathComponent("team-load-tests")
        let readme = try String(contentsOf: package.appendingPathComponent("README.md"), encoding: .utf8)
        // The README's sh block, command by command, as a user would paste it.
        let block = try XCTUnwrap(readme.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let commands = block.split(separator: "\n").map { line in
            (line.components(separatedBy: " # ").first ?? "").trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
        }
        XCTAssertEqual(commands.map { $0.prefix(2).joined(separator: " ") },
                       ["swift build", "stampede list", "stampede run", "stampede run", "stampede run"], block)
        let environment = childEnvironment(["STAMPEDE_CACHE_DIR": workDir.appendingPathComponent("cache").path])
        for command in commands {
            let tool = command[0] == "swift" ? "/opt/swift/usr/bin/swift" : StampedeProcess.binary.path
            let result = try ReferenceTools.run(tool, Array(command.dropFirst()), seconds: 600, environment: environment, directory: package)
            XCTAssertEqual(result.status, 0, "\(command.joined(separator: " ")): \(result.stderr)")
        }
        let results = try FileManager.default.contentsOfDirectory(atPath: package.appendingPathComponent("results").path).sorted()
        XCTAssertEqual(results.map { $0.split(separator: "-").first.map(String.init) }, ["checkout", "checkout", "smoke"], "\(results)")
        let data = try Data(contentsOf: package.appendingPathComponent("results/\(results[2])/summary.json"))
        let smoke = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reqs = (smoke["metrics"] as? [String: Any])?["http_reqs"] as? [String: Any]
        XCTAssertEqual(reqs?["count"] as? Double, 20, "the plan file's 10 iterations of 2 requests")
    }
}
