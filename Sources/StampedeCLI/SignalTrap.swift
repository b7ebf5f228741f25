import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Turns SIGINT and SIGTERM into a call of the current handler on a background queue instead
/// of killing the process, so a stopped run still reports what it measured. A second signal
/// while the first is handled ends the process at once with exit code 105.
///
/// The signals are taken over once per process and the handler is swapped as the command
/// moves on (waiting for workers, then the run): a second set of dispatch sources for the
/// same signal would leave it ignored.
enum SignalTrap {
    private static let handler = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
    private static let received = NIOLockedValueBox(0)

    // Made once and never changed: only kept alive.
    nonisolated(unsafe) private static let sources: [any DispatchSourceSignal] = {
        let queue = DispatchQueue(label: "stampede.signals")
        return [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let seen = received.withLockedValue { count in
                    count += 1
                    return count
                }
                if seen > 1 { exit(ExitStatus.abortedFromOutside.rawValue) }
                handler.withLockedValue { $0 }?()
            }
            source.resume()
            return source
        }
    }()

    /// From now on a signal calls `action`.
    static func onSignal(_ action: @escaping @Sendable () -> Void) {
        handler.withLockedValue { $0 = action }
        _ = sources
    }
}
