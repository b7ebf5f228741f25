import StampedeDSL

/// Geographic load distribution: one scenario per region, each tagged with it, built to be
/// split across workers (and machines) with one verdict.
public let distributed = TestPlan(
    "distributed",
    description: "3 regions × ramping arrival rate, tagged by region, 5M+ events over 1 h",
    scenarios: [("eu", 600), ("us", 500), ("apac", 300)].map { region, rate in
        Scenario(
            "region-\(region)",
            executor: .rampingArrivalRate(
                startRate: rate / 10,
                stages: [Stage(.seconds(300), target: rate), Stage(.seconds(3000), target: rate), Stage(.seconds(300), target: 0)],
                preAllocatedVUs: rate, maxVUs: rate * 5, gracefulStop: .seconds(30))
        ) {
            Journeys.shopper(think: .zero)
        }.with {
            $0.tags = ["region": region]
            $0.feeder = Journeys.customers
        }
    },
    thresholds: Threshold.all([
        "http_req_duration{region:eu}": ["p(95)<500"],
        "http_req_duration{region:us}": ["p(95)<500"],
        "http_req_duration{region:apac}": ["p(95)<500"],
        "http_req_failed": ["rate<0.01"],
    ]))
