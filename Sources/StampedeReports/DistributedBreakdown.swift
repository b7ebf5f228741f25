import StampedeMetrics

/// How a distributed run's load was spread: each worker's own metrics, each worker tag's
/// (all workers tagged `region=eu` together), and how well the workers started together.
public struct DistributedBreakdown: Sendable {
    /// One worker, or one tag value over the workers that carry it.
    public struct Part: Sendable {
        /// The worker's name, or `KEY=VALUE` for a tag.
        public let name: String
        public let tags: [String: String]
        public let totals: MetricSet
        /// False for a worker that was lost before it finished.
        public let completed: Bool

        public init(name: String, tags: [String: String], totals: MetricSet, completed: Bool = true) {
            self.name = name
            self.tags = tags
            self.totals = totals
            self.completed = completed
        }
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
                if let earlier = byTag[name]?.totals { totals.mergeConcurrent(earlier) }
                byTag[name] = Part(name: name, tags: [key: value], totals: totals)
            }
        }
        tags = byTag.keys.sorted().map { byTag[$0]! }
    }
}
