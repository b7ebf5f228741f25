import CCurl
import Foundation
import StampedeDSL

/// A test's `HTTPOptions` turned once into what libcurl reads: shared read-only by every
/// worker for the whole run (libcurl keeps a pointer to the resolve list, so it lives here).
final class HTTPSettings: @unchecked Sendable {
    let options: HTTPOptions
    private let resolveList: UnsafeMutablePointer<curl_slist>?
    /// Headers every request carries unless it sets its own: User-Agent and Accept-Encoding
    /// (empty, so not sent, unless `compression` asks for compressed responses). They go in
    /// each request's header list rather than libcurl's `CURLOPT_USERAGENT` and
    /// `CURLOPT_ACCEPT_ENCODING` strings, which libcurl 7.88 formats anew for every request:
    /// 6,500 instructions per request in a callgrind profile.
    let defaultHeaders: [(name: String, value: String)]

    init(_ options: HTTPOptions) {
        self.options = options
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for entry in options.resolve { list = curl_slist_append(list, entry) }
        resolveList = list
        defaultHeaders = [
            (name: "User-Agent", value: options.userAgent),
            (name: "Accept-Encoding", value: options.compression ? Self.supportedEncodings : ""),
        ]
    }

    deinit { curl_slist_free_all(resolveList) }

    /// Sets what every request of a VU shares; string options are copied by libcurl.
    func apply(to easy: CurlEasy) {
        switch options.version {
        case .auto: easy.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        case .http1: easy.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        case .http2: easy.set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
        }
        // An empty cookie file turns on the handle's own in-memory jar: cookies stay with their VU.
        easy.set(CURLOPT_COOKIEFILE, "")
        // Decodes whatever encoding a response comes in (k6 does too); whether to ask for one
        // is the Accept-Encoding header of `defaultHeaders`.
        easy.set(CURLOPT_ACCEPT_ENCODING, "")
        easy.set(CURLOPT_FOLLOWLOCATION, options.maxRedirects > 0 ? 1 : 0)
        easy.set(CURLOPT_MAXREDIRS, options.maxRedirects)
        if options.insecureSkipTLSVerify {
            easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caFile = options.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if let certificate = options.clientCertificate { easy.set(CURLOPT_SSLCERT, certificate) }
        if let key = options.clientKey { easy.set(CURLOPT_SSLKEY, key) }
        if let minimum = options.minTLSVersion {
            let version = switch minimum {
            case .tls1_0: CURL_SSLVERSION_TLSv1_0
            case .tls1_1: CURL_SSLVERSION_TLSv1_1
            case .tls1_2: CURL_SSLVERSION_TLSv1_2
            case .tls1_3: CURL_SSLVERSION_TLSv1_3
            }
            easy.set(CURLOPT_SSLVERSION, version)
        }
        if let resolveList { easy.set(CURLOPT_RESOLVE, UnsafeRawPointer(resolveList)) }
        easy.forbidReuse = options.noConnectionReuse
    }

    /// The content encodings this libcurl decodes, as `CURLOPT_ACCEPT_ENCODING ""` would ask for.
    private static let supportedEncodings: String = {
        guard let info = curl_version_info(CURLVERSION_ELEVENTH) else { return "deflate, gzip" }
        let features = info.pointee.features
        var encodings = ["deflate", "gzip"]
        if features & CURL_VERSION_BROTLI != 0 { encodings.append("br") }
        if features & CURL_VERSION_ZSTD != 0 { encodings.append("zstd") }
        return encodings.joined(separator: ", ")
    }()

    /// Whether a request to `url` may share an HTTP/2 connection with others: then it waits
    /// for a stream on one (`CURLOPT_PIPEWAIT`) rather than open another. Only then, as the
    /// wait costs libcurl a search of its connections on every request.
    func mayMultiplex(_ url: String) -> Bool {
        switch options.version {
        case .http1: false
        case .http2: true
        case .auto: url.hasPrefix("https:")
        }
    }

    /// Whether a request to `url` must not reuse its connection: with `noConnectionReuse`, or
    /// for cleartext HTTP/2 (h2c) on a libcurl older than 8.0, which fails every request after
    /// the first on a reused h2c connection (curl pull request 10643).
    func forbidsReuse(of url: UnsafePointer<CChar>) -> Bool {
        options.noConnectionReuse || (options.version == .http2 && Self.h2cReuseBroken && strncmp(url, "http:", 5) == 0)
    }

    private static let h2cReuseBroken: Bool = {
        // CURLVERSION_NOW is a macro Swift does not import; ELEVENTH is what it names in 7.88.
        guard let info = curl_version_info(CURLVERSION_ELEVENTH) else { return true }
        return info.pointee.version_num < 0x08_00_00
    }()

    /// Where a request for `url` goes: with a `serverName`, an https URL's host becomes that
    /// name (sent as SNI and Host) and libcurl is told to connect to the original host.
    func route(_ url: String) -> (url: String, connectTo: String?) {
        guard let serverName = options.serverName, var parts = URLComponents(string: url), parts.scheme == "https",
              let host = parts.host, host != serverName else { return (url, nil) }
        let port = parts.port ?? 443
        parts.host = serverName
        return (parts.string ?? url, "\(serverName):\(port):\(host):\(port)")
    }

    /// Sets what a worker's transfers share: streams per HTTP/2 connection, connections per host.
    func apply(to multi: CurlMulti) {
        multi.set(CURLMOPT_MAX_CONCURRENT_STREAMS, options.streamsPerConnection)
        if options.connectionsPerHost > 0 { multi.set(CURLMOPT_MAX_HOST_CONNECTIONS, options.connectionsPerHost) }
    }
}
