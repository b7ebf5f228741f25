/// A slice `[from, to)` of a test, as fractions of the whole: a worker thread or a remote
/// worker runs one segment, and runs that share of every scenario's VUs and iterations.
///
/// Shares are computed as `floor(total × to) − floor(total × from)`, so the segments of one
/// split always add up to the exact total, whatever the number of segments.
public struct ExecutionSegment: Sendable, Equatable, CustomStringConvertible {
    /// Numerators over `denominator`.
    public let from: Int
    public let to: Int
    public let denominator: Int

    /// The whole test as one segment.
    public static let full = ExecutionSegment(from: 0, to: 1, denominator: 1)

    public init(from: Int, to: Int, denominator: Int) {
        precondition(denominator > 0 && 0 <= from && from <= to && to <= denominator, "invalid execution segment")
        self.from = from
        self.to = to
        self.denominator = denominator
    }

    /// `count` equal segments covering the whole test.
    public static func split(into count: Int) -> [ExecutionSegment] {
        full.split(into: count)
    }

    /// This segment cut into `count` equal parts, in order: a remote worker's segment split
    /// over its threads. The parts' shares add up to this segment's share exactly.
    public func split(into count: Int) -> [ExecutionSegment] {
        let width = to - from
        return (0..<count).map {
            ExecutionSegment(from: from * count + $0 * width, to: from * count + ($0 + 1) * width, denominator: denominator * count)
        }
    }

    /// Segments of the whole test in proportion to `weights` (one per worker, each above 0).
    public static func split(weights: [Int]) -> [ExecutionSegment] {
        let total = weights.reduce(0, +)
        var start = 0
        return weights.map { weight in
            defer { start += weight }
            return ExecutionSegment(from: start, to: start + weight, denominator: total)
        }
    }

    /// This segment's share of `total` (VUs, iterations).
    public func share(of total: Int) -> Int {
        offset(of: total, at: to) - offset(of: total, at: from)
    }

    /// How many of `total` fall before this segment: the first global index this segment owns.
    public func firstIndex(of total: Int) -> Int {
        offset(of: total, at: from)
    }

    private func offset(of total: Int, at numerator: Int) -> Int {
        // Totals are VU and iteration counts and numerators are small: no overflow in practice.
        total * numerator / denominator
    }

    public var description: String { "\(from)/\(denominator):\(to)/\(denominator)" }
}
