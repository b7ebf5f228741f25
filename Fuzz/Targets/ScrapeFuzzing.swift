import Foundation
import StampedeScrape

/// A scraped `/metrics` page: what the system under test serves, read each second.
enum ScrapeFuzzing {
    /// Every sample read has a Prometheus metric name, and each name's selected value is the
    /// sum of its samples.
    static func page(_ data: Data) {
        let page = PrometheusText(String(decoding: data, as: UTF8.self))
        for sample in page.samples {
            require(SeriesSelector(sample.name) != nil, "sample name '\(sample.name)' is not a metric name")
        }
        for name in Set(page.samples.map(\.name)) {
            let values = page.samples.filter { $0.name == name }.map(\.value)
            let sum = SeriesSelector(name)?.value(on: page)
            require(sum.map { $0 == values.reduce(0, +) || ($0.isNaN && values.reduce(0, +).isNaN) } ?? false, "\(name) sums to \(String(describing: sum))")
        }
    }
}
