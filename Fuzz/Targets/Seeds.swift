import Foundation
@testable import StampedeDistributed
import StampedeMetrics

/// Seed inputs made with the code that makes the real thing, where writing them by hand
/// would be guesswork: a worker's messages for one second of load, then its end. FuzzTests
/// checks that the committed ones are current, and writes them with STAMPEDE_WRITE_SEEDS=1.
package enum Seeds {
    package static func write(into folder: URL) throws {
        let registry = MetricRegistry()
        var second = MetricSet(registry: registry)
        for (i, millis) in [3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 1_500].enumerated() {
            second.record(BuiltinMetrics.httpReqDuration, UInt64(millis) * 1000)
            second.record(BuiltinMetrics.httpReqFailed, i % 4 == 0)
        }
        second.add(BuiltinMetrics.httpReqs, 11)
        second.set(BuiltinMetrics.vus, 4)
        var ready = WorkerMessage()
        ready.ready.vus = 4
        ready.ready.metricsFingerprint = registry.fingerprint
        let intervals = (0..<3).map { index in
            var message = WorkerMessage()
            message.interval.index = UInt32(index)
            message.interval.metrics = Stampede_Distributed_V1_Metrics(second)
            if index == 0 { message.interval.startedAtUnixNanos = 1_764_633_600_000_000_000 }
            return message
        }
        var done = WorkerMessage()
        done.done.lastIndex = 2
        done.done.gaugesAtEnd = second.gauges.map(Stampede_Distributed_V1_GaugeValue.init)
        var heartbeat = WorkerMessage()
        heartbeat.heartbeat.sentAtUnixNanos = 1_764_633_601_000_000_000
        let target = folder.appendingPathComponent(FuzzTarget.workerMessages.rawValue)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for (name, messages) in [("one-second-then-done", [heartbeat] + intervals + [done]), ("interval-out-of-turn", [intervals[1], intervals[0]]),
                                 ("ready-in-load", [ready, intervals[0]])] {
            var bytes = Data()
            for message in messages {
                let encoded: Data = try message.serializedBytes()
                bytes.append(contentsOf: [UInt8(encoded.count >> 8), UInt8(encoded.count & 0xff)])
                bytes.append(encoded)
            }
            try bytes.write(to: target.appendingPathComponent(name))
        }
    }
}
