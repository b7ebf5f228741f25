import StampedeDSL

/// The tests compiled into `stampede`, by name: `stampede list` shows them and
/// `stampede run NAME` runs one.
public enum Catalog {
    public static let all: [TestPlan] = [TestPlan(smoke)]

    public static func plan(named name: String) -> TestPlan? {
        all.first { $0.name == name }
    }
}
