import Foundation

/// The files of a new team test suite: a SwiftPM package whose `swift build` checks the
/// tests against the DSL (and gives an editor completion), a test in the DSL with a Code
/// step and a feeder, a plan file, and a README with the commands.
struct PackageScaffold {
    /// The package's name, from its folder.
    let name: String
    /// The Stampede checkout the package depends on, for the `StampedeDSL` product.
    let stampede: URL
    /// The stampede binary that made the package, for the README's commands.
    let binary: String

    /// Relative path → contents.
    var files: [(path: String, contents: String)] {
        [("Package.swift", packageManifest), ("loadtests/Checkout.swift", checkoutTest), ("loadtests/customers.csv", customers),
         ("plans/smoke.yaml", smokePlan), ("README.md", readme), (".gitignore", ".build/\nPackage.resolved\nresults/\n")]
    }

    private var packageManifest: String {
        """
        // swift-tools-version: 6.0
        import PackageDescription

        // `swift build` compiles the tests in loadtests/ against Stampede's DSL, so mistakes show
        // in the editor; `stampede run loadtests` compiles and runs them (README.md).
        let package = Package(
            name: "\(name)",
            platforms: [.macOS(.v15)],
            dependencies: [
                .package(path: "\(stampede.path)"),
            ],
            targets: [
                .target(
                    name: "LoadTests",
                    dependencies: [.product(name: "StampedeDSL", package: "\(stampede.lastPathComponent)")],
                    path: "loadtests",
                    exclude: ["customers.csv"]
                ),
            ]
        )

        """
    }

    private var checkoutTest: String {
        #"""
        import StampedeDSL

        /// A figure only the test knows, as k6's custom metrics: orders the API accepted.
        let ordersCreated = CounterMetric("orders_created")

        /// A shopper lists products, picks one in Swift and orders it as a customer from
        /// customers.csv (paths are relative to this file).
        let shopper = Scenario(
            "shopper",
            description: "5 VUs list products, pick one and order it, for 10s",
            executor: .constantVUs(5, duration: .seconds(10))
        ) {
            Get("/products?page=1&size=20").named("list products").check(.status(200))
            Code("pick a product") { ctx in
                ctx["productId"] = "p-00\(ctx.iteration % 9 + 1)"
            }
            Get("/products/{{productId}}").named("get product").check(.status(200))
            Post("/orders", json: #"{"customerId":"{{customerId}}","lines":[{"productId":"{{productId}}","quantity":1}]}"#)
                .named("create order")
                .check(.status(201))
                .extract("orderId", .jsonField("id"))
            If(.isSet("orderId")) {
                Code("count the order") { ctx in ctx.add(1, to: ordersCreated) }
            }
            Think(.milliseconds(200))
        }.with { $0.feeder = Feeder(.csv("customers.csv")) }

        /// The test: `stampede run loadtests --test checkout`. Each top-level `let` of type
        /// TestPlan is a test of its own.
        let checkout = TestPlan(
            "checkout",
            description: "Shoppers order; fails when over 1% of requests fail, p(95) passes 500ms or no order is created",
            scenarios: [shopper],
            thresholds: Threshold.all([
                "http_req_failed": ["rate<0.01"],
                "http_req_duration": ["p(95)<500"],
                "orders_created": ["count>0"],
            ]),
            metrics: [ordersCreated]
        )

        """#
    }

    private let customers = "customerId\nc-0001\nc-0002\nc-0003\nc-0004\nc-0005\n"

    private let smokePlan = """
        # A plan file: the same model without Swift (docs/plan-files.md in Stampede).
        name: smoke
        description: One look at the API's health and a product
        thresholds:
          http_req_failed: ["rate==0"]
        scenarios:
          smoke:
            executor: shared-iterations
            vus: 2
            iterations: 10
            flow:
              - get: /health
                checks:
                  - status: 200
              - get: /products/p-001

        """

    private var readme: String {
        """
        # \(name): load tests

        Load tests written in Stampede's Swift DSL (loadtests/) and as plan files (plans/).
        Without `--target` they run against Stampede's embedded business-support API; give
        `--target http://your-service:8080` to test your own.

        `stampede` below is the Stampede that made this package, \(binary); put it on your
        PATH with `scripts/install` in its checkout (\(stampede.path)), or call it by path.

        ```sh
        swift build                          # checks the tests compile against the DSL
        stampede list loadtests              # the tests the Swift files declare
        stampede run loadtests               # every test of the folder, one after another
        stampede run loadtests --test checkout --vus 2 --duration 5s
        stampede run plans/smoke.yaml
        ```

        Each run prints a summary and writes results/<test>-<time>/ (summary.json, junit.xml,
        report.html). The exit code is 0 when every threshold passed, 99 when one failed.
        `stampede run` compiles the Swift files itself (cached by content): after an edit the
        next run compiles them again; `swift build` is only for your editor.

        """
    }

    /// Writes the files into `folder`, which must be new or empty.
    func write(into folder: URL) throws {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: folder.path), !existing.isEmpty {
            throw UsageFailure(message: "\(folder.path) is not empty; give a new folder")
        }
        do {
            for (path, contents) in files {
                let url = folder.appendingPathComponent(path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
        } catch {
            throw UsageFailure(message: "cannot write the package into \(folder.path): \(error.localizedDescription)")
        }
    }
}
