import ArgumentParser
import Foundation
import StampedeReports

/// `stampede`: the root command. Subcommands do the work; this type owns exit codes.
struct Stampede: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stampede",
        abstract: "A load generator: many requests per core, true numbers, k6's vocabulary.",
        version: StampedeVersion.current,
        subcommands: [RunCommand.self, CoordinatorCommand.self, WorkerCommand.self, ListCommand.self, InitCommand.self, TargetCommand.self, CompareCommand.self, ReportCommand.self, ConvertCommand.self]
    )
}

/// k6's exit codes, so CI scripts written for k6 keep working.
enum ExitStatus: Int32 {
    case passed = 0
    case thresholdsFailed = 99
    /// A distributed run lost a worker (or a worker its coordinator); k6's "generic engine error".
    case workerLost = 103
    case invalidConfiguration = 104
    case abortedFromOutside = 105
    case scenarioError = 107
    case abortedByThreshold = 108
}

extension ExitStatus {
    /// The verdict in words, for a suite's lines.
    var summary: String {
        switch self {
        case .passed: "passed"
        case .thresholdsFailed: "thresholds failed (99)"
        case .workerLost: "a worker was lost (103)"
        case .invalidConfiguration: "invalid (104)"
        case .abortedFromOutside: "interrupted (105)"
        case .scenarioError: "scenario code failed or results not written (107)"
        case .abortedByThreshold: "aborted by a threshold (108)"
        }
    }
}

/// An error the user can act on: one line, and the exit code that goes with it.
struct UsageFailure: Error {
    let message: String
    var status = ExitStatus.invalidConfiguration
}

@main
enum Main {
    static func main() {
        do {
            try checkSubcommand(Array(CommandLine.arguments.dropFirst()))
            var command = try Stampede.parseAsRoot()
            try command.run()
        } catch let failure as UsageFailure {
            fail(failure.message, status: failure.status.rawValue)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            // Help and --version are "errors" with exit code 0 to the parser.
            if Stampede.exitCode(for: error) == .success {
                print(Stampede.fullMessage(for: error))
                exit(0)
            }
            fail(Stampede.message(for: error), status: ExitStatus.invalidConfiguration.rawValue)
        }
    }

    /// A first word that is no subcommand would reach the parser as "unexpected arguments";
    /// name the commands instead.
    static func checkSubcommand(_ arguments: [String]) throws {
        guard let first = arguments.first, !first.hasPrefix("-") else { return }
        let names = Stampede.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(first) else { return }
        throw UsageFailure(message: "unknown command '\(first)'; the commands are: \(names.dropLast().joined(separator: ", "))")
    }

    /// Prints one line to standard error and exits.
    static func fail(_ message: String, status: Int32) -> Never {
        let line = message.split(separator: "\n").first.map(String.init) ?? message
        FileHandle.standardError.write(Data("stampede: error: \(line)\n".utf8))
        exit(status)
    }
}
