import CCurl

/// A VU's own connection cache (a libcurl share object holding connections): its transfers
/// reuse each other's connections and no other VU's. Each transfer keeps it alive, so it is
/// cleaned up after the last of their handles.
final class ConnectionPool {
    let share: UnsafeMutableRawPointer

    init() {
        CurlGlobal.ensureInitialized()
        guard let share = curl_share_init() else { fatalError("curl_share_init failed: out of memory") }
        self.share = share
        // Used by one worker thread only, so libcurl needs no lock callbacks.
        stampede_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_CONNECT.rawValue))
    }

    deinit { curl_share_cleanup(share) }
}
