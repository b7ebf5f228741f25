import CCurl

/// One libcurl easy handle, reused for every request of its `Transfer` so its settings and
/// cookies carry over. Options that never change are set once in `init`.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private let owner: UnsafeMutableRawPointer

    /// The transfer's timeout; set only when it changes from one request to the next.
    var timeoutMilliseconds: Int {
        didSet { if timeoutMilliseconds != oldValue { set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds) } }
    }

    /// A new connection for the next transfer (k6's noVUConnectionReuse, at an iteration's start).
    var freshConnect = false {
        didSet { if freshConnect != oldValue { set(CURLOPT_FRESH_CONNECT, freshConnect ? 1 : 0) } }
    }

    /// Close the connection after this transfer instead of keeping it for the next.
    var forbidReuse = false {
        didSet { if forbidReuse != oldValue { set(CURLOPT_FORBID_REUSE, forbidReuse ? 1 : 0) } }
    }

    /// Whether response headers are handed to the owning transfer (for checks and extractions);
    /// off, libcurl makes no header callback at all.
    var capturesHeaders = false {
        didSet {
            guard capturesHeaders != oldValue else { return }
            stampede_easy_setopt_header(handle, capturesHeaders ? receiveHeader : nil)
            set(CURLOPT_HEADERDATA, capturesHeaders ? UnsafeRawPointer(owner) : nil)
        }
    }

    /// - Parameter owner: the object libcurl hands back in callbacks and `CURLINFO_PRIVATE`;
    ///   the caller keeps it alive for as long as the handle.
    init(owner: UnsafeMutableRawPointer, settings: HTTPSettings, timeoutMilliseconds: Int) {
        CurlGlobal.ensureInitialized()
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        handle = easy
        self.owner = owner
        self.timeoutMilliseconds = timeoutMilliseconds
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        stampede_easy_setopt_ptr(easy, CURLOPT_PRIVATE, owner)
        stampede_easy_setopt_write(easy, receiveBody)
        stampede_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, owner)
        stampede_easy_setopt_prereq(easy, markTransferStart)
        stampede_easy_setopt_ptr(easy, CURLOPT_PREREQDATA, owner)
        settings.apply(to: self)
    }

    deinit { curl_easy_cleanup(handle) }

    @inline(__always)
    func set(_ option: CURLoption, _ value: Int) {
        stampede_easy_setopt_long(handle, option, value)
    }

    @inline(__always)
    func set(_ option: CURLoption, _ pointer: UnsafeRawPointer?) {
        stampede_easy_setopt_ptr(handle, option, pointer)
    }

    /// A string option; libcurl copies it.
    func set(_ option: CURLoption, _ text: String) {
        _ = text.withCString { stampede_easy_setopt_ptr(handle, option, $0) }
    }

    /// Arms the handle for `request`. The request's storage must outlive the transfer.
    func configure(for request: PreparedRequest) {
        set(CURLOPT_URL, request.url)
        set(CURLOPT_HTTPHEADER, UnsafeRawPointer(request.headers))
        set(CURLOPT_CONNECT_TO, UnsafeRawPointer(request.connectTo))
        set(CURLOPT_PIPEWAIT, request.waitsForStream ? 1 : 0)
        set(CURLOPT_CUSTOMREQUEST, request.customMethod.map { UnsafeRawPointer($0) })
        if let body = request.body {
            set(CURLOPT_NOBODY, 0)
            set(CURLOPT_POSTFIELDSIZE, body.count)
            set(CURLOPT_POSTFIELDS, UnsafeRawPointer(body.baseAddress))
        } else if request.isHead {
            set(CURLOPT_NOBODY, 1)
        } else {
            set(CURLOPT_HTTPGET, 1)
        }
    }

    @inline(__always)
    func info(_ what: CURLINFO) -> Int {
        var value: Int = 0
        stampede_easy_getinfo_long(handle, what, &value)
        return value
    }

    @inline(__always)
    func infoOffset(_ what: CURLINFO) -> Int {
        var value: curl_off_t = 0
        stampede_easy_getinfo_off(handle, what, &value)
        return value
    }
}

/// Response bodies are kept only when the transfer's request has checks or extractions that read
/// them; otherwise their size is all that counts, read from libcurl when the transfer ends.
private let receiveBody: curl_write_callback = { data, size, count, owner in
    let length = size * count
    guard let owner, let data else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(owner).takeUnretainedValue()
    if transfer.capturesBody {
        transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

/// Keeps the header lines of the final response (a new status line starts over, so only
/// the last response of a redirect chain remains).
private let receiveHeader: curl_write_callback = { data, size, count, owner in
    let length = size * count
    guard let owner, let data else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(owner).takeUnretainedValue()
    let line = UnsafeRawBufferPointer(start: data, count: length)
    if line.starts(with: "HTTP/".utf8) { transfer.responseHeaders.removeAll(keepingCapacity: true) }
    transfer.responseHeaders.append(contentsOf: line)
    return length
}

/// Marks, on the engine's clock, the moment the connection was ready and the request began.
private let markTransferStart: curl_prereq_callback = { owner, _, _, _, _ in
    guard let owner else { return CURL_PREREQFUNC_OK }
    Unmanaged<Transfer>.fromOpaque(owner).takeUnretainedValue().connectionReadyAt = MonotonicClock.now()
    return CURL_PREREQFUNC_OK
}
