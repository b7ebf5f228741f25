import StampedeMetrics

/// How a distributed run's load was spread: each worker's own metrics, each worker tag's
/// (all workers tagged `region=eu` together), and how well the workers started together.
public struct DistributedBreakdown: Sendable {
    /// What the breakdown keeps of a worker's metrics: only what it shows, so a coordinator
    /// of many workers keeps one trend per worker, not all of them.
    public struct Totals: Sendable {
        public private(set) var requests: UInt64 = 0
        public private(set) var iterations: UInt64 = 0
        public private(set) var duration = Trend()
        public private(set) var failed = Rate()

        public init() {}

        /// Adds a span of the worker's metrics.
        public mutating func add(_ metrics: MetricSet) {
            requests &+= metrics[BuiltinMetrics.httpReqs]
            iterations &+= metrics[BuiltinMetrics.iterations]
            duration.merge(metrics[BuiltinMetrics.httpReqDuration])
            failed.merge(metrics[BuiltinMetrics.httpReqFailed])
        }

        /// Adds another worker's.
        public mutating func add(_ other: Totals) {
            requests &+= other.requests
            iterations &+= other.iterations
            duration.merge(other.duration)
            failed.merge(other.failed)
        }
    }

    /// One worker, or one tag value over the workers that carry it.
    public struct Part: Sendable {
        /// The worker's name, or `KEY=VALUE` for a tag.
        public let name: String
        public let tags: [String: String]
        public let totals: Totals
        /// False for a worker that was lost before it finished.
        public let completed: Bool

        public init(name: String, tags: [String: String], totals: Totals, completed: Bool = true) {
            self.name = name
            self.tags = tags
            self.totals = totals
            self.completed = completed
        }

        /// The figures every report shows per worker and per tag, times in milliseconds.
        public var figures: Figures {
            Figures(
                requests: totals.requests, iterations: totals.iterations,
                p95Milliseconds: totals.duration.percentile(95) / 1000, p99Milliseconds: totals.duration.percentile(99) / 1000,
                failedRate: totals.failed.value)
        }
    }

    public struct Figures: Sendable {
        public let requests: UInt64
        public let iterations: UInt64
        public let p95Milliseconds: Double
        public let p99Milliseconds: Double
        public let failedRate: Double
    }

    /// summary.json's `stampede.distributed` section.
    var document: [String: Any] {
        func part(_ part: Part) -> [String: Any] {
            let figures = part.figures
            return [
                "name": part.name, "tags": part.tags, "completed": part.completed, "http_reqs": figures.requests,
                "iterations": figures.iterations, "http_req_duration_p95_ms": figures.p95Milliseconds,
                "http_req_duration_p99_ms": figures.p99Milliseconds, "http_req_failed_rate": figures.failedRate,
                // The whole latency distribution, so a reader can check the merge or re-merge.
                "http_req_duration_hdr": HistogramEncoding.base64(part.totals.duration.histogram),
            ]
        }
        return ["startSkewMs": startSkewMilliseconds, "workers": workers.map(part), "tags": tags.map(part)]
    }

    public let workers: [Part]
    public let tags: [Part]
    /// The spread of the workers' load start times, in milliseconds.
    public let startSkewMilliseconds: Double

    public init(workers: [Part], startSkewMilliseconds: Double) {
        self.workers = workers
        self.startSkewMilliseconds = startSkewMilliseconds
        var byTag: [String: Part] = [:]
        for worker in workers {
            for (key, value) in worker.tags {
                let name = "\(key)=\(value)"
                var totals = worker.totals
                if let earlier = byTag[name]?.totals { totals.add(earlier) }
                byTag[name] = Part(name: name, tags: [key: value], totals: totals)
            }
        }
        tags = byTag.keys.sorted().map { byTag[$0]! }
    }
}
