/// A rate metric (k6's `Rate`): the share of non-zero values among all recorded.
public struct Rate: Sendable, Equatable {
    /// Values recorded as true (for `http_req_failed`: requests that failed).
    public private(set) var trues: UInt64 = 0
    public private(set) var total: UInt64 = 0

    public init() {}

    public init(trues: UInt64, total: UInt64) {
        self.trues = Swift.min(trues, total)
        self.total = total
    }

    @inline(__always)
    public mutating func record(_ value: Bool) {
        total &+= 1
        if value { trues &+= 1 }
    }

    public mutating func merge(_ other: Rate) {
        trues &+= other.trues
        total &+= other.total
    }

    /// Values recorded as false.
    public var falses: UInt64 { total - trues }
    /// trues / total, 0 when empty.
    public var value: Double { total == 0 ? 0 : Double(trues) / Double(total) }
}
