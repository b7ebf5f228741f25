import StampedeDSL
import XCTest

final class ExecutionSegmentTests: XCTestCase {
    func testSharesOfAnySplitAddUpToTheTotal() {
        for parts in 1...7 {
            for total in [0, 1, 2, 3, 5, 10, 99, 1000, 1_000_001] {
                let shares = ExecutionSegment.split(into: parts).map { $0.share(of: total) }
                XCTAssertEqual(shares.reduce(0, +), total, "\(total) split into \(parts)")
                XCTAssertLessThanOrEqual(shares.max()! - shares.min()!, 1, "shares stay balanced")
            }
        }
    }

    func testFirstIndexIsWhereTheSegmentStarts() {
        let segments = ExecutionSegment.split(into: 3)
        XCTAssertEqual(segments.map { $0.firstIndex(of: 10) }, [0, 3, 6])
        XCTAssertEqual(segments.map { $0.share(of: 10) }, [3, 3, 4])
    }
}
