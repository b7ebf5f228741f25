import CCurl

/// One request slot of a VU: a libcurl handle, kept across requests so its settings carry
/// over, and the state of the request it carries. A VU has one, and more while it sends a
/// batch of requests at once. libcurl's callbacks and `CURLINFO_PRIVATE` point here.
final class Transfer {
    unowned let vu: VirtualUser
    private(set) var easy: CurlEasy!

    /// The request in flight.
    var request: RequestProgram?
    /// The prepared request the handle is armed for, so repeating one request skips re-arming.
    var armed: PreparedRequest?
    /// A templated request rendered for this send, kept alive until the transfer ends.
    var rendered: PreparedRequest?
    /// When the request was due: `http_req_latency` counts from here.
    var dueAt: UInt64 = 0
    /// When the request was handed to libcurl.
    var startedAt: UInt64 = 0
    /// Set by libcurl's pre-request callback when the connection is ready.
    var connectionReadyAt: UInt64 = 0
    /// Whether the write callback keeps the body, for checks and extractions.
    var capturesBody = false
    var responseBody: [UInt8] = []
    var responseHeaders: [UInt8] = []

    /// The VU's own connections, when connections are per VU; kept alive by every transfer.
    private let pool: ConnectionPool?

    init(vu: VirtualUser, pool: ConnectionPool?, settings: HTTPSettings, timeoutMilliseconds: Int) {
        self.vu = vu
        self.pool = pool
        easy = CurlEasy(owner: Unmanaged.passUnretained(self).toOpaque(), settings: settings, timeoutMilliseconds: timeoutMilliseconds)
        if let pool { easy.set(CURLOPT_SHARE, UnsafeRawPointer(pool.share)) }
    }

    var isActive: Bool { request != nil }
}
