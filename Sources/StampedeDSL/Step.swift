/// One step of a scenario's flow.
public enum Step: Sendable, Equatable {
    /// Send a request and wait for its response.
    case request(RequestSpec)
    /// Pause the VU, holding no connection slot and no thread.
    case think(ThinkTime)
}

/// An HTTP request as the plan describes it; the engine turns it into a libcurl transfer once.
public struct RequestSpec: Sendable, Equatable {
    /// `GET`, `POST`, ... sent as written.
    public var method: String
    /// An absolute `http(s)://` URL, or a path resolved against the run's target.
    public var url: String
    /// Extra request headers, in order.
    public var headers: [Header]
    /// The request body, if any.
    public var body: [UInt8]?
    /// The `name` tag; defaults to the URL as in k6.
    public var name: String?

    public init(method: String, url: String, headers: [Header] = [], body: [UInt8]? = nil, name: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.name = name
    }
}

/// One request header.
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
}
