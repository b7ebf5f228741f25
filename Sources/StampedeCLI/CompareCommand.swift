import ArgumentParser
import Foundation
import StampedeReports

/// `stampede compare BASE NEW`: a baseline gate for CI.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs' summary.json metric by metric; exit 99 on a regression beyond a bound.",
        discussion: """
            BASE and NEW are summary.json files or results folders. A bound is [METRIC:]STAT=N%: \
            'p(99)=10%' lets every time trend's p(99) grow by 10%; 'http_req_failed:rate=50%' \
            lets the failure rate grow by half; for http_reqs, iterations, checks and data_*, a \
            drop is the regression.
            """
    )

    @Argument(help: "The baseline run.")
    var base: String

    @Argument(help: "The run to judge.")
    var new: String

    @Option(name: .customLong("max-regression"), help: ArgumentHelp("[METRIC:]STAT=N% (repeatable).", valueName: "bound"))
    var maxRegression: [String] = []

    func run() throws {
        do {
            let bounds = try maxRegression.map(SummaryComparison.Bound.init)
            let comparison = try SummaryComparison(base: URL(fileURLWithPath: base), new: URL(fileURLWithPath: new), bounds: bounds)
            print(comparison.table())
            let regressions = comparison.regressions
            if !regressions.isEmpty {
                print("\n\(regressions.count) regression\(regressions.count == 1 ? "" : "s") beyond the bounds")
                throw ExitCode(ExitStatus.thresholdsFailed.rawValue)
            }
        } catch let error as ReportInputError {
            throw UsageFailure(message: error.description)
        }
    }
}
