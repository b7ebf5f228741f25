import StampedeDSL

/// Splits this process's segment of a test (the whole test, or a remote worker's part) into
/// per-thread segments. Each scenario is spread over as many threads as the segment has VUs
/// of it (at most all of them), so every thread gets at least one VU, and the shares of VUs
/// and iterations add up to the segment's exactly.
enum Planner {
    struct Assignment {
        let scenario: Scenario
        let worker: Int
        let segment: ExecutionSegment
    }

    static func assign(_ scenarios: [Scenario], workers: Int, within segment: ExecutionSegment = .full) -> [Assignment] {
        scenarios.flatMap { scenario in
            let count = max(1, min(workers, segment.share(of: scenario.executor.maxVUs)))
            return segment.split(into: count).enumerated().map {
                Assignment(scenario: scenario, worker: $0.offset, segment: $0.element)
            }
        }
    }
}
