import StampedeDSL

/// Splits a test into per-worker segments. Each scenario is spread over as many workers as
/// it has VUs (at most all of them), so every segment gets at least one VU, and the shares
/// of VUs and iterations add up to the scenario's totals exactly.
enum Planner {
    struct Assignment {
        let scenario: Scenario
        let worker: Int
        let segment: ExecutionSegment
    }

    static func assign(_ scenarios: [Scenario], workers: Int) -> [Assignment] {
        scenarios.flatMap { scenario in
            let count = max(1, min(workers, scenario.executor.maxVUs))
            return ExecutionSegment.split(into: count).enumerated().map {
                Assignment(scenario: scenario, worker: $0.offset, segment: $0.element)
            }
        }
    }
}
