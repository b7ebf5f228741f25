import Foundation
import StampedeDSL

/// A feeder file, read as a run reads it: every row it gives has a value for each column
/// of the first row.
enum FeederFuzzing {
    static func run(_ data: Data, fileName: String) {
        let url = Scratch.file(fileName, data)
        let feeder = Feeder(fileName.hasSuffix(".csv") ? .csv(url.path) : .json(url.path))
        do {
            let rows = try feeder.load()
            require(!rows.isEmpty, "a feeder that loads has rows")
            if fileName.hasSuffix(".csv") {
                let columns = Set(rows[0].keys)
                require(rows.allSatisfy { Set($0.keys) == columns }, "every CSV row has the header's columns")
            }
        } catch {
            require(!error.message.isEmpty, "a refused feeder file says why")
        }
    }
}
