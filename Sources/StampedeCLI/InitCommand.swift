import ArgumentParser
import Foundation

/// `stampede init DIR`: a SwiftPM package for a team's load tests, beside their service.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a package for your own load tests: a Swift test, a plan file and a README.",
        discussion: "The package depends on Stampede's StampedeDSL library, so `swift build` checks the tests and editors complete them; `stampede run DIR/loadtests` runs them.")

    @Argument(help: "The new package's folder (created; must be empty if it exists).")
    var folder: String

    @Option(help: "The Stampede checkout the package depends on (default: the one this stampede was built from).")
    var stampede: String?

    func run() throws {
        let source = try stampedeCheckout()
        let target = URL(fileURLWithPath: folder).standardizedFileURL
        let name = String(target.lastPathComponent.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        try PackageScaffold(name: name, stampede: source, binary: binary).write(into: target)
        print("""
            Created \(folder): Package.swift, loadtests/Checkout.swift, loadtests/customers.csv, plans/smoke.yaml, README.md
            Next:
              cd \(folder)
              \(binary) run loadtests
            """)
    }

    /// The given checkout, or the one whose sources this binary was compiled from.
    private func stampedeCheckout() throws -> URL {
        let candidate = stampede.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = candidate.appendingPathComponent("Package.swift")
        guard let text = try? String(contentsOf: manifest, encoding: .utf8), text.contains(#"name: "Stampede""#) else {
            throw UsageFailure(message: stampede == nil
                ? "this stampede's source checkout is gone (\(candidate.path)); give one with --stampede PATH"
                : "\(candidate.path) is not a Stampede checkout (no Stampede Package.swift)")
        }
        return candidate
    }
}
