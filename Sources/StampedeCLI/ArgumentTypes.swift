import ArgumentParser
import StampedeDSL
import StampedeReports

extension Duration: @retroactive ExpressibleByArgument {
    /// Durations on the command line: `500ms`, `10s`, `1m30s`, `2h`.
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String { humanReadable }

    /// A duration option's value, for `@Option(parsing: .unconditional, transform: Duration.argument)`.
    /// Unlike the plain `ExpressibleByArgument` path, a value that is not a duration says what
    /// one looks like (`--duration 5` lacks only its unit), and `.unconditional` takes `-5s` as
    /// the value, so validation can say it must be positive, where the parser saw a flag and
    /// answered "Missing value".
    static func argument(_ text: String) throws -> Duration {
        guard let duration = Duration(parsing: text) else { throw NotADuration(text: text) }
        return duration
    }

    /// Help for such an option with a default: ArgumentParser shows no default for an option
    /// parsed by a transform, so the text says it, from the same value the option starts with.
    static func help(_ text: String, default value: Duration) -> ArgumentHelp {
        ArgumentHelp("\(text) (default: \(value.humanReadable))")
    }

    struct NotADuration: Error, CustomStringConvertible {
        let text: String
        var description: String {
            let bareNumber = Double(text) != nil
            return "expected a duration such as 30s, 5m, 1h30m" + (bareNumber ? " (a number needs its unit: \(text)s, \(text)m …)" : "")
        }
    }
}

extension SummaryText.Mode: ExpressibleByArgument {}

extension HTTPOptions.Version: ExpressibleByArgument {}
extension HTTPOptions.TLSVersion: ExpressibleByArgument {}
extension HTTPOptions.ConnectionScope: ExpressibleByArgument {}

/// `--out FORMAT=FILE`: every sample of the run in one of k6's output formats.
struct SampleOutputArgument {
    let format: SampleOutput.Format
    let path: String

    static func argument(_ text: String) throws -> SampleOutputArgument {
        let formats = SampleOutput.Format.allCases.map { "\($0.rawValue)=FILE" }.joined(separator: " or ")
        guard let equals = text.firstIndex(of: "="), !text[text.index(after: equals)...].isEmpty else {
            throw ValidationError("--out '\(text)' is not FORMAT=FILE: \(formats)")
        }
        guard let format = SampleOutput.Format(rawValue: String(text[..<equals])) else {
            throw ValidationError("--out '\(text)': no output '\(text[..<equals])' (\(formats))")
        }
        return SampleOutputArgument(format: format, path: String(text[text.index(after: equals)...]))
    }

    /// Creates the file; one that cannot be created stops the command before any load.
    func open() throws -> SampleOutput {
        do {
            return try SampleOutput(format, path: path)
        } catch {
            throw UsageFailure(message: "--out \(format.rawValue)=\(path): cannot create it: \(error.reason)")
        }
    }
}
