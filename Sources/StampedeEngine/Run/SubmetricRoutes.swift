import StampedeDSL
import StampedeMetrics

/// Which tagged sub-metrics a request, an iteration or a check feeds, worked out once per
/// run from the tags known in advance (scenario, group, name, method, URL, scenario tags),
/// leaving only the response's own tags (status, expected_response) to test per request.
struct SubmetricRoute: Sendable {
    /// The built-in metric whose value the sub-metric takes, and its slot.
    let parent: String
    let parentSlot: Int
    let target: MetricDescriptor
    /// `status:N` in the filter.
    let status: Int?
    /// `expected_response:true|false` in the filter.
    let expectedResponse: Bool?
    /// `proto:HTTP/2.0` in the filter.
    let proto: String?

    /// Whether a finished request with this status, outcome and protocol belongs to the sub-metric.
    @inline(__always)
    func accepts(status actual: Int, expected: Bool, proto actualProto: String) -> Bool {
        (status == nil || status == actual) && (expectedResponse == nil || expectedResponse == expected)
            && (proto == nil || proto == actualProto)
    }
}

enum SubmetricRoutes {
    static let requestMetrics: Set<String> = [
        "http_req_duration", "http_req_latency", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending",
        "http_req_waiting", "http_req_receiving", "http_reqs", "http_req_failed", "data_sent", "data_received",
    ]
    static let iterationMetrics: Set<String> = ["iteration_duration", "iterations"]
    static let checkMetrics: Set<String> = ["checks"]
    /// The built-in metrics a threshold may filter by tags (custom metrics may be filtered too).
    static let taggable = requestMetrics.union(iterationMetrics).union(checkMetrics)

    /// Routes from metrics in `parents` whose static tags all match `tags`.
    static func routes(from parents: Set<String>, tags: [String: String], registry: MetricRegistry) -> [SubmetricRoute] {
        registry.metrics.compactMap { metric in
            guard let parent = metric.parent, parents.contains(parent), metric.name != "http_req_duration{expected_response:true}" else {
                return nil
            }
            var status: Int?
            var expected: Bool?
            var proto: String?
            for (key, value) in metric.tags {
                switch key {
                case "status" where parents == requestMetrics:
                    guard let code = Int(value) else { return nil }
                    status = code
                case "expected_response" where parents == requestMetrics:
                    guard value == "true" || value == "false" else { return nil }
                    expected = value == "true"
                case "proto" where parents == requestMetrics:
                    proto = value
                default:
                    guard tags[key] == value else { return nil }
                }
            }
            guard let parentSlot = registry.metric(named: parent)?.slot else { return nil }
            return SubmetricRoute(
                parent: parent, parentSlot: parentSlot, target: metric, status: status, expectedResponse: expected, proto: proto)
        }
    }
}

/// Where a code step's recorded values go: each custom metric by name, with the sub-metrics
/// whose tags the step's scenario and group match. Worked out once per run, so recording a
/// value is one lookup and no allocation.
struct CustomMetricRoutes: Sendable {
    struct Entry: Sendable {
        let kind: MetricKind
        /// The metric's slot, then its matching sub-metrics' slots.
        let slots: [Int]
        /// The metric's index in `MetricRegistry.metrics`, for its samples.
        let index: Int32
    }

    let byName: [String: Entry]
    /// The tags of the step's samples: `MetricRegistry.tagSets[sampleTags]`.
    let sampleTags: Int32

    /// The routes of a code step whose static tags (scenario, group, the scenario's own)
    /// are `tags`.
    init(tags: [String: String], registry: inout MetricRegistry) {
        sampleTags = registry.tagSet(tags)
        let custom = registry.customMetrics
        let submetrics = SubmetricRoutes.routes(from: Set(custom.map(\.name)), tags: tags, registry: registry)
        byName = Dictionary(uniqueKeysWithValues: custom.map { metric in
            let slots = [metric.slot] + submetrics.filter { $0.parent == metric.name }.map(\.target.slot)
            return (metric.name, Entry(kind: metric.kind, slots: slots, index: Int32(registry.metrics.firstIndex(of: metric)!)))
        })
    }
}
