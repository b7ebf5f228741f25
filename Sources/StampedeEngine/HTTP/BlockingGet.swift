import CCurl

/// One GET on the calling thread, for what is not load (a service's `/metrics` read beside
/// the test): libcurl's easy interface, bounded by a timeout, nothing shared with the
/// workers' handles or connections.
public enum BlockingGet {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The body of a 2xx answer, or why there is none.
    public static func body(of url: String, timeoutMilliseconds: Int) -> Result<[UInt8], Failure> {
        CurlGlobal.ensureInitialized()
        guard let easy = curl_easy_init() else { return .failure(Failure(description: "out of memory")) }
        defer { curl_easy_cleanup(easy) }
        let sink = BodySink()
        let owner = Unmanaged.passUnretained(sink).toOpaque()
        stampede_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        stampede_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        stampede_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        stampede_easy_setopt_write(easy, collect)
        stampede_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, owner)
        _ = url.withCString { stampede_easy_setopt_ptr(easy, CURLOPT_URL, $0) }
        let result = withExtendedLifetime(sink) { curl_easy_perform(easy) }
        guard result == CURLE_OK else { return .failure(Failure(description: String(cString: curl_easy_strerror(result)))) }
        var status = 0
        stampede_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        guard (200..<300).contains(status) else { return .failure(Failure(description: "HTTP \(status)")) }
        return .success(sink.bytes)
    }

    private final class BodySink {
        var bytes: [UInt8] = []
    }

    private static let collect: curl_write_callback = { data, size, count, owner in
        let length = size * count
        guard let owner, let data else { return length }
        Unmanaged<BodySink>.fromOpaque(owner).takeUnretainedValue().bytes.append(
            contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        return length
    }
}
