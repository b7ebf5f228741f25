import GRPCNIOTransportHTTP2

/// How coordinator and workers trust each other: the shared token (always checked, by the
/// handshake) and optional TLS. With a CA file the coordinator asks workers for a client
/// certificate signed by it (mutual TLS), and workers check the coordinator's against it.
public struct Security: Sendable {
    /// The shared secret; empty means none was given (loopback only).
    public var token: String
    /// PEM certificate chain and key: the coordinator's server certificate, or a worker's
    /// client certificate for mutual TLS.
    public var certificate: String?
    public var key: String?
    /// PEM certificate authorities to trust for the other side.
    public var certificateAuthority: String?

    public init(token: String, certificate: String? = nil, key: String? = nil, certificateAuthority: String? = nil) {
        self.token = token
        self.certificate = certificate
        self.key = key
        self.certificateAuthority = certificateAuthority
    }

    var usesTLS: Bool { certificate != nil || certificateAuthority != nil }

    var server: HTTP2ServerTransport.Posix.TransportSecurity {
        guard let certificate, let key else { return .plaintext }
        let chain: [TLSConfig.CertificateSource] = [.file(path: certificate, format: .pem)]
        let privateKey = TLSConfig.PrivateKeySource.file(path: key, format: .pem)
        guard let certificateAuthority else { return .tls(certificateChain: chain, privateKey: privateKey) }
        return .mTLS(certificateChain: chain, privateKey: privateKey) {
            $0.trustRoots = .certificates([.file(path: certificateAuthority, format: .pem)])
        }
    }

    var client: HTTP2ClientTransport.Posix.TransportSecurity {
        guard usesTLS else { return .plaintext }
        let roots: TLSConfig.TrustRootsSource? = certificateAuthority.map { .certificates([.file(path: $0, format: .pem)]) }
        if let certificate, let key {
            return .mTLS(certificateChain: [.file(path: certificate, format: .pem)], privateKey: .file(path: key, format: .pem)) {
                if let roots { $0.trustRoots = roots }
            }
        }
        return .tls { if let roots { $0.trustRoots = roots } }
    }
}
