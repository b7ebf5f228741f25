import Foundation
import XCTest

/// nginx on free loopback ports, for tests of what the embedded target does not speak:
/// TLS with a certificate made here, HTTP/2 over TLS and in cleartext, redirects, cookies,
/// gzip. Its access log records each request's connection, protocol and bytes.
/// A server that cannot start fails the test (never skips it), with the server's own error.
final class NginxFixture {
    let directory: URL
    private(set) var tlsPort = 0
    private(set) var plainPort = 0
    private(set) var h2cPort = 0
    /// A TLS port that asks for a client certificate and accepts only `clientCertificate`.
    private(set) var mutualTLSPort = 0
    let certificate: URL
    let clientCertificate: URL
    let clientKey: URL
    private var process = Process()

    /// A text nginx sends gzip-compressed.
    static let text = String(repeating: "stampede measures what users see. ", count: 100)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = directory.appendingPathComponent("cert.pem")
        try ReferenceTools.runChecked("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", certificate.path,
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        clientCertificate = directory.appendingPathComponent("client.pem")
        clientKey = directory.appendingPathComponent("client-key.pem")
        try ReferenceTools.runChecked("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", clientKey.path, "-out", clientCertificate.path, "-subj", "/CN=stampede-client",
        ])
        // A free port is released before nginx binds it, so another process can take it
        // first: nginx then says "Address already in use", and the fixture starts again on
        // new ports. Any other failure fails the test with nginx's own words.
        var attempt = 0
        while true {
            attempt += 1
            let ports = (Self.freePort(), Self.freePort(), Self.freePort(), Self.freePort())
            (tlsPort, plainPort, h2cPort, mutualTLSPort) = ports
            let failure: String
            do {
                try Self.start(process, directory: directory, config: Self.config(directory, certificate, clientCertificate, ports),
                               ports: [ports.0, ports.1, ports.2, ports.3])
                return
            } catch let error as FixtureError {
                failure = error.message
            }
            guard failure.contains("Address already in use"), attempt < 4 else {
                throw FixtureError(message: "nginx did not start (attempt \(attempt)): \(failure)")
            }
            process = Process()
        }
    }

    static func config(_ directory: URL, _ certificate: URL, _ clientCertificate: URL, _ ports: (Int, Int, Int, Int)) -> String {
        let (tlsPort, plainPort, h2cPort, mutualTLSPort) = ports
        return """
            daemon off; worker_processes 1; pid \(directory.path)/nginx.pid; error_log \(directory.path)/error.log;
            events { worker_connections 1024; }
            http {
              log_format stampede '$connection $server_protocol $request_uri $bytes_sent $request_length $ssl_server_name';
              access_log \(directory.path)/access.log stampede;
              keepalive_requests 100000;
              gzip on; gzip_min_length 0; gzip_types text/plain;
              default_type text/plain;
              server {
                listen 127.0.0.1:\(tlsPort) ssl http2;
                listen 127.0.0.1:\(plainPort);
                listen 127.0.0.1:\(h2cPort) http2;
                ssl_certificate \(certificate.path);
                ssl_certificate_key \(directory.path)/key.pem;
                location / { return 200 "ok"; }
                location /redirect { return 302 /final; }
                location /final { return 200 "final"; }
                location /login { add_header Set-Cookie "vu=$arg_vu; Path=/"; return 200 "logged in"; }
                location /whoami { return 200 "vu=$cookie_vu"; }
                location /headers { return 200 "ua=[$http_user_agent] ae=[$http_accept_encoding]"; }
                location /text { return 200 "\(Self.text)"; }
              }
              server {
                listen 127.0.0.1:\(mutualTLSPort) ssl;
                ssl_certificate \(certificate.path);
                ssl_certificate_key \(directory.path)/key.pem;
                ssl_verify_client on;
                ssl_client_certificate \(clientCertificate.path);
                location / { return 200 "hello $ssl_client_s_dn"; }
              }
            }
            """
    }

    /// Starts nginx on `ports` (its config's pid file must be DIRECTORY/nginx.pid) and waits
    /// until it listens; throws nginx's standard error and error.log when it exits or does
    /// not listen within 5 s.
    static func start(_ process: Process, directory: URL, config: String, ports: [Int]) throws {
        let configFile = directory.appendingPathComponent("nginx.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let stderrFile = directory.appendingPathComponent("nginx.stderr")
        guard FileManager.default.createFile(atPath: stderrFile.path, contents: nil) else {
            throw FixtureError(message: "cannot create \(stderrFile.path)")
        }
        for stale in ["error.log", "nginx.pid"] { try? FileManager.default.removeItem(at: directory.appendingPathComponent(stale)) }
        let nginx = "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: nginx) else {
            throw FixtureError(message: "\(nginx) is not installed (scripts/test installs it)")
        }
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", configFile.path, "-p", directory.path]
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        // nginx writes its pid file once every port is bound: before that, a port that
        // accepts may be someone else's.
        let pidFile = directory.appendingPathComponent("nginx.pid").path
        let ready = { FileManager.default.fileExists(atPath: pidFile) && ports.allSatisfy(accepts) }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && process.isRunning && !ready() { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning && ready() { return }
        let wasRunning = process.isRunning
        if wasRunning { process.terminate() }
        process.waitUntilExit()
        let said = [stderrFile, directory.appendingPathComponent("error.log")]
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined().trimmingCharacters(in: .whitespacesAndNewlines)
        throw FixtureError(message: (wasRunning ? "not listening on \(ports) after 5 s" : "exited with \(process.terminationStatus)")
            + "; nginx said: " + (said.isEmpty ? "nothing" : said))
    }

    func url(_ path: String, tls: Bool = false, port: Int? = nil) -> String {
        "\(tls ? "https" : "http")://127.0.0.1:\(port ?? (tls ? tlsPort : plainPort))\(path)"
    }

    /// Access-log lines so far: connection number, protocol, URI, bytes sent, request length,
    /// TLS server name ("-" without TLS).
    func log() -> [(connection: String, proto: String, uri: String, bytesSent: Int, requestLength: Int, serverName: String)] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            guard f.count == 6, let sent = Int(f[3]), let length = Int(f[4]) else { return nil }
            return (f[0], f[1], f[2], sent, length, f[5])
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port no one listens on now (it may be taken again before it is used).
    static func freePort() -> Int {
        let (fd, port) = boundSocket()
        close(fd)
        return port
    }

    /// A socket bound to a free loopback port, and the port.
    static func boundSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A test server that could not start: thrown from setUp, it fails the test with this text.
struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
