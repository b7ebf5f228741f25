import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a call of `handler` on a background queue instead of
/// killing the process, so a stopped run still reports what it measured. A second signal
/// while the first is handled ends the process at once with exit code 105.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(handler: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "stampede.signals")
        let count = Mutex(0)
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let seen = count.withLock { value in
                    value += 1
                    return value
                }
                if seen > 1 { exit(ExitStatus.abortedFromOutside.rawValue) }
                handler()
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
