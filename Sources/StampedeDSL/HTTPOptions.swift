import Foundation

/// How the test speaks HTTP: protocol, TLS, connections, redirects, compression. k6's option
/// names where k6 has one. Set in the DSL (`TestPlan.http`), a plan file's `http:` section,
/// or on the command line.
public struct HTTPOptions: Sendable, Equatable {
    public enum Version: String, Sendable, CaseIterable, Codable {
        /// HTTP/2 over TLS when the server offers it (ALPN), HTTP/1.1 otherwise.
        case auto
        /// HTTP/1.1 only.
        case http1 = "1.1"
        /// HTTP/2 always: over TLS by ALPN, and in cleartext with prior knowledge (h2c).
        case http2 = "2"
    }

    /// Whose connections a request may reuse.
    public enum ConnectionScope: String, Sendable, CaseIterable, Codable {
        /// Each VU has its own connections, as each user has their own browser (k6's way).
        case vu
        /// A worker's VUs share its connections: fewer connections, and HTTP/2 streams of
        /// many VUs on one connection (h2load's way).
        case worker
    }

    public enum TLSVersion: String, Sendable, CaseIterable, Codable {
        case tls1_0 = "1.0", tls1_1 = "1.1", tls1_2 = "1.2", tls1_3 = "1.3"
    }

    public var version: Version = .auto
    /// Accept any certificate (k6's `insecureSkipTLSVerify`); verification is on by default.
    public var insecureSkipTLSVerify = false
    /// PEM file of the certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// PEM client certificate and key, for servers that ask for one.
    public var clientCertificate: String?
    public var clientKey: String?
    /// The oldest TLS version accepted.
    public var minTLSVersion: TLSVersion?
    /// DNS overrides, `host:port:address` as curl's `--resolve` (k6's `hosts`).
    public var resolve: [String] = []
    /// Redirects followed before giving up; 0 follows none (k6's `maxRedirects`, default 10).
    public var maxRedirects = 10
    /// A new connection for every request (k6's `noConnectionReuse`).
    public var noConnectionReuse = false
    /// A VU's connections are not kept from one iteration to the next (k6's `noVUConnectionReuse`).
    public var noVUConnectionReuse = false
    public var connectionScope = ConnectionScope.vu
    /// The TLS server name (SNI, and the Host header) to send instead of the URL's host; the
    /// connection still goes to the URL's host.
    public var serverName: String?
    /// HTTP/2 streams one connection carries at once.
    public var streamsPerConnection = 100
    /// Connections to one host at once per worker, 0 for no limit. With HTTP/2, new requests
    /// wait for a stream on an open connection before a new one is made.
    public var connectionsPerHost = 0
    /// Ask for compressed responses (Accept-Encoding with every encoding libcurl decodes).
    /// Off by default, as in k6; a compressed response is decoded either way.
    public var compression = false
    public var userAgent = "stampede"

    public init() {}

    /// Checks files and entries before any load.
    public func validate() throws(PlanError) {
        for (path, what) in [(caFile, "CA file"), (clientCertificate, "client certificate"), (clientKey, "client key")] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else { throw PlanError("\(what) '\(path)': no such file") }
        }
        if (clientCertificate == nil) != (clientKey == nil) {
            throw PlanError("a client certificate needs its key, and a key its certificate")
        }
        for entry in resolve {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port),
                  !parts[2...].joined(separator: ":").isEmpty else {
                throw PlanError("resolve entry '\(entry)' is not HOST:PORT:ADDRESS, e.g. api.example.com:443:127.0.0.1")
            }
        }
        guard maxRedirects >= 0 else { throw PlanError("maxRedirects must not be negative") }
        guard streamsPerConnection >= 1 else { throw PlanError("streamsPerConnection must be at least 1") }
        guard connectionsPerHost >= 0 else { throw PlanError("connectionsPerHost must not be negative") }
    }
}
