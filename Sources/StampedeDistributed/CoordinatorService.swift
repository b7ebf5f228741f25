import Foundation
import GRPCCore

/// The coordinator's end of each worker's stream: the handshake, then the worker's
/// messages into the roster and the roster's messages out to the worker, until either side
/// ends the stream.
struct CoordinatorService: Stampede_Distributed_V1_Coordination.StreamingServiceProtocol {
    let roster: Roster
    let security: Security
    let stampedeVersion: String
    let log: @Sendable (String) -> Void

    func attend(
        request: StreamingServerRequest<WorkerMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<CoordinatorMessage> {
        StreamingServerResponse { writer in
            let peer = context.remotePeer
            var stage = Stage.awaitingHello
            // The roster's messages go out on their own task until the roster finishes this
            // worker's outbox; the worker's come in here until it ends its side.
            var sending: Task<Void, any Error>?
            do {
                for try await message in request.messages {
                    switch stage {
                    case .awaitingHello:
                        stage = try await challenge(message, writer: writer)
                    case .awaitingProof(let hello, let nonce):
                        let (index, outgoing) = try admit(message, hello: hello, nonce: nonce, peer: peer)
                        stage = .member(index)
                        sending = Task { for await message in outgoing { try await writer.write(message) } }
                    case .member(let index):
                        roster.receive(message, from: index)
                    }
                }
                if case .member(let index) = stage { roster.lose(index, "ended its stream before its segment was done") }
            } catch let refused as Refused {
                log("refused a worker from \(peer): \(refused.reason)")
                try? await writer.write(.with { $0.refusal.reason = refused.reason })
                return [:]
            } catch {
                if case .member(let index) = stage { roster.lose(index, "connection broken (\(Self.describe(error)))") }
            }
            try? await sending?.value
            return [:]
        }
    }

    private enum Stage {
        case awaitingHello
        case awaitingProof(Stampede_Distributed_V1_Hello, nonce: Data)
        case member(Int)
    }

    /// Checks the Hello and answers with a Challenge.
    private func challenge(_ message: WorkerMessage, writer: RPCWriter<CoordinatorMessage>) async throws -> Stage {
        guard case .hello(let hello)? = message.kind else { throw Refused("expected Hello first") }
        guard hello.protocolVersion == Handshake.protocolVersion else {
            throw Refused("worker '\(hello.name)' speaks protocol version \(hello.protocolVersion); this coordinator speaks \(Handshake.protocolVersion)")
        }
        guard hello.stampedeVersion == stampedeVersion else {
            throw Refused("worker '\(hello.name)' runs Stampede \(hello.stampedeVersion); this coordinator runs \(stampedeVersion): use the same version")
        }
        guard hello.nonce.count == 32, (1...1000).contains(hello.capacity), hello.name.count <= 256, hello.tags.count <= 32 else {
            throw Refused("worker '\(hello.name.prefix(64))' sent a malformed Hello")
        }
        let nonce = Handshake.nonce()
        try await writer.write(.with {
            $0.challenge.nonce = nonce
            $0.challenge.proof = Handshake.coordinatorProof(token: security.token, workerNonce: hello.nonce, coordinatorNonce: nonce)
            $0.challenge.sentAtUnixNanos = Clock.unixNanos()
        })
        return .awaitingProof(hello, nonce: nonce)
    }

    /// Checks the worker's Proof and gives it a place in the roster.
    private func admit(
        _ message: WorkerMessage, hello: Stampede_Distributed_V1_Hello, nonce: Data, peer: String
    ) throws -> (Int, AsyncStream<CoordinatorMessage>) {
        guard case .proof(let proof)? = message.kind else { throw Refused("expected Proof after Challenge") }
        let expected = Handshake.workerProof(token: security.token, workerNonce: hello.nonce, coordinatorNonce: nonce)
        guard Handshake.matches(proof.proof, expected: expected) else {
            throw Refused("worker '\(hello.name)' does not hold this coordinator's token")
        }
        let (outgoing, outbox) = AsyncStream.makeStream(of: CoordinatorMessage.self)
        switch roster.join(name: hello.name, peer: peer, tags: hello.tags, capacity: Int(hello.capacity), outbox: outbox) {
        case .success(let index): return (index, outgoing)
        case .failure(let refused): throw refused
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? RPCError).map { "\($0.code): \($0.message)" } ?? "\(error)"
    }
}

/// Wall-clock time for the start barrier and skew: both sides' clocks, in Unix nanoseconds.
enum Clock {
    static func unixNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
