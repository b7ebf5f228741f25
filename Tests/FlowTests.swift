import Foundation
import StampedeDSL
import StampedeEngine
import StampedeMetrics
import StampedeTarget
import XCTest

/// The DSL's flow features end to end against the embedded business-support API.
final class FlowTests: XCTestCase {
    private var server: TargetServer!

    override func setUpWithError() throws { server = try TargetServer() }
    override func tearDown() { server.shutdown() }

    private func run(_ plan: TestPlan, workers: Int = 2) throws -> (totals: MetricSet, registry: MetricRegistry, seconds: Double) {
        let run = try LoadRun(plan: plan, options: RunOptions(workers: workers, target: server.baseURL, env: ["REGION": "eu"]))
        let started = Date()
        let outcome = run.run()
        return (outcome.totals, run.registry, Date().timeIntervalSince(started))
    }

    private func checkResult(_ name: String, _ result: (totals: MetricSet, registry: MetricRegistry, seconds: Double)) -> Rate? {
        result.registry.checks.first { $0.name == name }.map { result.totals.checkResults[$0.slot] }
    }

    func testAJourneyCorrelatesOrderPaymentAndInvoice() throws {
        var journey = Scenario("journey", executor: .sharedIterations(4, iterations: 40)) {
            Get("/products?page=1&size=5").check(.status(200)).extract("productId", .jsonField("items.0.id"))
            Group("checkout") {
                Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
                    .check("order created", .status(201))
                    .extract("orderId", .jsonField("id"))
                Post("/payments", json: #"{"orderId":"{{orderId}}"}"#)
                    .check(.status(201))
                    .extract("paymentStatus", .jsonField("status"))
                If(.equals("paymentStatus", "captured")) {
                    Get("/orders/{{orderId}}/invoice").check("invoice of that order", .status(200))
                } otherwise: {
                    Get("/health")
                }
            }
            Repeat(2) {
                Get("/customers/{{customerId}}/subscriptions").check(.header("content-type", equals: "application/json"))
            }
            Code("count visits") { $0["visits"] = String(Int($0["visits"] ?? "0")! + 1) }
            If(.custom { Int($0["visits"] ?? "0")! > 100 }) { Get("/never") }
        }
        journey.feeder = Feeder.generated(10) { ["customerId": String(format: "c-%04d", $0 + 1)] }
        let result = try run(TestPlan(journey))
        XCTAssertEqual(result.totals[BuiltinMetrics.iterations], 40)
        XCTAssertEqual(server.stats.requests, 40 * 6, "the branch took 'then', the loop ran twice, /never never")
        XCTAssertEqual(result.totals[BuiltinMetrics.httpReqFailed].trues, 0)
        XCTAssertEqual(checkResult("order created", result)?.trues, 40)
        XCTAssertEqual(checkResult("invoice of that order", result)?.trues, 40, "extracted order ids were the ones created")
        XCTAssertEqual(checkResult("header content-type is 'application/json'", result)?.trues, 80)
        XCTAssertEqual(result.totals[BuiltinMetrics.checks].falses, 0)
        XCTAssertEqual(result.totals[BuiltinMetrics.groupDuration].count, 40)
        XCTAssertEqual(result.registry.checks.first { $0.name == "order created" }?.groupPath, "::checkout")
    }

    func testFailingChecksAreCountedWithoutStoppingTheIteration() throws {
        let scenario = Scenario("checks", executor: .sharedIterations(1, iterations: 10)) {
            Get("/health").check(.bodyContains("ok")).check(.bodyContains("nope")).check(.durationBelow(.seconds(5)))
            Get("/products/p-001").check(.jsonField("id", equals: "p-001"))
        }
        let result = try run(TestPlan(scenario))
        XCTAssertEqual(checkResult("body contains 'ok'", result)?.trues, 10)
        XCTAssertEqual(checkResult("body contains 'nope'", result)?.falses, 10)
        XCTAssertEqual(checkResult("duration < 5s", result)?.trues, 10)
        XCTAssertEqual(checkResult("id is 'p-001'", result)?.trues, 10)
        XCTAssertEqual(result.totals[BuiltinMetrics.checks].total, 40)
        XCTAssertEqual(server.stats.requests, 20)
    }

    func testSetupResultsReachEveryVUAndTeardownRunsAfter() throws {
        let scenario = Scenario("orders", executor: .perVUIterations(3, iterations: 2)) {
            Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"p-003","quantity":{{__VU}}}]}"#)
                .check("order for setup's customer", .status(201))
        }
        let setup: [Step] = FlowBuilder.buildBlock(
            [Post("/customers", json: #"{"name":"Load {{env.REGION}}","email":"load@example.test"}"#)
                .check("customer created", .status(201)).extract("customerId", .jsonField("id")).step])
        let teardown: [Step] = [Get("/customers/{{customerId}}/orders").check("six orders", .bodyContains("p-003")).step]
        let result = try run(TestPlan("with-setup", scenarios: [scenario], setup: setup, teardown: teardown))
        XCTAssertEqual(checkResult("customer created", result)?.trues, 1)
        XCTAssertEqual(checkResult("order for setup's customer", result)?.trues, 6)
        XCTAssertEqual(checkResult("six orders", result)?.trues, 1)
        XCTAssertEqual(result.totals[BuiltinMetrics.iterations], 6 + 2, "setup and teardown are an iteration each")
    }

    func testPacingSpacesIterations() throws {
        var scenario = Scenario("paced", executor: .constantVUs(1, duration: .milliseconds(1000))) { Get("/health") }
        scenario.pacing = .milliseconds(200)
        let iterations = try run(TestPlan(scenario)).totals[BuiltinMetrics.iterations]
        XCTAssertEqual(Double(iterations), 5, accuracy: 1)
    }

    func testScenariosRunSideBySideFromTheirStartTimes() throws {
        let first = Scenario("first", executor: .sharedIterations(2, iterations: 10)) { Get("/health") }
        var second = Scenario("second", executor: .sharedIterations(1, iterations: 5)) { Get("/products/p-002") }
        second.startTime = .milliseconds(400)
        let result = try run(TestPlan("two", scenarios: [first, second]))
        XCTAssertEqual(result.totals[BuiltinMetrics.iterations], 15)
        XCTAssertGreaterThanOrEqual(result.seconds, 0.4, "the second scenario waited for its start time")
        let perScenario = result.registry.metric(named: "http_reqs{scenario:second}").map { result.totals.counters[$0.slot] }
        XCTAssertEqual(perScenario, 5, "with several scenarios, each has its own figures")
    }

    func testSequentialFeederEndsTheScenarioWhenRowsRunOut() throws {
        var scenario = Scenario("once-each", executor: .constantVUs(2, duration: .seconds(30))) { Get("/customers/{{id}}") }
        scenario.feeder = Feeder(.rows((1...5).map { ["id": String(format: "c-%04d", $0)] }), strategy: .sequential)
        let result = try run(TestPlan(scenario))
        XCTAssertEqual(result.totals[BuiltinMetrics.iterations], 5)
        XCTAssertLessThan(result.seconds, 5, "no need to wait for the duration once the data is used up")
        XCTAssertEqual(result.totals[BuiltinMetrics.httpReqFailed].trues, 0)
    }

    func testUniquePerVUFeederGivesVUnRowN() throws {
        var scenario = Scenario("mine", executor: .perVUIterations(3, iterations: 4)) {
            Get("/customers/c-000{{n}}").check("VU reads its own row", .jsonField("id", equals: "c-000{{__VU}}"))
        }
        scenario.feeder = Feeder(.rows([["n": "1"], ["n": "2"], ["n": "3"]]), strategy: .uniquePerVU)
        let result = try run(TestPlan(scenario), workers: 2)
        XCTAssertEqual(checkResult("VU reads its own row", result)?.trues, 12)
        XCTAssertEqual(checkResult("VU reads its own row", result)?.falses, 0)
    }

    func testFeederFilesAreReadAndMissingOnesRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feeders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,qty\np-001,1\np-002,2\n".write(to: dir.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        try #"[{"id":"c-0001"},{"id":"c-0002"}]"#.write(to: dir.appendingPathComponent("customers.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try Feeder(.csv("products.csv")).load(relativeTo: dir), [["id": "p-001", "qty": "1"], ["id": "p-002", "qty": "2"]])
        XCTAssertEqual(try Feeder(.json("customers.json")).load(relativeTo: dir), [["id": "c-0001"], ["id": "c-0002"]])
        // A missing file names the full path looked up: relative to the given folder, or else to
        // the working directory, which may not be the folder the user had in mind.
        XCTAssertThrowsError(try Feeder(.csv("missing.csv")).load(relativeTo: dir)) {
            XCTAssertEqual(($0 as? PlanError)?.message, "feeder file 'missing.csv': no such file at \(dir.path)/missing.csv")
        }
        XCTAssertThrowsError(try Feeder(.json("data/missing.json")).load()) {
            let cwd = FileManager.default.currentDirectoryPath
            XCTAssertEqual(($0 as? PlanError)?.message, "feeder file 'data/missing.json': no such file at \(cwd)/data/missing.json")
        }
        // A row short of a field, or an unclosed quote that swallows the rest, is refused:
        // its values would land in the wrong variables.
        try "id,qty\np-001,1\np-002\n".write(to: dir.appendingPathComponent("short.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Feeder(.csv("short.csv")).load(relativeTo: dir)) {
            XCTAssertEqual(($0 as? PlanError)?.message, "feeder file 'short.csv': row 2 has 1 fields, the header has 2")
        }
        try "id,qty\np-001,1\n\"p-002,2\np-003,3\n".write(to: dir.appendingPathComponent("quote.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Feeder(.csv("quote.csv")).load(relativeTo: dir))
    }
}

extension FlowTests {
    func testMultipartUploadsFieldsAndFilesChosenByTheFeeder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uploads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "alpha contents".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "beta contents".write(to: dir.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        var scenario = Scenario("upload", executor: .sharedIterations(2, iterations: 10)) {
            Post("/echo", multipart: [.field(name: "owner", value: "vu-{{__VU}}"), .file(name: "doc", path: "{{file}}", contentType: "text/plain")])
                .check("file", .bodyContains("{{expected}}"))
                .check("part header", .bodyContains(#"name="doc"; filename="{{file}}""#))
                .check("field", .bodyContains("vu-{{__VU}}"))
        }
        scenario.feeder = Feeder(.rows([["file": "a.txt", "expected": "alpha contents"], ["file": "b.txt", "expected": "beta contents"]]))
        let run = try LoadRun(plan: TestPlan(scenario), options: RunOptions(workers: 2, target: server.baseURL, baseDirectory: dir))
        let result = run.run().totals
        XCTAssertEqual(Set(run.registry.checks.map(\.name)), ["file", "part header", "field"], "the loop below sees every check")
        for check in run.registry.checks {
            XCTAssertEqual(result.checkResults[check.slot].trues, 10, check.name)
        }
        scenario.feeder = Feeder(.rows([["file": "missing.txt", "expected": ""]]))
        XCTAssertThrowsError(try LoadRun(plan: TestPlan(scenario), options: RunOptions(target: server.baseURL, baseDirectory: dir))) {
            XCTAssertEqual(($0 as? PlanError)?.message, "scenario 'upload': multipart file 'missing.txt': no such file")
        }
    }
}

extension FlowTests {
    func testABatchSendsItsRequestsAtOnce() throws {
        server.shutdown()
        server = try TargetServer(options: TargetOptions(latency: .milliseconds(100)))
        let scenario = Scenario("page", executor: .perVUIterations(2, iterations: 3)) {
            Batch {
                Get("/products/p-001").check(.status(200))
                Get("/products/p-002").extract("second", .jsonField("id"))
                Get("/customers/c-0001")
                Get("/health")
            }
            Get("/products/{{second}}").check("extracted in the batch", .status(200))
        }
        let result = try run(TestPlan(scenario))
        XCTAssertEqual(result.totals[BuiltinMetrics.httpReqs], 2 * 3 * 5)
        XCTAssertEqual(server.stats.requests, 30)
        XCTAssertEqual(checkResult("extracted in the batch", result)?.trues, 6)
        // Four 100 ms requests at once and one after: about 200 ms an iteration, 500 if the
        // batch were sent one by one. The median of six, not the slowest one, with a margin.
        let iterations = result.totals[BuiltinMetrics.iterationDuration]
        XCTAssertLessThan(iterations.percentile(50) / 1000, 400, "the batch's requests overlapped")
        XCTAssertGreaterThanOrEqual(iterations.percentile(0) / 1000, 200, "two 100 ms round trips one after the other")
    }
}
