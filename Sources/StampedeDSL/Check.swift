/// A named assertion on a response. Checks do not stop an iteration; they count passes and
/// failures (k6's `checks` metric) for thresholds and reports.
public struct Check: Sendable, Equatable {
    public var name: String
    public var condition: CheckCondition

    public init(_ name: String?, _ condition: CheckCondition) {
        self.name = name ?? condition.defaultName
        self.condition = condition
    }

    /// A check named after its condition ("status is 200").
    public init(_ condition: CheckCondition) {
        self.init(nil, condition)
    }
}

/// What a check asserts.
public enum CheckCondition: Sendable, Equatable {
    case status(Int)
    case statusIn(ClosedRange<Int>)
    case bodyContains(String)
    /// The header is present, and equals `value` when one is given (names ignore case).
    case header(String, equals: String?)
    /// The JSON field at the path (`id`, `items.0.id`) is present, and equals `value` when
    /// one is given (compared as text).
    case jsonField(String, equals: String?)
    /// The request took less than this (its `http_req_duration`).
    case durationBelow(Duration)
    /// The response came over this protocol: `HTTP/1.1`, `HTTP/2.0` (k6's `proto` tag).
    case proto(String)

    public var defaultName: String {
        switch self {
        case .status(let code): "status is \(code)"
        case .statusIn(let range): "status in \(range.lowerBound)-\(range.upperBound)"
        case .bodyContains(let text): "body contains '\(text)'"
        case .header(let name, let value): value.map { "header \(name) is '\($0)'" } ?? "header \(name) present"
        case .jsonField(let path, let value): value.map { "\(path) is '\($0)'" } ?? "\(path) present"
        case .durationBelow(let limit): "duration < \(limit.humanReadable)"
        case .proto(let name): "protocol is \(name)"
        }
    }

    var readsBody: Bool {
        switch self {
        case .bodyContains, .jsonField: true
        default: false
        }
    }

    var readsHeaders: Bool {
        if case .header = self { return true }
        return false
    }
}

/// A value taken from a response into a VU variable, to correlate later requests (create an
/// order, then pay *that* order).
public struct Extraction: Sendable, Equatable {
    public var variable: String
    public var source: ExtractionSource

    public init(_ variable: String, from source: ExtractionSource) {
        self.variable = variable
        self.source = source
    }
}

/// Where an extracted value comes from.
public enum ExtractionSource: Sendable, Equatable {
    /// A JSON field by path: `id`, `items.0.id`.
    case jsonField(String)
    /// A response header (name ignores case).
    case header(String)
    /// The first capture group of a regular expression over the body (the whole match if
    /// it has none).
    case regex(String)

    var readsBody: Bool {
        if case .header = self { return false }
        return true
    }

    var readsHeaders: Bool { !readsBody }
}
