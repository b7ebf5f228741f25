import Foundation
import XCTest

/// The fixture itself: a server that cannot start is a failure that carries nginx's words,
/// and the port race it retries on is recognised by what nginx really prints.
final class NginxFixtureTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    private func startFailure(_ config: String, ports: [Int]) -> String? {
        do {
            let process = Process()
            try NginxFixture.start(process, directory: directory, config: config, ports: ports)
            process.terminate()
            process.waitUntilExit()
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testABrokenConfigFailsWithNginxsOwnError() throws {
        let config = "daemon off; pid \(directory.path)/nginx.pid; error_log stderr; events {} http { no_such_directive on; }"
        let failure = try XCTUnwrap(startFailure(config, ports: [NginxFixture.freePort()]), "nginx cannot start on that config")
        XCTAssertTrue(failure.contains("unknown directive \"no_such_directive\""), failure)
    }

    func testATakenPortIsReportedAsAddressInUse() throws {
        // Hold a listening socket, then ask nginx for its port: what the fixture retries on.
        let (fd, port) = NginxFixture.boundSocket()
        defer { close(fd) }
        XCTAssertEqual(listen(fd, 1), 0)
        let config = """
            daemon off; pid \(directory.path)/nginx.pid; error_log \(directory.path)/error.log;
            events {} http { access_log off; server { listen 127.0.0.1:\(port); } }
            """
        let failure = try XCTUnwrap(startFailure(config, ports: [port]), "the port is taken")
        XCTAssertTrue(failure.contains("Address already in use"), failure)
    }
}
