import ArgumentParser
import Foundation
import Scenarios
import StampedeDSL
import StampedeSwiftFiles

/// `stampede list`: the tests compiled into this binary, or the ones the given files declare.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the built-in tests, or the tests Swift files or plan files declare.")

    @Argument(help: "Built-in tests, Swift files and folders of them (compiled together), or plan files; none lists the built-in tests.")
    var files: [String] = []

    func run() throws {
        print(Self.describe(try tests()))
    }

    private func tests() throws -> [TestPlan] {
        guard !files.isEmpty else { return Catalog.all }
        var plans: [TestPlan] = []
        var swiftFiles: [String] = []
        do {
            for file in files {
                switch try TestArgument(file) {
                case .builtIn(let plan): plans.append(plan)
                case .planFile(let path): plans.append(try PlanFile.load(path))
                case .swiftFiles(let found): swiftFiles += found
                case .unknown(let name):
                    throw UsageFailure(message: "'\(name)' is not a built-in test, a .swift file, a folder of them or a plan file (.yaml, .yml, .json)")
                }
            }
            if !swiftFiles.isEmpty { plans += try SwiftTestFiles.load(swiftFiles, log: TestRequest.logCompile).tests }
        } catch let error as PlanError {
            throw UsageFailure(message: error.message)
        } catch let error as SwiftFileError {
            throw UsageFailure(message: error.message)
        }
        return plans
    }

    /// A test per line with its description, then its scenarios and their executors.
    static func describe(_ plans: [TestPlan]) -> String {
        let width = plans.map(\.name.count).max() ?? 0
        var lines: [String] = []
        for plan in plans {
            lines.append("\(plan.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(plan.description)")
            for scenario in plan.scenarios {
                lines.append("\(String(repeating: " ", count: width))    \(scenario.name): \(scenario.executor.name), \(scenario.executor.summary)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
