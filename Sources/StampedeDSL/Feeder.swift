import Foundation
internal import SwiftCSV

/// Test data for a scenario: rows of named values. Loaded once before the load starts and
/// shared read-only by every VU on every worker; each iteration reads one row into the VU's
/// variables (columns become variable names).
public struct Feeder: Sendable {
    public enum Source: Sendable {
        /// A CSV file with a header row.
        case csv(String)
        /// A JSON file holding an array of objects; values are read as text.
        case json(String)
        /// Rows given in code, or generated deterministically.
        case rows([[String: String]])
    }

    /// Which row an iteration reads.
    public enum Strategy: String, Sendable, CaseIterable {
        /// In order, each row once across the whole test; a VU that finds none left stops.
        case sequential
        /// In order across the whole test, starting over after the last row.
        case circular
        /// A random row each time.
        case random
        /// VU n always reads row n (there must be a row for every VU).
        case uniquePerVU = "unique-per-vu"
    }

    public var source: Source
    public var strategy: Strategy

    public init(_ source: Source, strategy: Strategy = .circular) {
        self.source = source
        self.strategy = strategy
    }

    /// `count` rows made by `row(i)` for i in 0..<count: deterministic data with no file.
    public static func generated(_ count: Int, strategy: Strategy = .circular, _ row: (Int) -> [String: String]) -> Feeder {
        Feeder(.rows((0..<count).map(row)), strategy: strategy)
    }

    /// Reads the rows; a missing or malformed file is a `PlanError` naming it.
    public func load(relativeTo directory: URL? = nil) throws(PlanError) -> [[String: String]] {
        let rows: [[String: String]]
        switch source {
        case .rows(let given):
            rows = given
        case .csv(let path):
            let url = Self.resolve(path, directory)
            let header: [String]
            var fields: [[String]] = []
            do {
                // The header only (rowLimit 0), then the raw rows, parsed once: SwiftCSV's
                // `rows` would pad short rows to the longest one.
                let csv = try CSV<Enumerated>(string: String(contentsOf: url, encoding: .utf8), delimiter: .comma, loadColumns: false, rowLimit: 0)
                header = csv.header
                try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { fields.append($0) }
            } catch {
                throw PlanError("feeder file '\(path)': \(Self.describe(error, url))")
            }
            // A row with more or fewer fields than the header (a stray comma, an unclosed
            // quote) would feed wrong values to every request that uses it.
            if let bad = fields.firstIndex(where: { $0.count != header.count }) {
                throw PlanError("feeder file '\(path)': row \(bad + 1) has \(fields[bad].count) fields, the header has \(header.count)")
            }
            rows = fields.map { Dictionary(zip(header, $0), uniquingKeysWith: { first, _ in first }) }
        case .json(let path):
            let url = Self.resolve(path, directory)
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
            } catch {
                throw PlanError("feeder file '\(path)': \(Self.describe(error, url))")
            }
            guard let array = object as? [[String: Any]] else {
                throw PlanError("feeder file '\(path)': expected a JSON array of objects")
            }
            rows = array.map { $0.mapValues { value in (value as? String) ?? "\(value)" } }
        }
        guard !rows.isEmpty else { throw PlanError("feeder '\(source.label)' has no rows") }
        return rows
    }

    private static func resolve(_ path: String, _ directory: URL?) -> URL {
        path.hasPrefix("/") || directory == nil ? URL(fileURLWithPath: path) : directory!.appendingPathComponent(path)
    }

    /// Why the file at `url` could not be read; a missing one names the full path looked up,
    /// since a relative path resolves against a folder the user may not have in mind.
    private static func describe(_ error: Error, _ url: URL) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain && [4, 260].contains(nsError.code) {
            return "no such file at \(url.standardizedFileURL.path)"
        }
        if error is CSVParseError { return "not valid CSV" }
        return "cannot be read (\(nsError.localizedDescription))"
    }
}

extension Feeder.Source {
    /// The file the rows come from, if any.
    public var path: String? {
        switch self {
        case .csv(let path), .json(let path): path
        case .rows: nil
        }
    }

    var label: String { path ?? "rows" }
}
