import ArgumentParser
import Foundation
import StampedeReports

/// `stampede report DIR`: rebuilds report.html from a results folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html in a results folder from its summary.json and timeline.ndjson."
    )

    @Argument(help: "A results folder, e.g. results/smoke-20261129T084500Z.")
    var folder: String

    func run() throws {
        do {
            let file = try HTMLReport.write(folder: URL(fileURLWithPath: folder))
            print(file.path)
        } catch let error as ReportInputError {
            throw UsageFailure(message: error.description)
        } catch let error as FileWriteError {
            throw UsageFailure(message: "cannot write \(error)", status: .scenarioError)
        } catch {
            throw UsageFailure(message: "cannot write report.html in '\(folder)': \(error.localizedDescription)", status: .scenarioError)
        }
    }
}
