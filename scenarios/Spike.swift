import StampedeDSL

/// Sudden traffic spikes: 100 → 10,000 shoppers in 30 s, held for a minute, then gone.
public let spike = TestPlan(
    "spike",
    description: "100 → 10,000 VUs in 30 s, hold 1 min, ramp down 30 s (shoppers)",
    scenarios: [
        Scenario(
            "spike",
            executor: .rampingVUs(
                startVUs: 100,
                stages: [Stage(.seconds(30), target: 10_000), Stage(.seconds(60), target: 10_000), Stage(.seconds(30), target: 0)],
                gracefulRampDown: .seconds(10), gracefulStop: .seconds(10))
        ) {
            Journeys.shopper(think: .seconds(1))
        }.with { $0.feeder = Journeys.customers },
    ],
    thresholds: Threshold.all(["http_req_duration": ["p(95)<500"], "http_req_failed": ["rate<0.01"]]))
