import StampedeDSL

/// The tests compiled into `stampede`, by name: `stampede list` shows them and
/// `stampede run NAME` runs one. The five seed tests run at full size by default;
/// `--scale` and `--duration-scale` shrink them to any fraction.
public enum Catalog {
    public static let all: [TestPlan] = [
        TestPlan("smoke", description: smoke.description, scenarios: [smoke], thresholds: Threshold.all(["http_req_failed": ["rate<0.01"]])),
        spike, volume, marathon, distributed, soak,
    ]

    public static func plan(named name: String) -> TestPlan? {
        all.first { $0.name == name }
    }
}
