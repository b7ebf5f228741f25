import Foundation
import Scenarios
import StampedeDSL
import StampedeSwiftFiles

/// What one test argument on the command line names, as `run`, `coordinator` and `list`
/// read it.
enum TestArgument {
    case builtIn(TestPlan)
    case planFile(String)
    /// A .swift file, or the Swift files of a folder.
    case swiftFiles([String])
    /// None of these: a misspelt test name, most likely.
    case unknown(String)

    /// An empty folder, or a path that names nothing, is an error here: no reading of it
    /// as a test name would help.
    init(_ argument: String) throws {
        if let plan = Catalog.plan(named: argument) {
            self = .builtIn(plan)
        } else if TestRequest.isPlanFile(argument) {
            self = .planFile(argument)
        } else if SwiftTestFiles.isSwiftFile(argument) {
            self = .swiftFiles([argument])
        } else if let files = SwiftTestFiles.files(inFolder: argument) {
            guard !files.isEmpty else { throw UsageFailure(message: "no .swift files in the folder \(argument)") }
            self = .swiftFiles(files)
        } else if argument.contains("/") {
            throw UsageFailure(message: "no such file or folder: \(argument) (looked for \(URL(fileURLWithPath: argument).standardized.path))")
        } else {
            self = .unknown(argument)
        }
    }
}
