import Foundation

/// `results/<scenario>-<UTC time>/`: where a run keeps its reports. A run never writes into
/// an earlier run's folder.
public struct ResultsFolder: Sendable {
    public let url: URL

    /// Creates a new folder under `root` named for `name` and `date`.
    public static func create(root: URL, name: String, date: Date) throws -> ResultsFolder {
        // ISO8601FormatStyle is Swift-native; DateFormatter would load ICU (milliseconds at start-up).
        let stamp = date.formatted(.iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false)
            .timeSeparator(.omitted).timeZone(separator: .omitted))
        let base = "\(name)-\(stamp)"
        let manager = FileManager.default
        try manager.createDirectory(at: root, withIntermediateDirectories: true)
        var attempt = 1
        while true {
            let candidate = root.appendingPathComponent(attempt == 1 ? base : "\(base)-\(attempt)")
            do {
                // Without intermediates, creation fails if the folder exists: no run reuses one.
                try manager.createDirectory(at: candidate, withIntermediateDirectories: false)
                return ResultsFolder(url: candidate)
            } catch CocoaError.fileWriteFileExists {
                attempt += 1
            }
        }
    }

    /// Writes the end-of-run reports into the folder: summary.json, junit.xml, and
    /// report.html built from summary.json and the timeline already there. Each is complete
    /// or absent (`AtomicFile`); one that cannot be written does not stop the others, and the
    /// error names every one that failed.
    public func writeReports(_ summary: RunSummary) throws(ResultsWriteError) {
        var failures: [FileWriteError] = []
        func attempt(_ name: String, _ contents: () throws -> Data) -> Bool {
            do {
                try AtomicFile.write(to: url.appendingPathComponent(name), contents)
                return true
            } catch {
                failures.append(error)
                return false
            }
        }
        let wroteSummary = attempt("summary.json") { try SummaryExport.json(summary) }
        _ = attempt("junit.xml") { Data(JUnitReport.xml(summary).utf8) }
        if wroteSummary {
            _ = attempt("report.html") { Data(HTMLReport.render(try HTMLReport.inputs(folder: url)).utf8) }
        } else {
            failures.append(FileWriteError(path: url.appendingPathComponent("report.html").path, reason: "not built without summary.json"))
        }
        if !failures.isEmpty { throw ResultsWriteError(failures: failures) }
    }
}
