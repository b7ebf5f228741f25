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
        (0..<count).map { ExecutionSegment(from: $0, to: $0 + 1, denominator: count) }
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
