import StampedeDSL

/// Long-run stability: 24 hours at a constant arrival rate, so latency drift shows up
/// undistorted by the load generator slowing down; 20M+ events.
public let soak = TestPlan(
    "soak",
    description: "24 h at 50 shopper journeys/s (≈ 300 requests/s); latency and memory must stay flat",
    scenarios: [
        Scenario(
            "soak",
            executor: .constantArrivalRate(50, duration: .seconds(24 * 3600), preAllocatedVUs: 100, maxVUs: 1000, gracefulStop: .seconds(30))
        ) {
            Journeys.shopper(think: .milliseconds(500))
        }.with { $0.feeder = Journeys.customers },
    ],
    thresholds: Threshold.all(["http_req_duration": ["p(95)<500", "p(99)<1000"], "http_req_failed": ["rate<0.01"]]))
