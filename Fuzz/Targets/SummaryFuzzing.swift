import Foundation
import StampedeReports

/// What `stampede compare` and `stampede report` read: a summary.json (and a timeline) that
/// may come from another version, another tool or a damaged disk.
enum SummaryFuzzing {
    /// Bounds on every kind of statistic, so each row is judged.
    private static let bounds = ["p(99)=0%", "avg=0%", "max=0%", "rate=0%", "count=0%", "value=0%"].map { try! SummaryComparison.Bound($0) }

    /// `compare A A --max-regression …`: a summary compared with itself has no regression.
    static func compare(_ data: Data) {
        let file = Scratch.file("summary.json", data)
        guard let comparison = try? SummaryComparison(base: file, new: file, bounds: bounds) else { return }
        _ = comparison.table()
        require(comparison.regressions.isEmpty, "a summary compared with itself has no regression")
    }

    /// `report DIR`: the bytes up to the first NUL are summary.json, the rest timeline.ndjson.
    static func report(_ data: Data) {
        let split = data.firstIndex(of: 0) ?? data.endIndex
        _ = Scratch.file("summary.json", data[..<split])
        _ = Scratch.file("timeline.ndjson", split < data.endIndex ? data[(split + 1)...] : Data())
        _ = try? HTMLReport.write(folder: Scratch.folder)
    }
}
