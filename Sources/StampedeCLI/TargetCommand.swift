import ArgumentParser
import Foundation
import StampedeDSL
import StampedeTarget

/// `stampede target`: serves the embedded business-support API until interrupted.
struct TargetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target",
        abstract: "Serve the embedded business-support API (for demos and tests, not for throughput figures)."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(parsing: .unconditional, help: Duration.help("Delay before every response, e.g. 5ms.", default: .zero), transform: Duration.argument)
    var latency: Duration = .zero

    @Option(help: "Share of requests answered 500, 0…1.")
    var errorRate = 0.0

    @Option(help: "Share of payments declined with 402, 0…1.")
    var paymentFailureRate = 0.0

    @Option(help: "Event-loop threads.")
    var threads = 1

    @Option(parsing: .unconditional, help: "Stall every this long (e.g. 5s): responses wait until the stall ends.", transform: Duration.argument)
    var stallEvery: Duration?

    static let defaultStall = Duration.seconds(1)
    @Option(parsing: .unconditional, help: Duration.help("How long each stall lasts.", default: defaultStall), transform: Duration.argument)
    var stallFor: Duration = defaultStall

    @Flag(help: "Print a line per request as it is answered: method, path and status.")
    var accessLog = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard latency >= .zero else { throw ValidationError("--latency must not be negative, got \(latency.humanReadable)") }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be 0…1, got \(errorRate)") }
        guard (0...1).contains(paymentFailureRate) else { throw ValidationError("--payment-failure-rate must be 0…1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let stallEvery, stallEvery <= stallFor || stallFor <= .zero {
            throw ValidationError("--stall-every (\(stallEvery.humanReadable)) must be longer than --stall-for (\(stallFor.humanReadable)), which must be above 0s")
        }
    }

    func run() throws {
        let printLine: @Sendable (String) -> Void = { line in
            print(line)
            fflush(nil)
        }
        let options = TargetOptions(
            latency: latency, errorRate: errorRate, paymentFailureRate: paymentFailureRate, threads: threads,
            stallEvery: stallEvery, stallFor: stallFor, accessLog: accessLog ? printLine : nil)
        let server: TargetServer
        do {
            server = try TargetServer(host: host, port: port, options: options)
        } catch {
            throw UsageFailure(message: "cannot listen on \(host):\(port): \(error)")
        }
        print("stampede target: business-support API on \(server.baseURL) (latency \(latency.humanReadable), error rate \(errorRate))")
        // Scripts read this line to learn the port: do not leave it in a pipe's buffer.
        fflush(nil)
        SignalTrap.onSignal { server.shutdown() }
        try server.waitUntilClosed()
    }
}
