import Foundation
internal import Yams

/// Reads a test plan from a YAML or JSON file (JSON is YAML), so a CI stage can change load
/// without recompiling. The schema is docs/plan-files.md; every mistake is reported as one
/// line naming the file, the line and the key path: `plan.yaml:12: scenarios.browse.vus:
/// expected a whole number, got 'ten'`. Custom code steps need Swift and have no form here.
public enum PlanFile {
    public static func load(_ path: String) throws(PlanError) -> TestPlan {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let absolute = URL(fileURLWithPath: path).standardized.path
            throw PlanError(FileManager.default.fileExists(atPath: path)
                ? "\(path): cannot be read as UTF-8 text"
                : "\(path): no such file (looked for \(absolute))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(PlanError) -> TestPlan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PlanError("\(file): the file is empty") }
            root = node
        } catch let error as PlanError {
            throw error
        } catch let YamlError.scanner(_, problem, mark, _), let YamlError.parser(_, problem, mark, _) {
            throw PlanError("\(file):\(mark.line): not valid YAML or JSON: \(problem)")
        } catch {
            throw PlanError("\(file): not valid YAML or JSON: \(error)")
        }
        var reader = PlanReader(file: file)
        return try reader.plan(PlanNode(node: root, path: ""))
    }
}

/// A node of the plan file with the key path that leads to it, for error messages.
struct PlanNode {
    let node: Node
    let path: String

    var line: Int { node.mark?.line ?? 0 }

    func child(_ key: String, _ node: Node) -> PlanNode {
        PlanNode(node: node, path: path.isEmpty ? key : "\(path).\(key)")
    }
}

private struct PlanReader {
    let file: String
    /// The custom metrics the file declares, by name: what its `record` steps may name.
    var metrics: [String: MetricDeclaration] = [:]

    func fail(_ at: PlanNode, _ message: String) -> PlanError {
        PlanError("\(file):\(at.line): \(at.path.isEmpty ? "" : "\(at.path): ")\(message)")
    }

    // MARK: Typed values

    func mapping(_ at: PlanNode, allowed: [String]) throws(PlanError) -> [String: PlanNode] {
        guard case .mapping(let mapping) = at.node else { throw fail(at, "expected a mapping of keys (\(allowed.joined(separator: ", ")))") }
        var result: [String: PlanNode] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let child = at.child(key, value)
            guard allowed.contains(key) else {
                throw PlanError("\(file):\(keyNode.mark?.line ?? at.line): \(child.path): unknown key '\(key)'; expected one of: \(allowed.joined(separator: ", "))")
            }
            result[key] = child
        }
        return result
    }

    func required(_ values: [String: PlanNode], _ key: String, in at: PlanNode) throws(PlanError) -> PlanNode {
        guard let value = values[key] else { throw fail(at, "missing key '\(key)'") }
        return value
    }

    func string(_ at: PlanNode) throws(PlanError) -> String {
        guard case .scalar(let scalar) = at.node else { throw fail(at, "expected text") }
        return scalar.string
    }

    func bool(_ at: PlanNode) throws(PlanError) -> Bool {
        guard case .scalar = at.node, let value = at.node.bool else { throw fail(at, "expected true or false") }
        return value
    }

    func int(_ at: PlanNode) throws(PlanError) -> Int {
        guard case .scalar = at.node, let value = at.node.int else { throw fail(at, "expected a whole number, got '\(describe(at))'") }
        return value
    }

    func duration(_ at: PlanNode) throws(PlanError) -> Duration {
        guard case .scalar(let scalar) = at.node, let value = Duration(parsing: scalar.string) else {
            throw fail(at, "expected a duration such as 500ms, 30s or 1m30s, got '\(describe(at))'")
        }
        return value
    }

    func sequence(_ at: PlanNode) throws(PlanError) -> [PlanNode] {
        guard case .sequence(let sequence) = at.node else { throw fail(at, "expected a list") }
        return sequence.enumerated().map { PlanNode(node: $0.element, path: "\(at.path)[\($0.offset)]") }
    }

    func stringMap(_ at: PlanNode) throws(PlanError) -> [String: String] {
        guard case .mapping(let mapping) = at.node else { throw fail(at, "expected a mapping of names to text") }
        var result: [String: String] = [:]
        for (key, value) in mapping { result[key.string ?? ""] = try string(at.child(key.string ?? "", value)) }
        return result
    }

    /// A YAML body as JSON's values. Not Yams's `Node.any`: it stops the process on a mapping
    /// key that is not text, `{[a]: 1}` (found by fuzzing, Fuzz/regressions/plan-yaml).
    func jsonValue(_ at: PlanNode) throws(PlanError) -> Any {
        switch at.node {
        case .scalar: return at.node.any
        case .sequence(let sequence):
            var values: [Any] = []
            for (index, item) in sequence.enumerated() { values.append(try jsonValue(PlanNode(node: item, path: "\(at.path)[\(index)]"))) }
            return values
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else { throw fail(at, "a JSON object's keys are text, not \(describe(PlanNode(node: key, path: at.path)))") }
                object[scalar.string] = try jsonValue(at.child(scalar.string, value))
            }
            return object
        case .alias: throw fail(at, "cannot be written as JSON")
        }
    }

    func describe(_ at: PlanNode) -> String {
        switch at.node {
        case .scalar(let scalar): scalar.string
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    // MARK: The plan

    mutating func plan(_ root: PlanNode) throws(PlanError) -> TestPlan {
        let keys = try mapping(root, allowed: ["name", "description", "metrics", "scenarios", "setup", "teardown", "thresholds", "http", "scrape"])
        // Declarations first: the steps' `record`s are checked against them as they are read.
        let declared = try keys["metrics"].map { node throws(PlanError) in try metricDeclarations(node) } ?? []
        metrics = Dictionary(declared.map { ($0.name, $0) }) { first, _ in first }
        let scenariosNode = try required(keys, "scenarios", in: root)
        guard case .mapping(let scenarioMap) = scenariosNode.node, !scenarioMap.isEmpty else {
            throw fail(scenariosNode, "expected a mapping of scenario names to scenarios")
        }
        var scenarios: [Scenario] = []
        for (key, value) in scenarioMap {
            scenarios.append(try scenario(named: key.string ?? "", scenariosNode.child(key.string ?? "", value)))
        }
        let name = try keys["name"].map { node throws(PlanError) in try string(node) }
            ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var plan = TestPlan(
            name, description: try keys["description"].map { node throws(PlanError) in try string(node) } ?? "",
            scenarios: scenarios,
            setup: try keys["setup"].map { node throws(PlanError) in try steps(node) } ?? [],
            teardown: try keys["teardown"].map { node throws(PlanError) in try steps(node) } ?? [],
            thresholds: try keys["thresholds"].map { node throws(PlanError) in try thresholds(node) } ?? [],
            metrics: declared)
        if let node = keys["http"] { plan.http = try http(node) }
        if let node = keys["scrape"] { plan.scrape = try scrape(node) }
        do {
            try plan.validate()
        } catch {
            throw PlanError("\(file): \(error.message)")
        }
        return plan
    }

    /// `scrape: {urls: [...], series: [...]}`; a single URL or name may stand without a list.
    func scrape(_ at: PlanNode) throws(PlanError) -> ScrapeOptions {
        let keys = try mapping(at, allowed: ["urls", "series"])
        func strings(_ key: String) throws(PlanError) -> [String] {
            guard let node = keys[key] else { return [] }
            if case .scalar = node.node { return [try string(node)] }
            var values: [String] = []
            for item in try sequence(node) { values.append(try string(item)) }
            return values
        }
        return ScrapeOptions(urls: try strings("urls"), series: try strings("series"))
    }

    func http(_ at: PlanNode) throws(PlanError) -> HTTPOptions {
        let keys = try mapping(at, allowed: [
            "version", "insecureSkipTLSVerify", "caFile", "clientCert", "clientKey", "minTLSVersion", "resolve", "maxRedirects",
            "noConnectionReuse", "noVUConnectionReuse", "streamsPerConnection", "connectionsPerHost", "compression", "userAgent",
            "connectionScope", "serverName",
        ])
        func flag(_ key: String) throws(PlanError) -> Bool? {
            try keys[key].map { node throws(PlanError) in try bool(node) }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(PlanError) -> T? where T.RawValue == String {
            guard let node = keys[key] else { return nil }
            let text = try string(node)
            guard let value = T(rawValue: text) else {
                throw fail(node, "expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            return value
        }
        var options = HTTPOptions()
        if let version = try choice("version", HTTPOptions.Version.self) { options.version = version }
        if let skip = try flag("insecureSkipTLSVerify") { options.insecureSkipTLSVerify = skip }
        if let node = keys["caFile"] { options.caFile = try string(node) }
        if let node = keys["clientCert"] { options.clientCertificate = try string(node) }
        if let node = keys["clientKey"] { options.clientKey = try string(node) }
        if let version = try choice("minTLSVersion", HTTPOptions.TLSVersion.self) { options.minTLSVersion = version }
        if let node = keys["resolve"] { options.resolve = try sequence(node).map { item throws(PlanError) in try string(item) } }
        if let node = keys["maxRedirects"] { options.maxRedirects = try int(node) }
        if let reuse = try flag("noConnectionReuse") { options.noConnectionReuse = reuse }
        if let reuse = try flag("noVUConnectionReuse") { options.noVUConnectionReuse = reuse }
        if let node = keys["streamsPerConnection"] { options.streamsPerConnection = try int(node) }
        if let node = keys["connectionsPerHost"] { options.connectionsPerHost = try int(node) }
        if let compression = try flag("compression") { options.compression = compression }
        if let node = keys["userAgent"] { options.userAgent = try string(node) }
        if let scope = try choice("connectionScope", HTTPOptions.ConnectionScope.self) { options.connectionScope = scope }
        if let node = keys["serverName"] { options.serverName = try string(node) }
        return options
    }

    /// k6's form: `{metric: [expression, {threshold: expression, abortOnFail: true, delayAbortEval: 10s}]}`.
    func thresholds(_ at: PlanNode) throws(PlanError) -> [Threshold] {
        guard case .mapping(let entries) = at.node else { throw fail(at, "expected a mapping of metrics to lists of thresholds") }
        var result: [Threshold] = []
        for (key, value) in entries {
            let metricNode = at.child(key.string ?? "", value)
            let items: [PlanNode] = if case .sequence = value { try sequence(metricNode) } else { [metricNode] }
            for item in items {
                do {
                    if case .scalar = item.node {
                        result.append(try Threshold(key.string ?? "", try string(item)))
                    } else {
                        let fields = try mapping(item, allowed: ["threshold", "abortOnFail", "delayAbortEval"])
                        let abort = try fields["abortOnFail"].map { node throws(PlanError) in try bool(node) } ?? false
                        result.append(try Threshold(
                            key.string ?? "", try string(try required(fields, "threshold", in: item)), abortOnFail: abort,
                            delayAbortEval: try fields["delayAbortEval"].map { node throws(PlanError) in try duration(node) } ?? .zero))
                    }
                } catch let error where !error.message.hasPrefix(file) {
                    throw fail(item, error.message)
                }
            }
        }
        return result
    }

    /// `{NAME: TYPE}` or `{NAME: {type: trend, time: true}}`, in the file's order.
    func metricDeclarations(_ at: PlanNode) throws(PlanError) -> [MetricDeclaration] {
        let types = MetricDeclaration.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .mapping(let entries) = at.node else { throw fail(at, "expected a mapping of metric names to types (\(types))") }
        var result: [MetricDeclaration] = []
        for (key, value) in entries {
            let node = at.child(key.string ?? "", value)
            var typeNode = node
            var isTime = false
            if case .mapping = value {
                let fields = try mapping(node, allowed: ["type", "time"])
                typeNode = try required(fields, "type", in: node)
                isTime = try fields["time"].map { node throws(PlanError) in try bool(node) } ?? false
            }
            let type = try string(typeNode)
            guard let kind = MetricDeclaration.Kind(rawValue: type) else {
                throw fail(typeNode, "unknown metric type '\(type)'; expected one of: \(types)")
            }
            let declaration = MetricDeclaration(key.string ?? "", kind, isTime: isTime)
            do {
                try declaration.validate()
            } catch {
                throw fail(node, error.message)
            }
            result.append(declaration)
        }
        return result
    }

    private static let executorKeys: [String: [String]] = [
        "constant-vus": ["vus", "duration"],
        "ramping-vus": ["startVUs", "stages", "gracefulRampDown"],
        "per-vu-iterations": ["vus", "iterations", "maxDuration"],
        "shared-iterations": ["vus", "iterations", "maxDuration"],
        "constant-arrival-rate": ["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"],
        "ramping-arrival-rate": ["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"],
    ]
    private static let scenarioKeys = ["executor", "description", "flow", "startTime", "pacing", "tags", "env", "feeder", "gracefulStop"]

    func scenario(named name: String, _ at: PlanNode) throws(PlanError) -> Scenario {
        guard case .mapping(let entries) = at.node else { throw fail(at, "expected a scenario (executor, its options, flow)") }
        // The executor decides which other keys are allowed, so it is read first.
        guard let executorNode = entries.first(where: { $0.key.string == "executor" }).map({ at.child("executor", $0.value) }) else {
            throw fail(at, "missing key 'executor'")
        }
        let executorName = try string(executorNode)
        guard let options = Self.executorKeys[executorName] else {
            throw fail(executorNode, "unknown executor '\(executorName)'; expected one of: \(Self.executorKeys.keys.sorted().joined(separator: ", "))")
        }
        let keys = try mapping(at, allowed: Self.scenarioKeys + options)
        var scenario = Scenario(name, description: "", executor: try executor(executorName, keys, at)) {}
        scenario.flow = try steps(try required(keys, "flow", in: at))
        if let node = keys["description"] { scenario.description = try string(node) }
        if let node = keys["startTime"] { scenario.startTime = try duration(node) }
        if let node = keys["pacing"] { scenario.pacing = try duration(node) }
        if let node = keys["tags"] { scenario.tags = try stringMap(node) }
        if let node = keys["env"] { scenario.env = try stringMap(node) }
        if let node = keys["feeder"] { scenario.feeder = try feeder(node) }
        return scenario
    }

    func executor(_ name: String, _ keys: [String: PlanNode], _ at: PlanNode) throws(PlanError) -> Executor {
        func int(_ key: String, default value: Int? = nil) throws(PlanError) -> Int {
            if let node = keys[key] { return try self.int(node) }
            if let value { return value }
            throw fail(at, "missing key '\(key)' for \(name)")
        }
        func duration(_ key: String, default value: Duration? = nil) throws(PlanError) -> Duration {
            if let node = keys[key] { return try self.duration(node) }
            if let value { return value }
            throw fail(at, "missing key '\(key)' for \(name)")
        }
        let gracefulStop = try duration("gracefulStop", default: .seconds(30))
        switch name {
        case "constant-vus":
            return .constantVUs(try int("vus"), duration: try duration("duration"), gracefulStop: gracefulStop)
        case "ramping-vus":
            return .rampingVUs(
                startVUs: try int("startVUs", default: 1), stages: try stages(try required(keys, "stages", in: at)),
                gracefulRampDown: try duration("gracefulRampDown", default: .seconds(30)), gracefulStop: gracefulStop)
        case "per-vu-iterations":
            return .perVUIterations(try int("vus", default: 1), iterations: try int("iterations", default: 1),
                                    maxDuration: try duration("maxDuration", default: .seconds(600)), gracefulStop: gracefulStop)
        case "shared-iterations":
            return .sharedIterations(try int("vus", default: 1), iterations: try int("iterations", default: 1),
                                     maxDuration: try duration("maxDuration", default: .seconds(600)), gracefulStop: gracefulStop)
        case "constant-arrival-rate":
            let pre = try int("preAllocatedVUs")
            return .constantArrivalRate(
                try int("rate"), timeUnit: try duration("timeUnit", default: .seconds(1)), duration: try duration("duration"),
                preAllocatedVUs: pre, maxVUs: try int("maxVUs", default: pre), gracefulStop: gracefulStop)
        default:
            let pre = try int("preAllocatedVUs")
            return .rampingArrivalRate(
                startRate: try int("startRate", default: 0), timeUnit: try duration("timeUnit", default: .seconds(1)),
                stages: try stages(try required(keys, "stages", in: at)), preAllocatedVUs: pre,
                maxVUs: try int("maxVUs", default: pre), gracefulStop: gracefulStop)
        }
    }

    func stages(_ at: PlanNode) throws(PlanError) -> [Stage] {
        let items = try sequence(at)
        guard !items.isEmpty else { throw fail(at, "expected at least one stage") }
        var result: [Stage] = []
        for item in items {
            let keys = try mapping(item, allowed: ["duration", "target"])
            result.append(Stage(try duration(try required(keys, "duration", in: item)), target: try int(try required(keys, "target", in: item))))
        }
        return result
    }

    func feeder(_ at: PlanNode) throws(PlanError) -> Feeder {
        let keys = try mapping(at, allowed: ["file", "strategy"])
        let path = try string(try required(keys, "file", in: at))
        var strategy = Feeder.Strategy.circular
        if let node = keys["strategy"] {
            let text = try string(node)
            guard let chosen = Feeder.Strategy(rawValue: text) else {
                throw fail(node, "unknown strategy '\(text)'; expected one of: \(Feeder.Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            strategy = chosen
        }
        let isJSON = path.lowercased().hasSuffix(".json")
        guard isJSON || path.lowercased().hasSuffix(".csv") else { throw fail(at, "feeder file '\(path)' must end in .csv or .json") }
        return Feeder(isJSON ? .json(path) : .csv(path), strategy: strategy)
    }

    // MARK: Steps

    private static let methods = ["get", "post", "put", "patch", "delete", "head", "options"]
    private static let requestKeys = ["name", "headers", "json", "body", "form", "multipart", "checks", "extract", "expect", "timeout"]

    func steps(_ at: PlanNode) throws(PlanError) -> [Step] {
        var result: [Step] = []
        for item in try sequence(at) { result.append(try step(item)) }
        return result
    }

    func step(_ at: PlanNode) throws(PlanError) -> Step {
        guard case .mapping(let entries) = at.node, let first = entries.first?.key.string else {
            throw fail(at, "expected a step: a request (get: /path, post: /path, …), batch, think, group, if, repeat or record")
        }
        if Self.methods.contains(first) {
            let keys = try mapping(at, allowed: [first] + Self.requestKeys)
            return .request(try request(method: first.uppercased(), url: try string(keys[first]!), keys, at))
        }
        switch first {
        case "batch":
            let keys = try mapping(at, allowed: ["batch"])
            var requests: [RequestSpec] = []
            for item in try sequence(keys["batch"]!) {
                guard case .request(let spec) = try step(item) else { throw fail(item, "a batch holds requests only") }
                requests.append(spec)
            }
            return .batch(requests)
        case "think":
            let keys = try mapping(at, allowed: ["think"])
            return .think(try think(keys["think"]!))
        case "group":
            let keys = try mapping(at, allowed: ["group", "steps"])
            return .group(try string(keys["group"]!), try steps(try required(keys, "steps", in: at)))
        case "if":
            let keys = try mapping(at, allowed: ["if", "then", "else"])
            return .branch(
                try condition(keys["if"]!), then: try steps(try required(keys, "then", in: at)),
                otherwise: try keys["else"].map { node throws(PlanError) in try steps(node) } ?? [])
        case "repeat":
            let keys = try mapping(at, allowed: ["repeat", "steps"])
            return .loop(count: try int(keys["repeat"]!), body: try steps(try required(keys, "steps", in: at)))
        case "record":
            let keys = try mapping(at, allowed: ["record", "value"])
            return try record(keys["record"]!, value: try required(keys, "value", in: at))
        default:
            throw fail(at.child(first, at.node), "unknown step '\(first)'; expected one of: \((Self.methods + ["batch", "think", "group", "if", "repeat", "record"]).joined(separator: ", "))")
        }
    }

    /// A code step that records `value`, a template, in a declared custom metric.
    func record(_ metricNode: PlanNode, value valueNode: PlanNode) throws(PlanError) -> Step {
        let name = try string(metricNode)
        guard let metric = metrics[name] else {
            let known = metrics.isEmpty ? "none is declared" : "declared: \(metrics.keys.sorted().joined(separator: ", "))"
            throw fail(metricNode, "unknown metric '\(name)'; a record step names a metric of the plan's metrics: (\(known))")
        }
        let text = try string(valueNode)
        guard let template = Template(text) else { throw fail(valueNode, "unclosed '{{' in '\(text)'") }
        if template.isStatic {
            guard let value = metric.value(parsing: text) else { throw fail(valueNode, "expected \(metric.valueDescription), got '\(text)'") }
            return .code(CodeStep("record \(name)") { $0.record(value, in: metric) })
        }
        // A templated value is known only as the step runs: one that is not a value of the
        // metric (say, an extraction that failed, which renders empty) records nothing.
        return .code(CodeStep("record \(name)") { context in
            if let value = metric.value(parsing: template.render(context)) { context.record(value, in: metric) }
        })
    }

    func request(method: String, url: String, _ keys: [String: PlanNode], _ at: PlanNode) throws(PlanError) -> RequestSpec {
        var spec = RequestSpec(method: method, url: url)
        if let node = keys["name"] { spec.name = try string(node) }
        if let node = keys["headers"] { spec.headers = try stringMap(node).sorted { $0.key < $1.key }.map { Header($0.key, $0.value) } }
        let bodies = ["json", "body", "form", "multipart"].filter { keys[$0] != nil }
        guard bodies.count <= 1 else { throw fail(at, "give one of json, body, form and multipart, not \(bodies.joined(separator: " and "))") }
        if let node = keys["multipart"] {
            spec.multipart = []
            for item in try sequence(node) {
                let fields = try mapping(item, allowed: ["field", "value", "file", "path", "filename", "contentType"])
                if let name = fields["field"] {
                    spec.multipart?.append(.field(name: try string(name), value: try string(try required(fields, "value", in: item))))
                } else if let name = fields["file"] {
                    spec.multipart?.append(.file(
                        name: try string(name), path: try string(try required(fields, "path", in: item)),
                        filename: try fields["filename"].map { node throws(PlanError) in try string(node) },
                        contentType: try fields["contentType"].map { node throws(PlanError) in try string(node) } ?? "application/octet-stream"))
                } else {
                    throw fail(item, "a part is {field: NAME, value: TEXT} or {file: NAME, path: PATH}")
                }
            }
        }
        if let node = keys["json"] {
            spec.headers.insert(Header("Content-Type", "application/json"), at: 0)
            if case .scalar(let scalar) = node.node {
                spec.body = Array(scalar.string.utf8)
            } else {
                let value = try jsonValue(node)
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                    throw fail(node, "cannot be written as JSON")
                }
                spec.body = Array(data)
            }
        }
        if let node = keys["body"] { spec.body = Array(try string(node).utf8) }
        if let node = keys["form"] {
            let pairs = try stringMap(node).sorted { $0.key < $1.key }
            spec.headers.insert(Header("Content-Type", "application/x-www-form-urlencoded"), at: 0)
            spec.body = Array(pairs.map { "\(formEncode($0.key))=\(formEncode($0.value))" }.joined(separator: "&").utf8)
        }
        if let node = keys["expect"] { spec.expectedStatuses = try statusRange(node) }
        if let node = keys["timeout"] { spec.timeout = try duration(node) }
        if let node = keys["checks"] {
            for item in try sequence(node) { spec.checks.append(try check(item)) }
        }
        if let node = keys["extract"] {
            guard case .mapping(let mapping) = node.node else { throw fail(node, "expected a mapping of variable names to sources") }
            for (key, value) in mapping {
                let variable = key.string ?? ""
                spec.extractions.append(Extraction(variable, from: try extractionSource(node.child(variable, value))))
            }
        }
        return spec
    }

    func statusRange(_ at: PlanNode) throws(PlanError) -> ClosedRange<Int> {
        let text = try string(at)
        let parts = text.split(separator: "-").map { Int(String($0).trimmingSpaces) }
        if parts.count == 1, let single = parts[0] { return single...single }
        if parts.count == 2, let low = parts[0], let high = parts[1], low <= high { return low...high }
        throw fail(at, "expected a status or a range such as 200-299, got '\(text)'")
    }

    func think(_ at: PlanNode) throws(PlanError) -> ThinkTime {
        if case .scalar = at.node { return .fixed(try duration(at)) }
        let keys = try mapping(at, allowed: ["between", "exponential"])
        if let node = keys["between"] {
            let bounds = try sequence(node)
            guard bounds.count == 2 else { throw fail(node, "expected two durations: [low, high]") }
            return .uniform(try duration(bounds[0]), try duration(bounds[1]))
        }
        if let node = keys["exponential"] { return .exponential(mean: try duration(node)) }
        throw fail(at, "expected a duration, {between: [low, high]} or {exponential: mean}")
    }

    func condition(_ at: PlanNode) throws(PlanError) -> Condition {
        let keys = try mapping(at, allowed: ["var", "equals"])
        let variable = try string(try required(keys, "var", in: at))
        return try keys["equals"].map { node throws(PlanError) in .equals(variable, try string(node)) } ?? .isSet(variable)
    }

    func check(_ at: PlanNode) throws(PlanError) -> Check {
        let kinds = ["status", "statusIn", "bodyContains", "header", "json", "durationBelow", "proto"]
        let keys = try mapping(at, allowed: ["name"] + kinds)
        let given = kinds.filter { keys[$0] != nil }
        guard given.count == 1, let kind = given.first, let node = keys[kind] else {
            throw fail(at, "a check needs exactly one of: \(kinds.joined(separator: ", "))")
        }
        let condition: CheckCondition
        switch kind {
        case "status": condition = .status(try int(node))
        case "statusIn": condition = .statusIn(try statusRange(node))
        case "bodyContains": condition = .bodyContains(try string(node))
        case "durationBelow": condition = .durationBelow(try duration(node))
        case "proto": condition = .proto(try string(node))
        default:
            let fields = try mapping(node, allowed: [kind == "header" ? "name" : "path", "equals"])
            let subject = try string(try required(fields, kind == "header" ? "name" : "path", in: node))
            let expected = try fields["equals"].map { node throws(PlanError) in try string(node) }
            condition = kind == "header" ? .header(subject, equals: expected) : .jsonField(subject, equals: expected)
        }
        return Check(try keys["name"].map { node throws(PlanError) in try string(node) }, condition)
    }

    func extractionSource(_ at: PlanNode) throws(PlanError) -> ExtractionSource {
        let keys = try mapping(at, allowed: ["json", "header", "regex"])
        guard keys.count == 1, let (kind, node) = keys.first else { throw fail(at, "expected one of: json, header, regex") }
        let value = try string(node)
        switch kind {
        case "json": return .jsonField(value)
        case "header": return .header(value)
        default: return .regex(value)
        }
    }
}
