import CCurl

/// One libcurl multi handle: the set of transfers a worker drives, and its connection pool.
/// Owned by one worker thread; only `wakeup()` may be called from another thread.
final class CurlMulti: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        handle = multi
    }

    deinit { curl_multi_cleanup(handle) }

    func set(_ option: CURLMoption, _ value: Int) {
        stampede_multi_setopt_long(handle, option, value)
    }

    func add(_ easy: CurlEasy) {
        let code = curl_multi_add_handle(handle, easy.handle)
        precondition(code == CURLM_OK, "curl_multi_add_handle: \(code)")
    }

    func remove(_ easy: CurlEasy) {
        curl_multi_remove_handle(handle, easy.handle)
    }

    /// Lets libcurl make progress on every transfer without blocking.
    func perform() {
        var running: Int32 = 0
        curl_multi_perform(handle, &running)
    }

    /// Waits up to `timeoutMilliseconds` for socket activity, libcurl's own timers or `wakeup()`.
    func poll(timeoutMilliseconds: Int32) {
        curl_multi_poll(handle, nil, 0, timeoutMilliseconds, nil)
    }

    /// Ends a `poll` early; safe from any thread.
    func wakeup() {
        curl_multi_wakeup(handle)
    }

    /// The next finished transfer, if any: its easy handle and result. Read before removing
    /// the handle, as the message is invalid afterwards.
    @inline(__always)
    func nextCompletion() -> (easy: UnsafeMutableRawPointer, result: CURLcode)? {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(handle, &queued) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                return (easy, message.pointee.data.result)
            }
        }
        return nil
    }
}

/// libcurl's process-wide initialisation, done once before the first handle.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialized() {
        precondition(initialized, "curl_global_init failed")
    }

    /// libcurl's version and its TLS and HTTP/2 libraries, for run metadata:
    /// "libcurl/7.88.1 OpenSSL/3.0.x nghttp2/1.52.0". (`curl_version()` would also start
    /// up libldap just to name its version: milliseconds at every start.)
    static var version: String {
        guard let info = curl_version_info(CURLVERSION_ELEVENTH)?.pointee else { return "libcurl" }
        let parts = [info.version.map { "libcurl/" + String(cString: $0) }, info.ssl_version.map { String(cString: $0) },
                     info.nghttp2_version.map { "nghttp2/" + String(cString: $0) }]
        return parts.compactMap { $0 }.joined(separator: " ")
    }
}
