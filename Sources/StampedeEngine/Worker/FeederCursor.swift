import StampedeDSL
import Synchronization

/// A scenario's feeder rows and where the next iteration reads, shared by all workers. The
/// only thing workers share on the request path: one atomic add per iteration.
final class FeederCursor: Sendable {
    let rows: [[String: String]]
    let strategy: Feeder.Strategy
    private let next = Atomic<Int>(0)

    init(rows: [[String: String]], strategy: Feeder.Strategy) {
        self.rows = rows
        self.strategy = strategy
    }

    /// The row for VU `vu`'s next iteration; nil when a sequential feeder has run out.
    func row(forVU vu: Int, random: inout some RandomNumberGenerator) -> [String: String]? {
        switch strategy {
        case .sequential:
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            return index < rows.count ? rows[index] : nil
        case .circular:
            return rows[next.wrappingAdd(1, ordering: .relaxed).oldValue % rows.count]
        case .random:
            return rows[Int.random(in: 0..<rows.count, using: &random)]
        case .uniquePerVU:
            return rows[(vu - 1) % rows.count]
        }
    }
}
