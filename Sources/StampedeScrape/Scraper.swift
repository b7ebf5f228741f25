import Foundation
import NIOConcurrencyHelpers
import StampedeEngine

/// Reads the system under test's Prometheus endpoints once a second while a test runs, each
/// endpoint on a thread of its own with a timeout under a second: one that is down or slow
/// delays nothing but its own series. The load never waits for it; the seconds it missed
/// are gaps in the timeline and the report.
public final class Scraper: GaugeSource {
    private let urls: [String]
    private let series: [SeriesSelector]
    private let log: @Sendable (String) -> Void
    /// Each endpoint's recent readings of each series: (Unix nanoseconds, value), oldest first.
    private let readings: NIOLockedValueBox<[[String: [(at: UInt64, value: Double)]]]>
    private let stopped = NIOLockedValueBox(false)
    private let wake = DispatchSemaphore(value: 0)
    private let running = DispatchGroup()

    public init(urls: [String], series: [SeriesSelector], log: @escaping @Sendable (String) -> Void) {
        self.urls = urls
        self.series = series
        self.log = log
        readings = NIOLockedValueBox(Array(repeating: [:], count: urls.count))
    }

    /// Starts reading every endpoint now, then once a second.
    public func start() {
        for index in urls.indices {
            running.enter()
            let thread = Thread { [self] in
                read(endpoint: index)
                running.leave()
            }
            thread.name = "stampede-scrape-\(index)"
            thread.start()
        }
    }

    /// Stops reading; waits at most a second for a read in progress.
    public func stop() {
        stopped.withLockedValue { $0 = true }
        for _ in urls { wake.signal() }
        _ = running.wait(timeout: .now() + 1)
    }

    public func values(endingAt end: UInt64) -> [(metric: String, value: Double)] {
        // A reading counts for the second it was taken in, give or take the scrape's own drift.
        let from = end &- 1_500_000_000
        let all = readings.withLockedValue { $0 }
        return series.compactMap { selector in
            // Several endpoints of one service add up, as PromQL's sum over instances.
            let values = all.compactMap { endpoint in endpoint[selector.metric]?.last { $0.at > from && $0.at <= end }?.value }
            return values.isEmpty ? nil : (selector.metric, values.reduce(0, +))
        }
    }

    private func read(endpoint index: Int) {
        let url = urls[index]
        var down: String?
        var missing = Set<String>()
        var next = DispatchTime.now()
        while !stopped.withLockedValue({ $0 }) {
            switch BlockingGet.body(of: url, timeoutMilliseconds: 900) {
            case .success(let body):
                if down != nil { log("scrape: \(url) answers again") }
                down = nil
                let page = PrometheusText(String(decoding: body, as: UTF8.self))
                let at = UInt64(UnixClock.nanoseconds())
                for selector in series {
                    guard let value = selector.value(on: page) else {
                        if missing.insert(selector.name).inserted { log("scrape: \(url) has no series '\(selector.name)'") }
                        continue
                    }
                    readings.withLockedValue { readings in
                        readings[index][selector.metric, default: []].append((at, value))
                        if readings[index][selector.metric]!.count > 8 { readings[index][selector.metric]!.removeFirst() }
                    }
                }
            case .failure(let failure):
                if down == nil { log("scrape: \(url): \(failure); its series have gaps until it answers") }
                down = failure.description
            }
            next = next + 1
            _ = wake.wait(timeout: next)
        }
    }
}
