import StampedeDSL
import StampedeEngine
import StampedeMetrics
import XCTest

/// The HTTP surface against nginx: TLS, HTTP/2 multiplexing, h2c, cookies per VU,
/// redirects, compression, DNS overrides.
final class HTTPTests: XCTestCase {
    private var nginx: NginxFixture!

    override func setUpWithError() throws { nginx = try NginxFixture() }
    override func tearDown() { nginx?.stop() }

    private func run(_ scenario: Scenario, http: HTTPOptions = HTTPOptions(), workers: Int = 2) throws -> (totals: MetricSet, registry: MetricRegistry) {
        var plan = TestPlan(scenario)
        plan.http = http
        let run = try LoadRun(plan: plan, options: RunOptions(workers: workers))
        return (run.run().totals, run.registry)
    }

    private func checkResult(_ name: String, _ result: (totals: MetricSet, registry: MetricRegistry)) -> Rate? {
        result.registry.checks.first { $0.name == name }.map { result.totals.checkResults[$0.slot] }
    }

    func testHTTP2OverTLSMultiplexesManyRequestsOverFewConnections() throws {
        var http = HTTPOptions()
        http.caFile = nginx.certificate.path
        http.connectionsPerHost = 1
        http.connectionScope = .worker
        let scenario = Scenario("h2", executor: .sharedIterations(20, iterations: 400)) {
            Get(nginx.url("/", tls: true)).check(.proto("HTTP/2.0"))
        }
        let result = try run(scenario, http: http)
        XCTAssertEqual(result.totals[BuiltinMetrics.httpReqs], 400)
        XCTAssertEqual(checkResult("protocol is HTTP/2.0", result)?.trues, 400)
        XCTAssertGreaterThan(result.totals[BuiltinMetrics.httpReqTLSHandshaking].percentile(100), 0, "the handshake was timed")
        let log = nginx.log()
        XCTAssertEqual(log.count, 400)
        XCTAssertTrue(log.allSatisfy { $0.proto == "HTTP/2.0" })
        XCTAssertLessThanOrEqual(Set(log.map(\.connection)).count, 2, "20 concurrent VUs, one connection per worker")
    }

    func testEachVUHasItsOwnConnectionsAndABatchMultiplexesOnOne() throws {
        var http = HTTPOptions()
        http.caFile = nginx.certificate.path
        let scenario = Scenario("users", executor: .perVUIterations(4, iterations: 5)) {
            Batch {
                for _ in 0..<8 { Get(nginx.url("/", tls: true)) }
            }
        }
        let result = try run(scenario, http: http, workers: 1)
        XCTAssertEqual(result.totals[BuiltinMetrics.httpReqs], 160)
        let log = nginx.log()
        XCTAssertEqual(log.count, 160)
        XCTAssertEqual(Set(log.map(\.connection)).count, 4, "one HTTP/2 connection per VU, 8 streams at once on it")
    }

    func testServerNameOverridesSNIAndClientCertificatesAreSent() throws {
        var http = HTTPOptions()
        http.caFile = nginx.certificate.path
        http.serverName = "localhost"
        let sni = Scenario("sni", executor: .sharedIterations(1, iterations: 3)) { Get(nginx.url("/", tls: true)).check(.status(200)) }
        XCTAssertEqual(checkResult("status is 200", try run(sni, http: http))?.trues, 3)
        XCTAssertEqual(Set(nginx.log().map(\.serverName)), ["localhost"], "the name went out as SNI")
        http.serverName = "elsewhere.test"
        XCTAssertEqual(try run(sni, http: http).totals.errors[ErrorClass.tlsFailure.rawValue], 3, "the certificate is not for that name")

        var mutual = HTTPOptions()
        mutual.caFile = nginx.certificate.path
        let client = Scenario("client", executor: .sharedIterations(1, iterations: 2)) {
            Get(nginx.url("/", tls: true, port: nginx.mutualTLSPort)).check(.bodyContains("CN=stampede-client"))
        }
        XCTAssertEqual(try run(client, http: mutual).totals.errors[ErrorClass.http4xx.rawValue], 2, "no certificate, no entry")
        mutual.clientCertificate = nginx.clientCertificate.path
        mutual.clientKey = nginx.clientKey.path
        XCTAssertEqual(checkResult("body contains 'CN=stampede-client'", try run(client, http: mutual))?.trues, 2)
    }

    func testConnectionReuseCanBeTurnedOffPerIterationOrPerRequest() throws {
        let scenario = Scenario("reuse", executor: .perVUIterations(2, iterations: 3)) {
            Get(nginx.url("/"))
            Get(nginx.url("/final"))
        }
        var perIteration = HTTPOptions()
        perIteration.noVUConnectionReuse = true
        _ = try run(scenario, http: perIteration, workers: 1)
        XCTAssertEqual(Set(nginx.log().map(\.connection)).count, 6, "a new connection each iteration, reused within it")
        var never = HTTPOptions()
        never.noConnectionReuse = true
        never.minTLSVersion = .tls1_2
        _ = try run(scenario, http: never, workers: 1)
        XCTAssertEqual(Set(nginx.log().map(\.connection)).count, 6 + 12, "a new connection every request")
    }

    func testCleartextHTTP2WithPriorKnowledge() throws {
        var http = HTTPOptions()
        http.version = .http2
        let scenario = Scenario("h2c", executor: .sharedIterations(4, iterations: 40)) {
            Get(nginx.url("/", port: nginx.h2cPort)).check(.proto("HTTP/2.0"))
        }
        XCTAssertEqual(checkResult("protocol is HTTP/2.0", try run(scenario, http: http))?.trues, 40)
    }

    func testTLSVerificationFailsAgainstAnUnknownCertificateUnlessTold() throws {
        let scenario = Scenario("tls", executor: .sharedIterations(2, iterations: 10)) { Get(nginx.url("/", tls: true)) }
        let refused = try run(scenario).totals
        XCTAssertEqual(refused[BuiltinMetrics.httpReqFailed].trues, 10)
        XCTAssertEqual(refused.errors[ErrorClass.tlsFailure.rawValue], 10)
        var insecure = HTTPOptions()
        insecure.insecureSkipTLSVerify = true
        XCTAssertEqual(try run(scenario, http: insecure).totals[BuiltinMetrics.httpReqFailed].trues, 0)
        var trusted = HTTPOptions()
        trusted.caFile = nginx.certificate.path
        trusted.version = .http1
        let verified = try run(scenario, http: trusted).totals
        XCTAssertEqual(verified[BuiltinMetrics.httpReqFailed].trues, 0)
    }

    func testCookiesSetByTheServerComeBackFromTheSameVUOnly() throws {
        let exact = Scenario("cookies", executor: .perVUIterations(6, iterations: 5)) {
            Get(nginx.url("/login?vu={{__VU}}"))
            Get(nginx.url("/whoami")).check("my own cookie", .bodyContains("vu={{__VU}}"))
        }
        let result = try run(exact)
        XCTAssertEqual(checkResult("my own cookie", result)?.trues, 30)
        XCTAssertEqual(checkResult("my own cookie", result)?.falses, 0)
    }

    func testRedirectsAreFollowedAndEveryHopCounted() throws {
        let scenario = Scenario("redirect", executor: .sharedIterations(2, iterations: 10)) {
            Get(nginx.url("/redirect")).check(.bodyContains("final")).check(.status(200))
        }
        let followed = try run(scenario)
        XCTAssertEqual(followed.totals[BuiltinMetrics.httpReqs], 20, "two hops each")
        XCTAssertEqual(nginx.log().count, 20)
        XCTAssertEqual(checkResult("body contains 'final'", followed)?.trues, 10)
        var off = HTTPOptions()
        off.maxRedirects = 0
        let stopped = try run(scenario, http: off)
        XCTAssertEqual(checkResult("status is 200", stopped)?.falses, 10, "the 302 came back as is")
        XCTAssertEqual(stopped.totals[BuiltinMetrics.httpReqFailed].trues, 0, "a 3xx is an expected response")
    }

    func testGzipBodiesAreDecodedForChecksAndCountedAsSentOnTheWire() throws {
        let scenario = Scenario("gzip", executor: .sharedIterations(1, iterations: 5)) {
            Get(nginx.url("/text")).check("decoded", .bodyContains("users see. stampede"))
        }
        var compression = HTTPOptions()
        compression.compression = true
        let result = try run(scenario, http: compression, workers: 1)
        XCTAssertEqual(checkResult("decoded", result)?.trues, 5)
        let wire = nginx.log().reduce(0) { $0 + $1.bytesSent }
        let counted = Int(result.totals[BuiltinMetrics.dataReceived])
        // libcurl reports headers and the compressed body, not the chunked-encoding framing
        // around it ("2a3\r\n" … "\r\n0\r\n\r\n"): about a dozen bytes a response.
        XCTAssertLessThanOrEqual(counted, wire, "bytes as compressed on the wire")
        XCTAssertLessThanOrEqual(wire - counted, 5 * 16, "all but the chunk framing")
        XCTAssertLessThan(wire, 5 * NginxFixture.text.utf8.count, "the body was compressed")

        // Without `compression`, a request that asks for gzip itself is decoded all the same.
        let asked = Scenario("asked", executor: .sharedIterations(1, iterations: 1)) {
            Get(nginx.url("/text"), headers: [Header("Accept-Encoding", "gzip")]).check("decoded", .bodyContains("users see. stampede"))
        }
        XCTAssertEqual(checkResult("decoded", try run(asked, workers: 1))?.trues, 1)
        XCTAssertLessThan(nginx.log().last?.bytesSent ?? .max, NginxFixture.text.utf8.count, "it came compressed")
    }

    func testDefaultHeadersAreSentUnlessTheRequestSetsItsOwn() throws {
        let scenario = Scenario("headers", executor: .sharedIterations(1, iterations: 1)) {
            Get(nginx.url("/headers")).check("defaults", .bodyContains("ua=[stampede] ae=[]"))
            Get(nginx.url("/headers?vu={{__VU}}")).check("templated", .bodyContains("ua=[stampede] ae=[]"))
            Get(nginx.url("/headers"), headers: [Header("User-Agent", "mine/1"), Header("Accept-Encoding", "identity")])
                .check("own", .bodyContains("ua=[mine/1] ae=[identity]"))
        }
        let result = try run(scenario, workers: 1)
        XCTAssertEqual(checkResult("defaults", result)?.trues, 1, "k6's defaults: no Accept-Encoding")
        XCTAssertEqual(checkResult("templated", result)?.trues, 1, "a request rendered per VU carries them too")
        XCTAssertEqual(checkResult("own", result)?.trues, 1)
        var asking = HTTPOptions()
        asking.compression = true
        asking.userAgent = ""
        let compressed = Scenario("asking", executor: .sharedIterations(1, iterations: 1)) {
            Get(nginx.url("/headers")).check("asking", .bodyContains("ua=[] ae=[deflate, gzip"))
        }
        XCTAssertEqual(checkResult("asking", try run(compressed, http: asking, workers: 1))?.trues, 1)
    }

    func testResolveOverridesDNS() throws {
        var http = HTTPOptions()
        http.resolve = ["stampede.test:\(nginx.plainPort):127.0.0.1"]
        let scenario = Scenario("dns", executor: .sharedIterations(1, iterations: 3)) {
            Get("http://stampede.test:\(nginx.plainPort)/").check(.status(200))
        }
        XCTAssertEqual(checkResult("status is 200", try run(scenario, http: http))?.trues, 3)
    }
}

extension HTTPTests {
    /// nginx's access log numbers connections: a worker's 8 VUs sharing HTTP/1.1 connections
    /// use at most `connectionsPerHost` of them, and more without the limit.
    func testConnectionsPerHostBoundsTheConnections() throws {
        var shared = HTTPOptions()
        shared.connectionScope = .worker
        shared.connectionsPerHost = 2
        let scenario = Scenario("limited", executor: .sharedIterations(8, iterations: 80)) { Get(nginx.url("/")) }
        XCTAssertEqual(try run(scenario, http: shared, workers: 1).totals[BuiltinMetrics.httpReqFailed].trues, 0)
        let limited = Set(nginx.log().map(\.connection))
        XCTAssertLessThanOrEqual(limited.count, 2, "8 VUs through at most 2 connections")
        shared.connectionsPerHost = 0
        _ = try run(scenario, http: shared, workers: 1)
        XCTAssertGreaterThan(Set(nginx.log().map(\.connection)).subtracting(limited).count, 2, "the control: no limit, more connections")
    }
}
