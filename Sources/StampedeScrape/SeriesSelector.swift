import StampedeDSL

/// A series of a scraped page the user asked for, by metric name. Its value is the sum of
/// every sample of that name, whatever its labels (PromQL's `sum(name)`): one number per
/// second, judged by thresholds and plotted like a gauge of the test's own.
public struct SeriesSelector: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    /// Nil unless `text` is a Prometheus metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    public init?(_ text: String) {
        guard ScrapeOptions.isMetricName(text) else { return nil }
        name = text
    }

    /// The name of the run's gauge that holds it.
    public var metric: String { "scrape:" + name }

    public var description: String { name }

    /// The sum of the samples on `page` of this name; nil when there is none.
    public func value(on page: PrometheusText) -> Double? {
        var sum: Double?
        for sample in page.samples where sample.name == name { sum = (sum ?? 0) + sample.value }
        return sum
    }
}
