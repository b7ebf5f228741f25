import Foundation
@testable import StampedeDistributed
import StampedeMetrics

/// What a worker sends a coordinator once it is in the test: the input is a sequence of
/// WorkerMessages, each after a two-byte big-endian length, handed to a real roster with one
/// running worker, as the coordinator's stream handler hands them; then the merged totals are
/// read as the summary reads them.
enum ProtocolFuzzing {
    static func workerMessages(_ data: Data) {
        let registry = MetricRegistry()
        let roster = Roster(expected: 1, registry: registry, log: { _ in }, onLoss: { _ in })
        let (_, outbox) = AsyncStream.makeStream(of: CoordinatorMessage.self)
        guard case .success(let index) = roster.join(name: "fuzz", peer: "fuzz", tags: [:], capacity: 1, outbox: outbox) else {
            return require(false, "the first worker joins")
        }
        roster.setPhase(.ready, of: index)
        let aggregator = IntervalAggregator(registry: registry, workerCount: 1)
        roster.beginLoad(aggregator: aggregator, finished: DispatchSemaphore(value: 0))
        var rest = data[...]
        while rest.count >= 2 {
            let length = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
            rest = rest.dropFirst(2)
            let bytes = rest.prefix(length)
            rest = rest.dropFirst(bytes.count)
            guard let message = try? WorkerMessage(serializedBytes: bytes) else { continue }
            roster.receive(message, from: index)
        }
        var totals = MetricSet(registry: registry)
        for (_, interval) in aggregator.drain(final: true) { totals.append(interval) }
        for trend in totals.trends where trend.count > 0 {
            for p in [0.0, 50, 90, 95, 99, 100] {
                let value = trend.percentile(p)
                require(value.isFinite && value >= 0, "a percentile of a merged trend is a time")
            }
            _ = trend.mean
        }
        roster.endTest(reason: "fuzz input ended")
    }
}
