/// Shrinks (or grows) a plan, so a full-size test runs in CI in seconds: `load` multiplies
/// VUs, iterations and rates; `time` multiplies every duration (stages, start times, graceful
/// stops, think times, pacing). Counts stay at least 1 where the executor needs one.
extension TestPlan {
    public func scaled(load: Double, time: Double) -> TestPlan {
        var plan = self
        plan.scenarios = scenarios.map { $0.scaled(load: load, time: time) }
        plan.setup = setup.map { $0.scaled(time: time) }
        plan.teardown = teardown.map { $0.scaled(time: time) }
        return plan
    }
}

extension Scenario {
    func scaled(load: Double, time: Double) -> Scenario {
        var copy = self
        copy.executor = executor.scaled(load: load, time: time)
        copy.flow = flow.map { $0.scaled(time: time) }
        copy.startTime = startTime * time
        copy.pacing = pacing.map { $0 * time }
        return copy
    }
}

extension Executor {
    func scaled(load: Double, time: Double) -> Executor {
        func count(_ n: Int, atLeast minimum: Int = 1) -> Int { max(minimum, Int((Double(n) * load).rounded())) }
        func stages(_ stages: [Stage]) -> [Stage] { stages.map { Stage($0.duration * time, target: count($0.target, atLeast: 0)) } }
        switch self {
        case .constantVUs(var e):
            e.vus = count(e.vus)
            e.duration = e.duration * time
            e.gracefulStop = e.gracefulStop * time
            return .constantVUs(e)
        case .rampingVUs(var e):
            e.startVUs = count(e.startVUs, atLeast: 0)
            e.stages = stages(e.stages)
            if !e.stages.contains(where: { $0.target > 0 }) && e.startVUs == 0 { e.stages[e.stages.count - 1].target = 1 }
            e.gracefulRampDown = e.gracefulRampDown * time
            e.gracefulStop = e.gracefulStop * time
            return .rampingVUs(e)
        case .perVUIterations(var e), .sharedIterations(var e):
            e.vus = count(e.vus)
            e.iterations = max(count(e.iterations), isShared ? e.vus : 1)
            e.maxDuration = e.maxDuration * time
            e.gracefulStop = e.gracefulStop * time
            return isShared ? .sharedIterations(e) : .perVUIterations(e)
        case .constantArrivalRate(var e):
            e.rate = count(e.rate)
            e.duration = e.duration * time
            e.preAllocatedVUs = count(e.preAllocatedVUs, atLeast: 0)
            e.maxVUs = max(count(e.maxVUs), e.preAllocatedVUs)
            e.gracefulStop = e.gracefulStop * time
            return .constantArrivalRate(e)
        case .rampingArrivalRate(var e):
            e.startRate = count(e.startRate, atLeast: 0)
            e.stages = stages(e.stages)
            e.preAllocatedVUs = count(e.preAllocatedVUs, atLeast: 0)
            e.maxVUs = max(count(e.maxVUs), e.preAllocatedVUs)
            e.gracefulStop = e.gracefulStop * time
            return .rampingArrivalRate(e)
        }
    }

    private var isShared: Bool {
        if case .sharedIterations = self { return true }
        return false
    }
}

extension Step {
    func scaled(time: Double) -> Step {
        switch self {
        case .request, .batch, .code: self
        case .think(.fixed(let d)): .think(.fixed(d * time))
        case .think(.uniform(let low, let high)): .think(.uniform(low * time, high * time))
        case .think(.exponential(let mean)): .think(.exponential(mean: mean * time))
        case .group(let name, let steps): .group(name, steps.map { $0.scaled(time: time) })
        case .branch(let condition, let then, let otherwise):
            .branch(condition, then: then.map { $0.scaled(time: time) }, otherwise: otherwise.map { $0.scaled(time: time) })
        case .loop(let count, let body): .loop(count: count, body: body.map { $0.scaled(time: time) })
        }
    }
}
