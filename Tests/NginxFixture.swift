import Foundation
import XCTest

/// nginx on free loopback ports, for tests of what the embedded target does not speak:
/// TLS with a certificate made here, HTTP/2 over TLS and in cleartext, redirects, cookies,
/// gzip. Its access log records each request's connection, protocol and bytes.
final class NginxFixture {
    let directory: URL
    let tlsPort: Int
    let plainPort: Int
    let h2cPort: Int
    /// A TLS port that asks for a client certificate and accepts only `clientCertificate`.
    let mutualTLSPort: Int
    let certificate: URL
    let clientCertificate: URL
    let clientKey: URL
    private let process = Process()

    /// A text nginx sends gzip-compressed.
    static let text = String(repeating: "stampede measures what users see. ", count: 100)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = directory.appendingPathComponent("cert.pem")
        try Self.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", certificate.path,
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        clientCertificate = directory.appendingPathComponent("client.pem")
        clientKey = directory.appendingPathComponent("client-key.pem")
        try Self.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", clientKey.path, "-out", clientCertificate.path, "-subj", "/CN=stampede-client",
        ])
        (tlsPort, plainPort, h2cPort, mutualTLSPort) = (Self.freePort(), Self.freePort(), Self.freePort(), Self.freePort())
        let config = """
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
        let configFile = directory.appendingPathComponent("nginx.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-c", configFile.path, "-p", directory.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !Self.accepts(plainPort) { Thread.sleep(forTimeInterval: 0.05) }
        guard Self.accepts(plainPort) else { throw XCTSkip("nginx did not start") }
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

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("\(tool) failed") }
    }

    private static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
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
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
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
