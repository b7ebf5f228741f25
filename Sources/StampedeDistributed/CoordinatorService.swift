import Foundation
import StampedeEngine
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
            // Everything to the worker goes through one outbox, written in order by one task;
            // the roster finishes it when the test is over for this worker, and then the
            // stream ends even if the worker says nothing more (hung, or gone silently).
            let (outgoing, outbox) = AsyncStream.makeStream(of: CoordinatorMessage.self)
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await message in outgoing {
                        do { try await writer.write(message) } catch { break }
                    }
                    return true
                }
                group.addTask {
                    await read(request.messages, outbox: outbox, peer: context.remotePeer)
                    return false
                }
                while let writerEnded = await group.next(), !writerEnded {}
                group.cancelAll()
            }
            return [:]
        }
    }

    /// The worker's side of the stream: the handshake, then its messages into the roster.
    private func read(_ messages: RPCAsyncSequence<WorkerMessage, any Error>, outbox: AsyncStream<CoordinatorMessage>.Continuation, peer: String) async {
        var stage = Stage.awaitingHello
        do {
            for try await message in messages {
                // A heartbeat may come before the handshake is through: it only says "alive".
                if case .heartbeat? = message.kind, !stage.isMember { continue }
                switch stage {
                case .awaitingHello:
                    stage = try challenge(message, outbox: outbox)
                case .awaitingProof(let hello, let nonce):
                    stage = .member(try admit(message, hello: hello, nonce: nonce, peer: peer, outbox: outbox))
                case .member(let index):
                    roster.receive(message, from: index)
                }
            }
            switch stage {
            case .member(let index): roster.lose(index, "ended its stream before its segment was done")
            case .awaitingHello, .awaitingProof: throw Refused("it left during the handshake")
            }
        } catch let refused as Refused {
            log("refused a worker from \(peer): \(refused.reason)")
            outbox.yield(.with { $0.refusal.reason = refused.reason })
            outbox.finish()
        } catch {
            if case .member(let index) = stage {
                roster.lose(index, "connection broken (\(Self.describe(error)))")
            } else {
                outbox.finish()
            }
        }
    }

    private enum Stage {
        case awaitingHello
        case awaitingProof(Stampede_Distributed_V1_Hello, nonce: Data)
        case member(Int)

        var isMember: Bool {
            if case .member = self { true } else { false }
        }
    }

    /// Checks the Hello and answers with a Challenge.
    private func challenge(_ message: WorkerMessage, outbox: AsyncStream<CoordinatorMessage>.Continuation) throws -> Stage {
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
        outbox.yield(.with {
            $0.challenge.nonce = nonce
            $0.challenge.proof = Handshake.coordinatorProof(token: security.token, workerNonce: hello.nonce, coordinatorNonce: nonce)
            $0.challenge.sentAtUnixNanos = UnixClock.nanoseconds()
        })
        return .awaitingProof(hello, nonce: nonce)
    }

    /// Checks the worker's Proof and gives it a place in the roster.
    private func admit(
        _ message: WorkerMessage, hello: Stampede_Distributed_V1_Hello, nonce: Data, peer: String,
        outbox: AsyncStream<CoordinatorMessage>.Continuation
    ) throws -> Int {
        if case .failure(let failure)? = message.kind { throw Refused("worker '\(hello.name)': \(failure.reason)") }
        guard case .proof(let proof)? = message.kind else { throw Refused("expected Proof after Challenge") }
        let expected = Handshake.workerProof(token: security.token, workerNonce: hello.nonce, coordinatorNonce: nonce)
        guard Handshake.matches(proof.proof, expected: expected) else {
            throw Refused("worker '\(hello.name)' does not hold this coordinator's token")
        }
        switch roster.join(name: hello.name, peer: peer, tags: hello.tags, capacity: Int(hello.capacity), outbox: outbox) {
        case .success(let index): return index
        case .failure(let refused): throw refused
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? RPCError).map { "\($0.code): \($0.message)" } ?? "\(error)"
    }
}
