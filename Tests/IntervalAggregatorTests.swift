import StampedeMetrics
import XCTest

final class IntervalAggregatorTests: XCTestCase {
    private let registry = MetricRegistry()

    private func report(worker: Int, index: Int, requests: UInt64, vusMax: Double, last: Bool = false) -> IntervalReport {
        var metrics = MetricSet(registry: registry)
        metrics.add(BuiltinMetrics.httpReqs, requests)
        metrics.set(BuiltinMetrics.vusMax, vusMax)
        var atEnd: [Gauge]?
        if last {
            var end = MetricSet(registry: registry)
            end.set(BuiltinMetrics.vusMax, vusMax)
            atEnd = end.gauges
        }
        return IntervalReport(worker: worker, index: index, metrics: metrics, gaugesAtEnd: atEnd)
    }

    func testSecondsCompleteWhenEveryWorkerReportedAndFinishedWorkersStillCount() {
        let aggregator = IntervalAggregator(registry: registry, workerCount: 2)
        aggregator.submit(report(worker: 0, index: 0, requests: 10, vusMax: 5))
        XCTAssertTrue(aggregator.drain().isEmpty, "worker 1 has not reported second 0 yet")
        aggregator.submit(report(worker: 1, index: 0, requests: 20, vusMax: 5))
        aggregator.submit(report(worker: 0, index: 1, requests: 1, vusMax: 5, last: true))
        aggregator.submit(report(worker: 1, index: 1, requests: 30, vusMax: 5))
        aggregator.submit(report(worker: 1, index: 2, requests: 40, vusMax: 5, last: true))
        let seconds = aggregator.drain()
        XCTAssertEqual(seconds.map(\.index), [0, 1, 2])
        XCTAssertEqual(seconds.map { $0.metrics[BuiltinMetrics.httpReqs] }, [30, 31, 40])
        XCTAssertEqual(seconds.map { $0.metrics[BuiltinMetrics.vusMax].value }, [10, 10, 10], "a finished worker's VUs still exist")
        XCTAssertEqual(aggregator.totals[BuiltinMetrics.httpReqs], 101)
        XCTAssertEqual(aggregator.totals[BuiltinMetrics.vusMax].value, 10)
    }
}
