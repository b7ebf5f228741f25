import ArgumentParser
import StampedeDSL
import StampedeReports

extension Duration: @retroactive ExpressibleByArgument {
    /// Durations on the command line: `500ms`, `10s`, `1m30s`, `2h`.
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String { humanReadable }
}

extension SummaryText.Mode: ExpressibleByArgument {}

extension HTTPOptions.Version: ExpressibleByArgument {}
extension HTTPOptions.TLSVersion: ExpressibleByArgument {}
extension HTTPOptions.ConnectionScope: ExpressibleByArgument {}
