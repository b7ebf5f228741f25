import CCurl
import Glibc
import StampedeDSL

/// A plan's request turned, once per run, into the C values libcurl reads: no string is
/// built and nothing is allocated when a VU sends it. Also used for one send of a templated
/// request, rendered for that VU.
final class PreparedRequest {
    let url: UnsafeMutablePointer<CChar>
    let headers: OpaquePointer?
    /// `CURLOPT_CONNECT_TO` when the TLS server name differs from where the connection goes.
    let connectTo: OpaquePointer?
    /// Set for methods other than GET, POST and HEAD.
    let customMethod: UnsafeMutablePointer<CChar>?
    let body: UnsafeMutableBufferPointer<UInt8>?
    let isHead: Bool
    /// Sets `CURLOPT_PIPEWAIT`: see `HTTPSettings.mayMultiplex`.
    let waitsForStream: Bool
    /// libcurl sends a body of up to 64 KiB in one buffer with the headers and counts it in
    /// `CURLINFO_REQUEST_SIZE`; a larger one goes out after them and is only counted in
    /// `CURLINFO_SIZE_UPLOAD_T`. data_sent must add the latter only then.
    let sendsBodyAfterHeaders: Bool

    /// - Parameter headers: every header to send, the run's defaults included.
    init(method: String, url resolvedURL: String, headers: [(name: String, value: String)], body: [UInt8]?, settings: HTTPSettings) {
        let (target, connectTo) = settings.route(resolvedURL)
        url = strdup(target)
        self.connectTo = connectTo.map { OpaquePointer(curl_slist_append(nil, $0)) }
        waitsForStream = settings.mayMultiplex(target)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in headers {
            // "Name:" with no value tells libcurl to send neither it nor its own header of that name.
            list = curl_slist_append(list, header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)")
        }
        self.headers = OpaquePointer(list)
        let method = method.uppercased()
        isHead = method == "HEAD"
        customMethod = ["GET", "POST", "HEAD"].contains(method) ? nil : strdup(method)
        if let bytes = body ?? (method == "POST" ? [] : nil) {
            let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = storage.initialize(from: bytes)
            self.body = UnsafeMutableBufferPointer(rebasing: storage[0..<bytes.count])
        } else {
            self.body = nil
        }
        sendsBodyAfterHeaders = (self.body?.count ?? 0) > 64 * 1024
    }

    deinit {
        free(url)
        free(customMethod)
        curl_slist_free_all(UnsafeMutablePointer(headers))
        curl_slist_free_all(UnsafeMutablePointer(connectTo))
        body?.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
    }
}
