import CCurl
import Foundation
import StampedeDSL
import StampedeMetrics

/// A plan's request ready to send: static parts turned into C values once (`prepared`), and
/// templates kept split for the requests that use VU variables. Immutable and shared by all
/// workers; libcurl only reads what it points to.
final class RequestProgram: @unchecked Sendable {
    let spec: RequestSpec
    /// Set when nothing in the request is templated: sending it allocates nothing.
    let prepared: PreparedRequest?
    let url: Template
    let headers: [(name: String, value: Template)]
    /// The run's default headers (User-Agent, Accept-Encoding) this request does not set itself.
    let defaultHeaders: [(name: String, value: String)]
    let body: Template?
    /// The `group` tag of the request and its checks: `""` or `::checkout`.
    let groupPath: String
    /// Each check's slot in the metric registry, in the order of `spec.checks`.
    let checkSlots: [Int]
    /// Each check's expected text as a template, when it has one (`equals: "{{orderId}}"`).
    let checkTemplates: [Template?]
    /// Regular expressions of `.regex` extractions, compiled once.
    let patterns: [String: NSRegularExpression]
    /// Tagged sub-metrics (named by thresholds) this request feeds.
    let routes: [SubmetricRoute]
    /// For each check, the tagged `checks` sub-metrics it feeds.
    let checkRoutes: [[SubmetricRoute]]
    /// The request's own timeout, if it has one.
    let timeoutMilliseconds: Int?
    /// The static tags of its samples (scenario, group, method, url, name) and of each
    /// check's: indexes into `MetricRegistry.tagSets`.
    let sampleTags: Int32
    let checkSampleTags: [Int32]

    /// - Parameter tags: the tags known before sending: scenario, group and the scenario's own.
    init(
        _ spec: RequestSpec, baseURL: String?, groupPath: String, tags: [String: String], settings: HTTPSettings,
        registry: inout MetricRegistry
    ) throws(PlanError) {
        self.spec = spec
        self.groupPath = groupPath
        timeoutMilliseconds = spec.timeout.map { Int(max(1, $0.nanoseconds / 1_000_000)) }
        checkSlots = spec.checks.map { registry.check(named: $0.name, groupPath: groupPath) }
        checkTemplates = spec.checks.map { check in
            let text: String? = switch check.condition {
            case .bodyContains(let text): text
            case .header(_, let expected), .jsonField(_, let expected): expected
            default: nil
            }
            return text.flatMap { $0.contains("{{") ? Template($0) : nil }
        }
        let resolved = try resolve(spec.url, against: baseURL)
        var requestTags = tags
        requestTags["method"] = spec.method.uppercased()
        requestTags["url"] = resolved
        requestTags["name"] = spec.name ?? resolved
        routes = SubmetricRoutes.routes(from: SubmetricRoutes.requestMetrics, tags: requestTags, registry: registry)
        sampleTags = registry.tagSet(requestTags)
        checkSampleTags = spec.checks.map { registry.tagSet(tags.merging(["check": $0.name]) { $1 }) }
        checkRoutes = spec.checks.map { check in
            SubmetricRoutes.routes(from: SubmetricRoutes.checkMetrics, tags: tags.merging(["check": check.name]) { $1 }, registry: registry)
        }
        guard let url = Template(resolved) else { throw PlanError("unclosed '{{' in '\(spec.url)'") }
        self.url = url
        var headers: [(String, Template)] = []
        if spec.multipart != nil { headers.append(("Content-Type", Template(MultipartBody.contentType)!)) }
        for header in spec.headers {
            guard let value = Template(header.value) else { throw PlanError("unclosed '{{' in header \(header.name)") }
            headers.append((header.name, value))
        }
        self.headers = headers
        let ownNames = Set(headers.map { $0.0.lowercased() })
        defaultHeaders = settings.defaultHeaders.filter { !ownNames.contains($0.name.lowercased()) }
        let bodyText = spec.body.flatMap { String(bytes: $0, encoding: .utf8) }
        body = bodyText.flatMap { $0.contains("{{") ? Template($0) : nil }
        if spec.body != nil, bodyText?.contains("{{") == true, body == nil {
            throw PlanError("unclosed '{{' in the body of \(spec.method) \(spec.url)")
        }
        var patterns: [String: NSRegularExpression] = [:]
        for extraction in spec.extractions {
            guard case .regex(let pattern) = extraction.source else { continue }
            do {
                patterns[pattern] = try NSRegularExpression(pattern: pattern)
            } catch {
                throw PlanError("extraction of '\(extraction.variable)': '\(pattern)' is not a valid regular expression")
            }
        }
        self.patterns = patterns
        let isStatic = url.isStatic && headers.allSatisfy(\.1.isStatic) && body == nil && spec.multipart == nil
        prepared = isStatic
            ? PreparedRequest(method: spec.method, url: resolved, headers: spec.headers.map { ($0.name, $0.value) } + defaultHeaders,
                              body: spec.body, settings: settings)
            : nil
    }

    var needsBody: Bool { spec.needsBody }
    var needsHeaders: Bool { spec.needsHeaders }
    var inspectsResponse: Bool { !spec.checks.isEmpty || !spec.extractions.isEmpty }
}

/// The URL a request goes to: absolute as written, or a path appended to the run's target.
func resolve(_ url: String, against baseURL: String?) throws(PlanError) -> String {
    if url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("{{") { return url }
    guard let baseURL else { throw PlanError("request '\(url)' is a path, but the run has no target URL") }
    let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    return url.hasPrefix("/") ? base + url : base + "/" + url
}
