/// One step of a scenario's flow. Steps nest (groups, branches, loops); the engine flattens
/// them into a program once per run.
public enum Step: Sendable {
    /// Send a request and wait for its response.
    case request(RequestSpec)
    /// Send several requests at once, each on a connection of its own or as streams of one
    /// HTTP/2 connection, and wait for all (k6's `http.batch`).
    case batch([RequestSpec])
    /// Pause the VU, holding no connection slot and no thread.
    case think(ThinkTime)
    /// Steps reported under a group name (k6's `group`, the `group` tag, `group_duration`).
    case group(String, [Step])
    /// Swift code run on the VU's thread, with the VU's variables.
    case code(CodeStep)
    /// `then` when the condition holds at that point of the iteration, `otherwise` if not.
    case branch(Condition, then: [Step], otherwise: [Step])
    /// `body` repeated `count` times.
    case loop(count: Int, body: [Step])
}

/// An HTTP request as the plan describes it. URL, header values and body are templates:
/// `{{name}}` is replaced by the VU's variable `name` when the request is sent.
public struct RequestSpec: Sendable {
    /// `GET`, `POST`, ... sent as written.
    public var method: String
    /// An absolute `http(s)://` URL, or a path resolved against the run's target.
    public var url: String
    /// Extra request headers, in order.
    public var headers: [Header]
    /// The request body, if any.
    public var body: [UInt8]?
    /// A multipart/form-data body, built when the request is sent (instead of `body`).
    public var multipart: [MultipartPart]?
    /// The `name` tag; defaults to the URL as in k6.
    public var name: String?
    /// Statuses that count as success for `http_req_failed` (k6's default: 200–399).
    public var expectedStatuses: ClosedRange<Int>
    public var checks: [Check]
    public var extractions: [Extraction]
    /// This request's timeout, instead of the run's.
    public var timeout: Duration?

    public init(
        method: String, url: String, headers: [Header] = [], body: [UInt8]? = nil, name: String? = nil,
        expectedStatuses: ClosedRange<Int> = 200...399, checks: [Check] = [], extractions: [Extraction] = [],
        timeout: Duration? = nil
    ) {
        self.timeout = timeout
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.name = name
        self.expectedStatuses = expectedStatuses
        self.checks = checks
        self.extractions = extractions
    }

    /// True when a check or an extraction reads the response body.
    public var needsBody: Bool {
        checks.contains { $0.condition.readsBody } || extractions.contains { $0.source.readsBody }
    }

    /// True when a check or an extraction reads response headers.
    public var needsHeaders: Bool {
        checks.contains { $0.condition.readsHeaders } || extractions.contains { $0.source.readsHeaders }
    }
}

/// One part of a multipart/form-data body.
public enum MultipartPart: Sendable, Equatable {
    /// A form field; its value is a template.
    case field(name: String, value: String)
    /// A file's contents. The path is a template (a feeder column can choose the file); every
    /// file a feeder can name is read once before the load, and a missing one stops the run.
    case file(name: String, path: String, filename: String? = nil, contentType: String = "application/octet-stream")
}

/// One request header; its value is a template.
public struct Header: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How long a VU pauses between steps.
public enum ThinkTime: Sendable, Equatable {
    case fixed(Duration)
    /// Uniformly distributed between the bounds.
    case uniform(Duration, Duration)
    /// Exponentially distributed with this mean (a Poisson process of user actions).
    case exponential(mean: Duration)
}

/// A code step: reads and writes the VU's variables.
public struct CodeStep: Sendable {
    public let name: String
    public let body: @Sendable (inout VUContext) -> Void
    public init(_ name: String, _ body: @escaping @Sendable (inout VUContext) -> Void) {
        self.name = name
        self.body = body
    }
}

/// What a code step or a condition sees of its VU.
public struct VUContext: Sendable {
    /// The VU's number in the whole test, from 1 (k6's `__VU`).
    public let vu: Int
    /// The VU's iteration number, from 0 (k6's `__ITER`).
    public let iteration: Int
    /// The VU's variables: extracted values, feeder columns, setup's results, and your own.
    public var vars: [String: String]
    /// The test's environment: the process environment, overridden by `--env K=V`.
    /// Templates read it as `{{env.NAME}}`.
    public let env: [String: String]
    /// Values recorded in custom metrics (`add(_:to:)`, `set(_:to:)`, `record(_:in:)`) that
    /// the worker has yet to take into its metrics.
    package var samples: [MetricSample] = []

    public init(vu: Int, iteration: Int, vars: [String: String], env: [String: String] = [:]) {
        self.vu = vu
        self.iteration = iteration
        self.vars = vars
        self.env = env
    }

    public subscript(name: String) -> String? {
        get { vars[name] }
        set { vars[name] = newValue }
    }
}

/// When a branch takes its `then` steps.
public enum Condition: Sendable {
    /// The variable is set (e.g. an extraction succeeded).
    case isSet(String)
    /// The variable equals the value.
    case equals(String, String)
    /// Any test on the VU's context.
    case custom(@Sendable (VUContext) -> Bool)

    public func holds(in context: VUContext) -> Bool {
        switch self {
        case .isSet(let name): context.vars[name] != nil
        case .equals(let name, let value): context.vars[name] == value
        case .custom(let test): test(context)
        }
    }
}
