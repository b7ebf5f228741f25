import StampedeDSL

/// The scenarios compiled into `stampede`, by name: `stampede list` shows them and
/// `stampede run NAME` runs one.
public enum Catalog {
    public static let all: [Scenario] = [smoke]

    public static func scenario(named name: String) -> Scenario? {
        all.first { $0.name == name }
    }
}
