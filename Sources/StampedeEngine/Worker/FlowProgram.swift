import StampedeDSL
import StampedeMetrics

/// A scenario's flow flattened into instructions that a VU steps through by index: requests
/// and pauses, group markers, code, and jumps for branches and loops. Compiled once per run
/// and shared read-only by every worker.
struct FlowProgram: @unchecked Sendable {
    enum Instruction {
        case request(RequestProgram)
        /// Requests sent at once; the step ends when the last response is in.
        case batch([RequestProgram])
        case think(ThinkTime)
        case enterGroup
        /// Ends the group whose samples carry `MetricRegistry.tagSets[tags]`.
        case leaveGroup(tags: Int32)
        /// Code, and where the values it records go.
        case code(CodeStep, CustomMetricRoutes)
        /// Go on if the condition holds, else jump.
        case jumpUnless(Condition, to: Int)
        case jump(to: Int)
        /// Sets loop counter `counter` to `count`, or jumps to `exit` when `count` is 0.
        case loopStart(counter: Int, count: Int, exit: Int)
        /// Counts one pass; jumps back to `bodyStart` while passes remain.
        case loopEnd(counter: Int, bodyStart: Int)
    }

    private(set) var instructions: [Instruction] = []
    private(set) var loopCounters = 0

    /// Compiles `steps` of the scenario tagged `tags`, registering their checks in `registry`.
    init(_ steps: [Step], baseURL: String?, tags: [String: String], settings: HTTPSettings, registry: inout MetricRegistry) throws(PlanError) {
        self.settings = settings
        try emit(steps, groupPath: "", baseURL: baseURL, tags: tags, registry: &registry)
    }

    private let settings: HTTPSettings

    private mutating func emit(
        _ steps: [Step], groupPath: String, baseURL: String?, tags: [String: String], registry: inout MetricRegistry
    ) throws(PlanError) {
        // What requests and code record here is tagged with the group they stand in.
        let stepTags = tags.merging(["group": groupPath]) { $1 }
        for step in steps {
            switch step {
            case .request(let spec):
                instructions.append(.request(try RequestProgram(spec, baseURL: baseURL, groupPath: groupPath, tags: stepTags, settings: settings, registry: &registry)))
            case .batch(let specs):
                var requests: [RequestProgram] = []
                for spec in specs {
                    requests.append(try RequestProgram(spec, baseURL: baseURL, groupPath: groupPath, tags: stepTags, settings: settings, registry: &registry))
                }
                instructions.append(.batch(requests))
            case .think(let time):
                instructions.append(.think(time))
            case .group(let name, let inner):
                instructions.append(.enterGroup)
                try emit(inner, groupPath: groupPath + "::" + name, baseURL: baseURL, tags: tags, registry: &registry)
                instructions.append(.leaveGroup(tags: registry.tagSet(tags.merging(["group": groupPath + "::" + name]) { $1 })))
            case .code(let code):
                instructions.append(.code(code, CustomMetricRoutes(tags: stepTags, registry: &registry)))
            case .branch(let condition, let then, let otherwise):
                let test = instructions.count
                instructions.append(.jump(to: -1))
                try emit(then, groupPath: groupPath, baseURL: baseURL, tags: tags, registry: &registry)
                let skipElse = instructions.count
                if !otherwise.isEmpty { instructions.append(.jump(to: -1)) }
                instructions[test] = .jumpUnless(condition, to: instructions.count)
                try emit(otherwise, groupPath: groupPath, baseURL: baseURL, tags: tags, registry: &registry)
                if !otherwise.isEmpty { instructions[skipElse] = .jump(to: instructions.count) }
            case .loop(let count, let body):
                let counter = loopCounters
                loopCounters += 1
                let start = instructions.count
                instructions.append(.jump(to: -1))
                try emit(body, groupPath: groupPath, baseURL: baseURL, tags: tags, registry: &registry)
                instructions.append(.loopEnd(counter: counter, bodyStart: start + 1))
                instructions[start] = .loopStart(counter: counter, count: count, exit: instructions.count)
            }
        }
    }
}
