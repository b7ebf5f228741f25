/// Why a request failed, in classes a user can act on. The engine maps its transport errors
/// and HTTP statuses onto these; the summary prints a count for each that occurred.
public enum ErrorClass: Int, CaseIterable, Sendable {
    case dnsFailure
    case connectionRefused
    case connectFailure
    case timeout
    case tlsFailure
    case connectionReset
    case protocolError
    case tooManyRedirects
    case otherTransport
    case http4xx
    case http5xx
    /// A status outside 200–399 and outside 4xx/5xx (1xx after a final response is impossible).
    case httpOther

    /// The name printed in summaries and written to summary.json.
    public var name: String {
        switch self {
        case .dnsFailure: "dns_failure"
        case .connectionRefused: "connection_refused"
        case .connectFailure: "connect_failure"
        case .timeout: "timeout"
        case .tlsFailure: "tls_failure"
        case .connectionReset: "connection_reset"
        case .protocolError: "protocol_error"
        case .tooManyRedirects: "too_many_redirects"
        case .otherTransport: "transport_error"
        case .http4xx: "http_4xx"
        case .http5xx: "http_5xx"
        case .httpOther: "http_other"
        }
    }

    /// k6's `error_code` tag for a request of this class that got `status` (k6's documented
    /// codes: 1050 timeout, 11xx DNS, 12xx TCP, 13xx TLS, 1000 + the status for 4xx and 5xx);
    /// nil for an unexpected status below 400, which k6 gives no code.
    public func k6Code(status: Int) -> Int? {
        switch self {
        case .dnsFailure: 1100
        case .connectionRefused: 1212
        case .connectFailure: 1210
        case .timeout: 1050
        case .tlsFailure: 1300
        case .connectionReset: 1220
        case .protocolError, .tooManyRedirects, .otherTransport: 1000
        case .http4xx, .http5xx: 1000 + status
        case .httpOther: nil
        }
    }
}
