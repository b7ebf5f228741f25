import StampedeDSL
import XCTest

/// Plan files: the same model as the DSL, and a one-line error naming file, line and key
/// path for every kind of mistake.
final class PlanFileTests: XCTestCase {
    private func parse(_ yaml: String) throws -> TestPlan {
        try PlanFile.parse(yaml, file: "plan.yaml")
    }

    private func assertError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml), file: file, line: line) { error in
            XCTAssertEqual((error as? PlanError)?.message, expected, file: file, line: line)
        }
    }

    func testAPlanFileBuildsTheSameModelAsTheDSL() throws {
        let plan = try parse("""
            name: shop
            scenarios:
              browse:
                executor: ramping-vus
                stages:
                  - {duration: 10s, target: 50}
                  - {duration: 5s, target: 0}
                flow:
                  - get: /products
                    checks:
                      - status: 200
                    extract:
                      first: {json: items.0.id}
                  - think: {between: [1s, 2s]}
                  - group: buy
                    steps:
                      - post: /orders
                        json: {customerId: c-0001, lines: [{productId: "{{first}}", quantity: 1}]}
                  - repeat: 2
                    steps:
                      - get: /health
              pay:
                executor: constant-arrival-rate
                rate: 20
                duration: 30s
                preAllocatedVUs: 5
                startTime: 10s
                flow:
                  - if: {var: orderId}
                    then:
                      - get: /orders/{{orderId}}
            """)
        XCTAssertEqual(plan.name, "shop")
        XCTAssertEqual(plan.scenarios.map(\.name), ["browse", "pay"])
        XCTAssertEqual(plan.scenarios[0].executor, .rampingVUs(startVUs: 1, stages: [Stage(.seconds(10), target: 50), Stage(.seconds(5), target: 0)]))
        XCTAssertEqual(plan.scenarios[1].executor, .constantArrivalRate(20, duration: .seconds(30), preAllocatedVUs: 5))
        XCTAssertEqual(plan.scenarios[1].startTime, .seconds(10))
        guard case .request(let get) = plan.scenarios[0].flow[0], case .group(_, let buy) = plan.scenarios[0].flow[2],
              case .request(let post) = buy[0] else { return XCTFail("unexpected flow \(plan.scenarios[0].flow)") }
        XCTAssertEqual(get.checks, [Check(.status(200))])
        XCTAssertEqual(get.extractions, [Extraction("first", from: .jsonField("items.0.id"))])
        XCTAssertEqual(String(decoding: post.body ?? [], as: UTF8.self),
                       #"{"customerId":"c-0001","lines":[{"productId":"{{first}}","quantity":1}]}"#)
    }

    func testHTTPOptionsAndRequestTimeoutsReadFromAPlanFile() throws {
        let plan = try parse("""
            http:
              version: "2"
              insecureSkipTLSVerify: true
              minTLSVersion: "1.2"
              resolve: [api.test:443:127.0.0.1]
              maxRedirects: 0
              streamsPerConnection: 10
            scenarios:
              s:
                executor: shared-iterations
                flow:
                  - get: https://api.test/
                    timeout: 2s
                    checks: [{proto: HTTP/2.0}]
            """)
        XCTAssertEqual(plan.http.version, .http2)
        XCTAssertTrue(plan.http.insecureSkipTLSVerify)
        XCTAssertEqual(plan.http.minTLSVersion, .tls1_2)
        XCTAssertEqual(plan.http.resolve, ["api.test:443:127.0.0.1"])
        XCTAssertEqual(plan.http.maxRedirects, 0)
        XCTAssertEqual(plan.http.streamsPerConnection, 10)
        guard case .request(let get) = plan.scenarios[0].flow[0] else { return XCTFail("a request") }
        XCTAssertEqual(get.timeout, .seconds(2))
        XCTAssertEqual(get.checks, [Check(.proto("HTTP/2.0"))])
        assertError("""
            http: {minTLSVersion: "1.4"}
            scenarios: {s: {executor: shared-iterations, flow: [{get: /}]}}
            """, "plan.yaml:1: http.minTLSVersion: expected one of: 1.0, 1.1, 1.2, 1.3, got '1.4'")
    }

    func testTyposWrongTypesAndUnknownsAreNamedWithLineAndPath() {
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vsu: 10
                duration: 10s
                flow: [{get: /}]
            """, "plan.yaml:4: scenarios.browse.vsu: unknown key 'vsu'; expected one of: executor, description, flow, startTime, pacing, tags, env, feeder, gracefulStop, vus, duration")
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vus: ten
                duration: 10s
                flow: [{get: /}]
            """, "plan.yaml:4: scenarios.browse.vus: expected a whole number, got 'ten'")
        assertError("""
            scenarios:
              browse:
                executor: constant-users
                flow: [{get: /}]
            """, "plan.yaml:3: scenarios.browse.executor: unknown executor 'constant-users'; expected one of: constant-arrival-rate, constant-vus, per-vu-iterations, ramping-arrival-rate, ramping-vus, shared-iterations")
        assertError("""
            scenarios:
              ramp:
                executor: ramping-vus
                stages: []
                flow: [{get: /}]
            """, "plan.yaml:4: scenarios.ramp.stages: expected at least one stage")
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vus: 1
                duration: soon
                flow: [{get: /}]
            """, "plan.yaml:5: scenarios.browse.duration: expected a duration such as 500ms, 30s or 1m30s, got 'soon'")
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vus: 1
                duration: 1s
                flow:
                  - fetch: /
            """, "plan.yaml:7: scenarios.browse.flow[0].fetch: unknown step 'fetch'; expected one of: get, post, put, patch, delete, head, options, batch, think, group, if, repeat, record")
        assertError("scenarios: {a: {executor: constant-vus, vus: 1, duration: 1s, flow: [{get: /}]}", "plan.yaml:2: not valid YAML or JSON: did not find expected ',' or '}'")
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vus: 0
                duration: 1s
                flow: [{get: /}]
            """, "plan.yaml: scenario 'browse': vus must be at least 1, got 0")
        // Found by fuzzing (Fuzz/regressions/plan-yaml): a JSON body whose key is a list
        // stopped the process inside Yams.
        assertError("""
            scenarios:
              browse:
                executor: constant-vus
                vus: 1
                duration: 1s
                flow:
                  - post: /orders
                    json: {lines: [{[a]: 1}]}
            """, "plan.yaml:8: scenarios.browse.flow[0].json.lines[0]: a JSON object's keys are text, not a list")
    }

    func testCustomMetricsAreDeclaredAndRecordStepsRecordTheirValues() throws {
        let plan = try parse("""
            metrics:
              orders: counter
              basket: gauge
              paid: rate
              total: trend
              checkout: {type: trend, time: true}
            scenarios:
              s:
                executor: shared-iterations
                flow:
                  - record: orders
                    value: 2
                  - record: basket
                    value: "{{lines}}"
                  - record: paid
                    value: "{{status}}"
                  - record: total
                    value: "{{total}}"
                  - record: checkout
                    value: 1.5s
            """)
        XCTAssertEqual(plan.metrics, [
            MetricDeclaration("orders", .counter), MetricDeclaration("basket", .gauge), MetricDeclaration("paid", .rate),
            MetricDeclaration("total", .trend), MetricDeclaration("checkout", .trend, isTime: true),
        ])
        func recorded(_ vars: [String: String]) -> [MetricSample.Value] {
            var context = VUContext(vu: 1, iteration: 0, vars: vars)
            for step in plan.scenarios[0].flow {
                guard case .code(let code) = step else { XCTFail("a record step is code"); continue }
                code.body(&context)
            }
            return context.samples.map(\.value)
        }
        XCTAssertEqual(recorded(["lines": "3", "status": "true", "total": "25.98"]),
                       [.counter(2), .gauge(3), .rate(true), .trend(25.98), .trend(1500)])
        // Values a metric cannot hold, as a failed extraction leaves them, record nothing.
        XCTAssertEqual(recorded(["lines": "", "status": "0", "total": "-1"]), [.counter(2), .rate(false), .trend(1500)])

        let flow = "scenarios: {s: {executor: shared-iterations, flow: [{get: /}, {record: orders, value: 1}]}}"
        assertError("metrics: {orders: {type: counter, time: true}}\n" + flow,
                    "plan.yaml:1: metrics.orders: metric 'orders': only a trend holds times, not a counter")
        assertError("metrics: {order-s: counter}\n" + flow,
                    "plan.yaml:1: metrics.order-s: metric name 'order-s' must be 1 to 128 letters, digits or '_', not starting with a digit")
        assertError(flow, "plan.yaml:1: scenarios.s.flow[1].record: unknown metric 'orders'; a record step names a metric of the plan's metrics: (none is declared)")
        assertError("metrics: {orders: trend}\nscenarios: {s: {executor: shared-iterations, flow: [{record: orders, value: soon}]}}",
                    "plan.yaml:2: scenarios.s.flow[0].value: expected a number, 0 or more, got 'soon'")
        assertError("metrics: {orders: counter}\nscenarios: {s: {executor: shared-iterations, flow: [{record: orders}]}}",
                    "plan.yaml:2: scenarios.s.flow[0]: missing key 'value'")
    }
}
