import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOConcurrencyHelpers
import StampedeDSL
@testable import StampedeDistributed
import StampedeEngine
import XCTest

/// The coordinator's front door, in process and on a real socket: peers that speak the
/// protocol wrongly are refused with one line each, and the coordinator goes on to take the
/// worker that speaks it right.
final class CoordinatorProtocolTests: XCTestCase {
    private let plan = TestPlan(Scenario("one", executor: .sharedIterations(1, iterations: 1)) { Get("http://127.0.0.1:1/") })

    private func coordinator(version: String = "1.0.0", log: @escaping @Sendable (String) -> Void) throws -> Coordinator {
        let run = try LoadRun(plan: plan, options: RunOptions(workers: 1))
        return try Coordinator(.init(
            host: "127.0.0.1", port: 0, workerCount: 1, security: Security(token: "t"), onWorkerLoss: .abort, joinTimeout: .seconds(20),
            test: ShippedTest(request: Data("{}".utf8), files: [:]), registry: run.registry, stampedeVersion: version), log: log)
    }

    private func agent(_ address: String, version: String = "1.0.0") -> WorkerAgent {
        let parts = address.split(separator: ":")
        let plan = self.plan
        return WorkerAgent(.init(
            host: String(parts[0]), port: Int(parts[1])!, name: "w", tags: [:], capacity: 1, security: Security(token: "t"),
            connectTimeout: .seconds(5), stampedeVersion: version),
            loader: { _, _, segment in try LoadRun(plan: plan, options: RunOptions(workers: 1, segment: segment)) }, log: { _ in })
    }

    func testAWorkerOfAnotherVersionIsRefusedWithOneLineOnBothSides() throws {
        let lines = Lines()
        let coordinator = try coordinator(log: lines.append)
        defer { coordinator.finish() }
        let ending = agent(coordinator.address, version: "9.9.9").run()
        guard case .refused(let reason) = ending else { return XCTFail("refused, not \(ending)") }
        XCTAssertTrue(reason.contains("9.9.9") && reason.contains("1.0.0"), reason)
        XCTAssertTrue(lines.all.contains { $0.contains("refused") && $0.contains("9.9.9") }, "\(lines.all)")
    }

    func testMalformedAndOversizedHellosAreRefusedAndTheRightWorkerStillJoins() async throws {
        let lines = Lines()
        let coordinator = try coordinator(log: lines.append)
        defer { coordinator.finish() }
        let parts = coordinator.address.split(separator: ":")
        let port = Int(parts[1])!

        var malformed = Stampede_Distributed_V1_Hello()
        malformed.protocolVersion = Handshake.protocolVersion
        malformed.stampedeVersion = "1.0.0"
        malformed.nonce = Data([1, 2, 3])
        malformed.capacity = 1
        let answer = try await Self.send(.with { $0.hello = malformed }, port: port)
        XCTAssertEqual(try answer.get().first?.refusal.reason.contains("malformed Hello"), true, "\(answer)")

        var oversized = malformed
        oversized.nonce = Data(repeating: 7, count: 32)
        oversized.name = String(repeating: "x", count: 5 << 20)
        let refusedBySize = try await Self.send(.with { $0.hello = oversized }, port: port)
        guard case .failure(let error) = refusedBySize else { return XCTFail("a 5 MiB message is refused, got \(refusedBySize)") }
        // gRPC refuses it before the coordinator's code sees it: it resets the stream.
        XCTAssertTrue([.resourceExhausted, .unavailable].contains((error as? RPCError)?.code), "\(error)")

        // The coordinator is still there for a worker that speaks the protocol right.
        let worker = agent(coordinator.address)
        let ended = NIOLockedValueBox<WorkerAgent.Ending?>(nil)
        let thread = Thread { ended.withLockedValue { $0 = worker.run() } }
        thread.start()
        XCTAssertNoThrow(try coordinator.gather(), "\(lines.all)")
        XCTAssertTrue(lines.all.contains { $0.contains("malformed Hello") }, "\(lines.all)")
    }

    /// A check that wakes late means this process did not run: the peer's silence meanwhile
    /// is excused (its messages may be unread), and counts again from then on.
    func testAStalledCheckExcusesThePeersSilenceInsteadOfLosingIt() throws {
        let start = ContinuousClock.now
        var stall = StallDetector(period: .milliseconds(500), startingAt: start)
        XCTAssertFalse(stall.tick(start + .milliseconds(500)))
        XCTAssertFalse(stall.tick(start + .milliseconds(1_900)), "late by 0.9 s: within tolerance")
        XCTAssertTrue(stall.tick(start + .milliseconds(4_000)), "late by 1.6 s")
        XCTAssertFalse(stall.tick(start + .milliseconds(4_500)))

        let run = try LoadRun(plan: plan, options: RunOptions(workers: 1))
        let roster = Roster(expected: 1, registry: run.registry, log: { _ in }, onLoss: { _ in })
        let (_, outbox) = AsyncStream.makeStream(of: CoordinatorMessage.self)
        guard case .success(let index) = roster.join(name: "w", peer: "test", tags: [:], capacity: 1, outbox: outbox) else {
            return XCTFail("the roster refused its only worker")
        }
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(roster.silent(longerThan: .milliseconds(50)), [index])
        roster.excuseSilence()
        XCTAssertEqual(roster.silent(longerThan: .milliseconds(50)), [], "silence counts from the stall's end")
    }

    /// Opens a stream, sends `message`, and returns what the coordinator answered (or the error).
    private static func send(_ message: WorkerMessage, port: Int) async throws -> Result<[CoordinatorMessage], any Error> {
        try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)) { client in
            let coordination = Stampede_Distributed_V1_Coordination.Client(wrapping: client)
            do {
                let answers = try await coordination.attend(request: StreamingClientRequest { writer in
                    try await writer.write(message)
                }) { response in
                    var received: [CoordinatorMessage] = []
                    for try await message in response.messages { received.append(message) }
                    return received
                }
                return .success(answers)
            } catch {
                return .failure(error)
            }
        }
    }
}

/// Log lines collected from any thread.
private final class Lines: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var all: [String] { lines.withLockedValue { $0 } }
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
}
