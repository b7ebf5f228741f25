import Foundation
import StampedeTarget
import XCTest

/// summary.json against real k6's --summary-export: the same test (a group, a check, a
/// custom counter, gauge, rate and trends, thresholds) run by k6 1.1.0 and by Stampede
/// against the same embedded target on loopback. Their key sets must agree, except for the differences docs/metrics.md lists as
/// deliberate. k6 is asked for Stampede's default trend stats (k6's lack p(99)).
extension CLITests {
    static let k6Script = """
        import http from 'k6/http';
        import { check, group } from 'k6';
        import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
        const ordersCreated = new Counter('orders_created');
        const basketSize = new Gauge('basket_size');
        const paid = new Rate('paid');
        const checkoutTime = new Trend('checkout_time', true);
        const orderValue = new Trend('order_value');
        export const options = {
          vus: 2, iterations: 20,
          thresholds: {
            http_req_duration: ['p(95)<5000'], checks: ['rate>0.9'], orders_created: ['count>10'],
            'checkout_time{scenario:default}': ['p(95)<1000'],
          },
        };
        export default function () {
          group('browse', () => {
            const r = http.get(`${__ENV.TARGET}/products/p-001`);
            check(r, { 'status is 200': (res) => res.status === 200 });
          });
          http.get(`${__ENV.TARGET}/health`);
          ordersCreated.add(1);
          basketSize.add(3);
          paid.add(true);
          checkoutTime.add(120);
          orderValue.add(25.5);
        }
        """

    static let stampedePlan = """
        metrics:
          orders_created: counter
          basket_size: gauge
          paid: rate
          checkout_time: {type: trend, time: true}
          order_value: trend
        thresholds:
          http_req_duration: ["p(95)<5000"]
          checks: ["rate>0.9"]
          orders_created: ["count>10"]
          "checkout_time{scenario:default}": ["p(95)<1000"]
        scenarios:
          default:
            executor: shared-iterations
            vus: 2
            iterations: 20
            flow:
              - group: browse
                steps:
                  - get: /products/p-001
                    checks: [{status: 200}]
              - get: /health
              - {record: orders_created, value: 1}
              - {record: basket_size, value: 3}
              - {record: paid, value: true}
              - {record: checkout_time, value: 120}
              - {record: order_value, value: 25.5}
        """

    /// Every key path of a summary export that the two tools could disagree on, as text:
    /// "metric NAME", "stat NAME STAT", "threshold NAME EXPRESSION", "group PATH", "group
    /// PATH key KEY", "check PATH", "check PATH key KEY", "top key KEY". A metric only one
    /// tool has is one line, not one per stat.
    static func keyPaths(_ export: [String: Any], metricsOfBoth: Set<String>? = nil) -> Set<String> {
        var paths = Set(export.keys.map { "top key \($0)" })
        for (name, value) in export["metrics"] as? [String: [String: Any]] ?? [:] {
            paths.insert("metric \(name)")
            guard metricsOfBoth?.contains(name) ?? true else { continue }
            for stat in value.keys where stat != "thresholds" { paths.insert("stat \(name) \(stat)") }
            for expression in (value["thresholds"] as? [String: Any] ?? [:]).keys { paths.insert("threshold \(name) \(expression)") }
        }
        func walk(_ group: [String: Any]) {
            let path = group["path"] as? String ?? "?"
            paths.insert("group \(path)")
            paths.formUnion(group.keys.map { "group \(path) key \($0)" })
            for check in (group["checks"] as? [String: [String: Any]] ?? [:]).values {
                let checkPath = check["path"] as? String ?? "?"
                paths.insert("check \(checkPath)")
                paths.formUnion(check.keys.map { "check \(checkPath) key \($0)" })
            }
            for child in (group["groups"] as? [String: [String: Any]] ?? [:]).values { walk(child) }
        }
        walk(export["root_group"] as? [String: Any] ?? [:])
        return paths
    }

    /// The deliberate differences docs/metrics.md lists, one a line in the block after
    /// "<!-- k6-differences -->": "+ PATH" only Stampede writes, "- PATH" only k6.
    static func documentedDifferences() throws -> Set<String> {
        let doc = try String(contentsOf: ReferenceTools.packageRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        guard let marker = doc.range(of: "<!-- k6-differences -->\n```\n"), let end = doc[marker.upperBound...].range(of: "```") else {
            return []
        }
        return Set(doc[marker.upperBound..<end.lowerBound].split(separator: "\n").map(String.init))
    }

    func testSummaryExportHasK6sKeysExceptTheDocumentedDifferences() throws {
        let server = try TargetServer()
        defer { server.shutdown() }
        let script = workDir.appendingPathComponent("test.js"), plan = try writePlan("test.yaml", Self.stampedePlan)
        try Self.k6Script.write(to: script, atomically: true, encoding: .utf8)
        let k6Export = workDir.appendingPathComponent("k6.json"), ownExport = workDir.appendingPathComponent("stampede.json")

        let environment = ["HOME": workDir.path, "PATH": "/usr/bin:/bin", "K6_NO_USAGE_REPORT": "true", "TARGET": server.baseURL]
        let k6 = try ReferenceTools.run(try ReferenceTools.k6(), ["run", "--quiet", "--summary-export", k6Export.path,
                                                                      "--summary-trend-stats", "avg,min,med,max,p(90),p(95),p(99)", script.path],
                                        seconds: 120, environment: environment, directory: workDir)
        XCTAssertEqual(k6.status, 0, k6.stdout + k6.stderr)
        let own = try stampede("run", plan.path, "--target", server.baseURL, "-q", "--summary-export", ownExport.path)
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertEqual(server.stats.requests, 80, "each tool sent its 40 requests")

        let read = { (url: URL) in try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]) }
        let (k6JSON, ownJSON) = (try read(k6Export), try read(ownExport))
        let names = { (json: [String: Any]) in Set((json["metrics"] as? [String: Any] ?? [:]).keys) }
        let both = names(k6JSON).intersection(names(ownJSON))
        let (theirs, ours) = (Self.keyPaths(k6JSON, metricsOfBoth: both), Self.keyPaths(ownJSON, metricsOfBoth: both))
        XCTAssertTrue(theirs.contains("check ::browse::status is 200"), "k6 ran the check in its group: \(theirs.sorted())")
        for custom in ["orders_created", "basket_size", "paid", "checkout_time", "order_value", "checkout_time{scenario:default}"] {
            XCTAssertTrue(theirs.contains("metric \(custom)") && ours.contains("metric \(custom)"), "both wrote \(custom)")
        }
        // The same values recorded, the same figures: times in milliseconds, plain trends as numbers.
        let value = { (json: [String: Any], metric: String, stat: String) in ((json["metrics"] as? [String: [String: Any]])?[metric]?[stat] as? NSNumber)?.doubleValue }
        for (metric, stat) in [("orders_created", "count"), ("basket_size", "value"), ("basket_size", "max"), ("paid", "passes"), ("paid", "value"),
                               ("checkout_time", "avg"), ("checkout_time", "p(95)"), ("order_value", "med"), ("order_value", "max")] {
            XCTAssertNotNil(value(k6JSON, metric, stat), "\(metric) \(stat)")
            XCTAssertEqual(value(ownJSON, metric, stat), value(k6JSON, metric, stat), "\(metric) \(stat)")
        }
        let differences = Set(ours.subtracting(theirs).map { "+ \($0)" } + theirs.subtracting(ours).map { "- \($0)" })
        // Lines marked "(short runs)" hold only while k6's run is under a second.
        let listed = try Self.documentedDifferences()
        let optional = Set(listed.filter { $0.hasSuffix(" (short runs)") }.map { String($0.dropLast(" (short runs)".count)) })
        let required = listed.filter { !$0.hasSuffix(" (short runs)") }
        XCTAssertFalse(required.isEmpty, "docs/metrics.md has the list")
        XCTAssertEqual(differences.subtracting(required).subtracting(optional).sorted(), [], "differences from k6 not listed in docs/metrics.md")
        XCTAssertEqual(required.subtracting(differences).sorted(), [], "listed in docs/metrics.md but no longer true")
    }
}
