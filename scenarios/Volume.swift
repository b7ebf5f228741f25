import StampedeDSL

/// High-volume throughput: 500 VUs × 2,000 iterations of one product lookup = 1M requests.
public let volume = TestPlan(
    "volume",
    description: "500 VUs × 2,000 iterations = 1M product lookups, no think time",
    scenarios: [
        Scenario("volume", executor: .perVUIterations(500, iterations: 2000, maxDuration: .seconds(3600), gracefulStop: .seconds(10))) {
            Get("/products/{{productId}}").named("get product").check(.status(200))
        }.with { $0.feeder = Journeys.customers },
    ],
    thresholds: Threshold.all(["http_req_duration": ["p(95)<200"], "http_req_failed": ["rate<0.001"]]))
