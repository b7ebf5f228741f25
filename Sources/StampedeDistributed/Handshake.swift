import Crypto
import Foundation

/// The mutual proof of the shared token at the start of every worker's stream: each side
/// sends a fresh nonce and an HMAC-SHA256 of both nonces keyed with the token, so the token
/// never crosses the wire and neither side can replay an old proof. A worker checks the
/// coordinator's proof before it accepts a test from it: a stranger cannot aim it anywhere.
public enum Handshake {
    /// The protocol version of proto/stampede_distributed.proto.
    public static let protocolVersion: UInt32 = 1

    static func nonce() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func coordinatorProof(token: String, workerNonce: Data, coordinatorNonce: Data) -> Data {
        proof(token: token, role: "stampede coordinator", workerNonce, coordinatorNonce)
    }

    static func workerProof(token: String, workerNonce: Data, coordinatorNonce: Data) -> Data {
        proof(token: token, role: "stampede worker", workerNonce, coordinatorNonce)
    }

    /// Compares in constant time, as HMAC's own validation does.
    static func matches(_ proof: Data, expected: Data) -> Bool {
        guard proof.count == expected.count else { return false }
        return zip(proof, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func proof(token: String, role: String, _ workerNonce: Data, _ coordinatorNonce: Data) -> Data {
        var message = Data(role.utf8)
        message.append(workerNonce)
        message.append(coordinatorNonce)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(token.utf8))))
    }
}
