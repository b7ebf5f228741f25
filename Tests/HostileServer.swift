import Foundation
import XCTest

/// scripts/hostile-server as a test's target: a server that misbehaves in one exact way
/// (refuses, cuts bodies, resets HTTP/2 streams, answers 1xx, closes everything at once,
/// fails TLS, answers DNS with NXDOMAIN), on a free loopback port. What it saw and did,
/// read when it stops, is the truth from outside Stampede that the tests compare
/// Stampede's counts with. A server that cannot start fails the test with its own error.
final class HostileServer {
    let port: Int
    private let process: StampedeProcess

    /// Starts `hostile-server MODE ARGUMENTS…` (see the script's help) and waits until it is
    /// bound; the process is killed when the fixture goes, if the test did not stop it.
    /// With `--refuse` it is bound and not listening until `startServing()`.
    init(_ mode: String, _ arguments: [String] = [], in directory: URL) throws {
        let script = ReferenceTools.packageRoot.appendingPathComponent("scripts/hostile-server").path
        process = try StampedeProcess([script, mode] + arguments, in: directory, executable: try ReferenceTools.python())
        do {
            guard let port = Int(try process.firstOutput(#"listening (\d+)"#, timeout: 20)) else { throw FixtureError(message: "no port") }
            self.port = port
        } catch let error as FixtureError {
            throw FixtureError(message: "hostile-server \(mode) \(arguments.joined(separator: " ")) did not start: \(error.message)")
        }
    }

    var url: String { "http://127.0.0.1:\(port)/" }

    /// Makes a server started with `--refuse` listen, and waits until it does.
    func startServing(timeout: TimeInterval = 20) throws {
        process.signal(SIGUSR1)
        _ = try process.firstOutput("serving", timeout: timeout)
    }

    /// Stops the server and returns its counts: `responses`, `requests`, `truncated`,
    /// `handshake_failures`, `no_request`, `resets`, … (a count never reached is absent: 0).
    func stop(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Int] {
        process.signal(SIGTERM)
        let json = try process.firstOutput(#"stats (\{.*\})"#, timeout: 20)
        XCTAssertEqual(process.exitStatus(within: 10), 0, "hostile-server stops on SIGTERM: \(process.stderr)", file: file, line: line)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Int], json, file: file, line: line)
    }
}

/// Certificates made with openssl for one test: a CA the run trusts (`--ca-file`), a
/// certificate it signed for localhost and 127.0.0.1, and the same expired since 2020.
struct TestCertificates {
    let ca: URL
    let good: URL
    let expired: URL
    let key: URL

    init(in directory: URL) throws {
        let dir = directory.appendingPathComponent("certificates")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        (ca, good, expired, key) = (dir.appendingPathComponent("ca.pem"), dir.appendingPathComponent("good.pem"),
                                    dir.appendingPathComponent("expired.pem"), dir.appendingPathComponent("key.pem"))
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try ReferenceTools.runChecked("/usr/bin/openssl", ["req", "-x509"] + ec + [
            "-days", "1", "-keyout", path("ca-key.pem"), "-out", ca.path, "-subj", "/CN=stampede-test-ca",
        ])
        try ReferenceTools.runChecked("/usr/bin/openssl", ["req", "-new"] + ec + [
            "-keyout", key.path, "-out", path("leaf.csr"), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        // `openssl ca` is the one openssl 3.0 command that takes a start date in the past.
        try """
            [ca]
            default_ca = test
            [test]
            database = \(path("index.txt"))
            new_certs_dir = \(dir.path)
            serial = \(path("serial"))
            default_md = sha256
            policy = any
            copy_extensions = copy
            unique_subject = no
            [any]
            commonName = supplied
            """.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(toFile: path("serial"), atomically: true, encoding: .utf8)
        let sign = ["ca", "-batch", "-config", path("ca.cnf"), "-cert", ca.path, "-keyfile", path("ca-key.pem"), "-in", path("leaf.csr")]
        try ReferenceTools.runChecked("/usr/bin/openssl", sign + ["-out", good.path, "-days", "1"])
        try ReferenceTools.runChecked("/usr/bin/openssl", sign + ["-out", expired.path, "-startdate", "20200101000000Z", "-enddate", "20200102000000Z"])
    }
}
