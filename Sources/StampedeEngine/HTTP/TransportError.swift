import CCurl
import Glibc
import StampedeMetrics

extension ErrorClass {
    /// The class of a libcurl transfer error; `osErrno` tells a refused connection from
    /// another connect failure.
    init(curlCode code: CURLcode, osErrno: Int) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .dnsFailure
        case CURLE_COULDNT_CONNECT:
            self = osErrno == Int(ECONNREFUSED) ? .connectionRefused : .connectFailure
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND:
            self = .tlsFailure
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            self = .connectionReset
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_UNSUPPORTED_PROTOCOL,
             CURLE_URL_MALFORMAT, CURLE_BAD_CONTENT_ENCODING:
            self = .protocolError
        case CURLE_TOO_MANY_REDIRECTS:
            self = .tooManyRedirects
        default:
            self = .otherTransport
        }
    }

    /// The class of a completed response whose status is not expected (outside 200–399).
    init(unexpectedStatus status: Int) {
        switch status {
        case 400..<500: self = .http4xx
        case 500..<600: self = .http5xx
        default: self = .httpOther
        }
    }
}
