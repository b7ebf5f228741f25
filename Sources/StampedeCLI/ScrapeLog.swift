import Foundation
import StampedeDSL
import StampedeScrape

extension Scraper {
    /// The scraper a plan asks for, saying on standard error when an endpoint fails or comes
    /// back; nil when the plan scrapes nothing.
    convenience init?(_ options: ScrapeOptions) {
        guard !options.urls.isEmpty else { return nil }
        self.init(urls: options.urls, series: options.series.compactMap(SeriesSelector.init)) { line in
            FileHandle.standardError.write(Data("stampede: \(line)\n".utf8))
        }
    }
}
