import ArgumentParser
import Scenarios

/// `stampede list`: the scenarios compiled into this binary.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the built-in tests.")

    func run() {
        let width = Catalog.all.map(\.name.count).max() ?? 0
        for plan in Catalog.all {
            print("\(plan.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(plan.description)")
            for scenario in plan.scenarios {
                print("\(String(repeating: " ", count: width))    \(scenario.name): \(scenario.executor.name), \(scenario.executor.summary)")
            }
        }
    }
}
