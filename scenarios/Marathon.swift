import StampedeDSL

/// Memory-leak detection: 12 hours of steady mixed traffic, 10M+ events.
public let marathon = TestPlan(
    "marathon",
    description: "12 h of 200 shoppers and 50 subscribers; memory must stay flat",
    scenarios: [
        Scenario("shoppers", executor: .constantVUs(200, duration: .seconds(12 * 3600), gracefulStop: .seconds(30))) {
            Journeys.shopper(think: .seconds(2))
        }.with { $0.feeder = Journeys.customers },
        Scenario("subscribers", executor: .constantVUs(50, duration: .seconds(12 * 3600), gracefulStop: .seconds(30))) {
            Journeys.subscriber(think: .seconds(5))
        }.with { $0.feeder = Journeys.customers },
    ],
    thresholds: Threshold.all([
        "http_req_duration": ["p(95)<500"], "http_req_failed": ["rate<0.01"], "checks": ["rate>0.99"],
    ]))
