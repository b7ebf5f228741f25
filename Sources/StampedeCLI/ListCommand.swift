import ArgumentParser
import Scenarios

/// `stampede list`: the scenarios compiled into this binary.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the built-in scenarios.")

    func run() {
        let width = Catalog.all.map(\.name.count).max() ?? 0
        for scenario in Catalog.all {
            print("\(scenario.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(scenario.description)")
            print("\(String(repeating: " ", count: width))  \(scenario.executor.name): \(scenario.executor.summary)")
        }
    }
}
