import CCurl
import Glibc
import StampedeDSL

/// A plan's request turned, once per worker, into the C values libcurl reads: no string is
/// built and nothing is allocated when a VU sends it.
final class PreparedRequest {
    let url: UnsafeMutablePointer<CChar>
    let headers: OpaquePointer?
    /// Set for methods other than GET, POST and HEAD.
    let customMethod: UnsafeMutablePointer<CChar>?
    let body: UnsafeMutableBufferPointer<UInt8>?
    let isHead: Bool
    /// libcurl sends a body of up to 64 KiB in one buffer with the headers and counts it in
    /// `CURLINFO_REQUEST_SIZE`; a larger one goes out after them and is only counted in
    /// `CURLINFO_SIZE_UPLOAD_T`. data_sent must add the latter only then.
    let sendsBodyAfterHeaders: Bool

    init(_ spec: RequestSpec, resolvedURL: String) {
        url = strdup(resolvedURL)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in spec.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        headers = OpaquePointer(list)
        let method = spec.method.uppercased()
        isHead = method == "HEAD"
        customMethod = ["GET", "POST", "HEAD"].contains(method) ? nil : strdup(method)
        if let bytes = spec.body ?? (method == "POST" ? [] : nil) {
            let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            _ = storage.initialize(from: bytes)
            body = UnsafeMutableBufferPointer(rebasing: storage[0..<bytes.count])
        } else {
            body = nil
        }
        sendsBodyAfterHeaders = (body?.count ?? 0) > 64 * 1024
    }

    deinit {
        free(url)
        free(customMethod)
        curl_slist_free_all(UnsafeMutablePointer(headers))
        body?.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
    }
}
