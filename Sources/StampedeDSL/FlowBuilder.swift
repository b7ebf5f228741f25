/// Builds a scenario's flow from requests, think times, groups, branches, loops and code.
@resultBuilder
public enum FlowBuilder {
    public static func buildExpression(_ step: some FlowStep) -> [Step] { [step.step] }
    public static func buildExpression(_ steps: [Step]) -> [Step] { steps }
    public static func buildBlock(_ parts: [Step]...) -> [Step] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Step]?) -> [Step] { part ?? [] }
    public static func buildEither(first part: [Step]) -> [Step] { part }
    public static func buildEither(second part: [Step]) -> [Step] { part }
    public static func buildArray(_ parts: [[Step]]) -> [Step] { parts.flatMap { $0 } }
}

/// Anything that can stand in a flow.
public protocol FlowStep {
    var step: Step { get }
}

/// A request of any method: `Request("DELETE", "/orders/{{orderId}}")`.
public struct Request: FlowStep {
    public var spec: RequestSpec

    public init(_ method: String, _ url: String, headers: [Header] = [], body: [UInt8]? = nil) {
        spec = RequestSpec(method: method, url: url, headers: headers, body: body)
    }

    /// Sets the `name` tag, grouping URLs that differ only by ids under one name.
    public func named(_ name: String) -> Request { with { $0.spec.name = name } }

    /// Adds a check named after its condition: `.check(.status(201))`.
    public func check(_ condition: CheckCondition) -> Request {
        with { $0.spec.checks.append(Check(nil, condition)) }
    }

    /// Adds a named check: `.check("has an id", .jsonField("id", equals: nil))`.
    public func check(_ name: String, _ condition: CheckCondition) -> Request {
        with { $0.spec.checks.append(Check(name, condition)) }
    }

    /// Stores a value of the response in the VU variable `variable`: `.extract("orderId", .jsonField("id"))`.
    public func extract(_ variable: String, _ source: ExtractionSource) -> Request {
        with { $0.spec.extractions.append(Extraction(variable, from: source)) }
    }

    /// A timeout for this request alone.
    public func timeout(_ limit: Duration) -> Request { with { $0.spec.timeout = limit } }

    /// The statuses that do not count as failed requests (default 200–399).
    public func expecting(_ statuses: ClosedRange<Int>) -> Request { with { $0.spec.expectedStatuses = statuses } }

    private func with(_ change: (inout Request) -> Void) -> Request {
        var copy = self
        change(&copy)
        return copy
    }

    public var step: Step { .request(spec) }
}

/// `GET url`.
public func Get(_ url: String, headers: [Header] = []) -> Request {
    Request("GET", url, headers: headers)
}

/// `POST url` with a JSON body (the Content-Type header is set for you).
public func Post(_ url: String, json: String, headers: [Header] = []) -> Request {
    Request("POST", url, headers: [Header("Content-Type", "application/json")] + headers, body: Array(json.utf8))
}

/// `POST url` with a form body (`application/x-www-form-urlencoded`); values are templates.
public func Post(_ url: String, form: KeyValuePairs<String, String>, headers: [Header] = []) -> Request {
    let body = form.map { "\(formEncode($0.key))=\(formEncode($0.value))" }.joined(separator: "&")
    return Request("POST", url, headers: [Header("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Array(body.utf8))
}

/// `POST url` with a multipart/form-data body: `Post("/upload", multipart: [.field(name: "id", value: "{{id}}"),
/// .file(name: "doc", path: "{{file}}")])`.
public func Post(_ url: String, multipart parts: [MultipartPart], headers: [Header] = []) -> Request {
    var request = Request("POST", url, headers: headers)
    request.spec.multipart = parts
    return request
}

/// `PUT url` with a JSON body.
public func Put(_ url: String, json: String, headers: [Header] = []) -> Request {
    Request("PUT", url, headers: [Header("Content-Type", "application/json")] + headers, body: Array(json.utf8))
}

/// `PATCH url` with a JSON body.
public func Patch(_ url: String, json: String, headers: [Header] = []) -> Request {
    Request("PATCH", url, headers: [Header("Content-Type", "application/json")] + headers, body: Array(json.utf8))
}

/// `DELETE url`.
public func Delete(_ url: String, headers: [Header] = []) -> Request {
    Request("DELETE", url, headers: headers)
}

/// Percent-encodes a form key or value, leaving `{{…}}` templates intact.
func formEncode(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
        out += escape(rest[..<open.lowerBound]) + rest[open.lowerBound..<close.upperBound]
        rest = rest[close.upperBound...]
    }
    return out + escape(rest)

    func escape(_ part: Substring) -> String {
        part.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                String(UnicodeScalar(byte))
            case UInt8(ascii: " "): "+"
            default: "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A pause of the VU: `Think(.seconds(1))`, `Think(between: .seconds(1), and: .seconds(3))`,
/// `Think(exponentialMean: .seconds(2))`.
public struct Think: FlowStep {
    public var time: ThinkTime
    public init(_ duration: Duration) { time = .fixed(duration) }
    public init(between low: Duration, and high: Duration) { time = .uniform(low, high) }
    public init(exponentialMean mean: Duration) { time = .exponential(mean: mean) }
    public var step: Step { .think(time) }
}

/// Steps reported under a group: `Group("checkout") { … }`.
public struct Group: FlowStep {
    public var step: Step
    public init(_ name: String, @FlowBuilder _ steps: () -> [Step]) {
        step = .group(name, steps())
    }
}

/// Swift code with the VU's variables: `Code("pick a product") { $0["productId"] = "p-007" }`.
public struct Code: FlowStep {
    public var step: Step
    public init(_ name: String = "code", _ body: @escaping @Sendable (inout VUContext) -> Void) {
        step = .code(CodeStep(name, body))
    }
}

/// Steps run only when a condition holds at that point of the iteration:
/// `If(.isSet("orderId")) { Get("/orders/{{orderId}}") }`, with an optional `otherwise`.
public struct If: FlowStep {
    public var step: Step
    public init(_ condition: Condition, @FlowBuilder then: () -> [Step], @FlowBuilder otherwise: () -> [Step] = { [] }) {
        step = .branch(condition, then: then(), otherwise: otherwise())
    }
}

/// Requests sent at once, like a browser loading a page's resources (k6's `http.batch`):
/// `Batch { Get("/a"); Get("/b") }`. The step ends when every response is in.
public struct Batch: FlowStep {
    public var step: Step
    public init(@BatchBuilder _ requests: () -> [RequestSpec]) {
        step = .batch(requests())
    }
}

/// Builds a batch: requests only.
@resultBuilder
public enum BatchBuilder {
    public static func buildExpression(_ request: Request) -> [RequestSpec] { [request.spec] }
    public static func buildBlock(_ parts: [RequestSpec]...) -> [RequestSpec] { parts.flatMap { $0 } }
    public static func buildArray(_ parts: [[RequestSpec]]) -> [RequestSpec] { parts.flatMap { $0 } }
}

/// Steps repeated a fixed number of times within one iteration: `Repeat(3) { … }`.
public struct Repeat: FlowStep {
    public var step: Step
    public init(_ count: Int, @FlowBuilder _ body: () -> [Step]) {
        step = .loop(count: count, body: body())
    }
}
