import Foundation

/// `stampede compare`: two summary.json files metric by metric, and the regressions beyond
/// the bounds a CI stage allows.
public struct SummaryComparison {
    /// A bound on how much worse a statistic may get: `p(99)=10%` (every time trend),
    /// `http_req_failed:rate=0.5%`.
    public struct Bound: Equatable, Sendable {
        public let metric: String?
        public let statistic: String
        /// The allowed change, as a fraction of the base value (0.10 for 10%).
        public let fraction: Double

        public init(_ text: String) throws {
            let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[1].hasSuffix("%"), let percent = Double(parts[1].dropLast()), percent >= 0 else {
                throw ReportInputError("--max-regression '\(text)' is not [METRIC:]STAT=N%, e.g. 'p(99)=10%'")
            }
            if let colon = parts[0].lastIndex(of: ":") {
                metric = String(parts[0][..<colon])
                statistic = String(parts[0][parts[0].index(after: colon)...])
            } else {
                metric = nil
                statistic = parts[0]
            }
            fraction = percent / 100
        }

        func applies(to metric: String, isTime: Bool) -> Bool {
            self.metric.map { $0 == metric } ?? isTime
        }
    }

    /// What a statistic's number is, so the table prints it as the summary does.
    public enum Unit: Equatable, Sendable {
        /// A time trend's statistic: summary.json writes times in milliseconds.
        case milliseconds
        /// A rate metric's share of true values, 0…1.
        case fraction
        case bytes
        case bytesPerSecond
        case perSecond
        case number

        func format(_ value: Double) -> String {
            switch self {
            case .milliseconds: ValueFormat.time(microseconds: value * 1000)
            case .fraction: ValueFormat.percent(value)
            case .bytes: ValueFormat.bytes(value)
            case .bytesPerSecond: ValueFormat.bytes(value) + "/s"
            case .perSecond: ValueFormat.number(value) + "/s"
            case .number: ValueFormat.number(value)
            }
        }
    }

    public struct Row: Equatable, Sendable {
        public let metric: String
        public let statistic: String
        public let unit: Unit
        public let base: Double
        public let new: Double
        /// The bound that applies, if any, and whether the change stays within it.
        public let bound: Double?
        public let regressed: Bool

        /// Relative change, new against base.
        public var change: Double { base == 0 ? (new == 0 ? 0 : .infinity) : (new - base) / base }
    }

    public let rows: [Row]
    public var regressions: [Row] { rows.filter(\.regressed) }

    /// Metrics where a larger value is better: a drop is the regression.
    static let higherIsBetter: Set<String> = ["http_reqs", "iterations", "checks", "data_sent", "data_received"]

    public init(base: URL, new: URL, bounds: [Bound]) throws {
        let (baseMetrics, timeTrends) = try Self.metrics(base)
        let (newMetrics, _) = try Self.metrics(new)
        var rows: [Row] = []
        for name in baseMetrics.keys.sorted() {
            guard let before = baseMetrics[name], let after = newMetrics[name] else { continue }
            let isTime = timeTrends.contains(name) || name.hasPrefix("http_req_") && name != "http_req_failed"
                || name.hasPrefix("iteration_duration") || name.hasPrefix("group_duration")
            let baseName = name.split(separator: "{").first.map(String.init) ?? name
            for statistic in ["avg", "med", "p(90)", "p(95)", "p(99)", "max", "rate", "value", "count"] {
                guard let b = before[statistic], let a = after[statistic] else { continue }
                if statistic == "count" && before["rate"] != nil { continue }
                let bound = bounds.last { $0.statistic == statistic && $0.applies(to: name, isTime: isTime) }
                let worse = Self.higherIsBetter.contains(baseName) ? b - a : a - b
                let regressed = bound.map { worse > abs(b) * $0.fraction + 1e-12 } ?? false
                let unit = Self.unit(of: statistic, in: before, named: baseName, isTime: isTime)
                rows.append(Row(metric: name, statistic: statistic, unit: unit, base: b, new: a, bound: bound?.fraction, regressed: regressed))
            }
        }
        self.rows = rows
    }

    /// The unit of a statistic as summary.json writes it, from the metric's kind: a trend's
    /// statistics (in ms when it holds times), a rate's `value`, a counter's `count` and `rate`.
    static func unit(of statistic: String, in values: [String: Double], named name: String, isTime: Bool) -> Unit {
        let isBytes = name.hasPrefix("data_")
        switch statistic {
        case "value" where values["passes"] != nil: return .fraction
        case "rate": return isBytes ? .bytesPerSecond : .perSecond
        case "count": return isBytes ? .bytes : .number
        default: return isTime && values["med"] != nil ? .milliseconds : .number
        }
    }

    /// The `metrics` object of a summary.json, or of the summary.json in a results folder,
    /// and the trends whose `stampede.percentiles` entry says they hold times.
    static func metrics(_ url: URL) throws -> (metrics: [String: [String: Double]], timeTrends: Set<String>) {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? url.appendingPathComponent("summary.json") : url
        guard let data = FileManager.default.contents(atPath: file.path) else { throw ReportInputError("\(file.path): no such file") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let metrics = object["metrics"] as? [String: Any] else {
            throw ReportInputError("\(file.path): not a summary (no \"metrics\" object)")
        }
        let percentiles = (object["stampede"] as? [String: Any])?["percentiles"] as? [String: [String: Any]] ?? [:]
        return (metrics.compactMapValues { value in
            (value as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }, Set(percentiles.filter { $0.value["unit"] as? String == "ms" }.keys))
    }

    /// The table: metric, statistic, base, new (in the statistic's unit), change, bound, verdict.
    public func table() -> String {
        let header = ["metric", "stat", "base", "new", "change", "bound", ""]
        let lines = rows.map { row -> [String] in
            let change = row.change.isFinite ? String(format: "%+.1f%%", row.change * 100) : "new"
            let verdict = row.regressed ? "✗ regressed" : row.bound == nil ? "" : "✓"
            return [row.metric, row.statistic, row.unit.format(row.base), row.unit.format(row.new), change,
                    row.bound.map { String(format: "%g%%", $0 * 100) } ?? "", verdict]
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        return ([header] + lines).map { cells in
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// A report that cannot be made from what it was given (a missing or malformed summary, a
/// bad bound): the message names the file or the bound.
public struct ReportInputError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
