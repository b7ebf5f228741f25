/// Builds a scenario's flow from request and think-time expressions.
@resultBuilder
public enum FlowBuilder {
    public static func buildExpression(_ step: some FlowStep) -> [Step] { [step.step] }
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

/// A request of any method: `Request("DELETE", "/orders/o-1")`.
public struct Request: FlowStep {
    public var spec: RequestSpec
    public init(_ method: String, _ url: String, headers: [Header] = [], body: [UInt8]? = nil) {
        spec = RequestSpec(method: method, url: url, headers: headers, body: body)
    }
    /// Sets the `name` tag, grouping URLs that differ only by ids under one name.
    public func named(_ name: String) -> Request {
        var copy = self
        copy.spec.name = name
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

/// A pause of the VU: `Think(.seconds(1))`.
public struct Think: FlowStep {
    public var time: ThinkTime
    public init(_ duration: Duration) { time = .fixed(duration) }
    public var step: Step { .think(time) }
}
