import Foundation
import XCTest

/// Three "regions" as network namespaces made by the test, each with a worker and its own
/// target on the namespace's loopback, slower the farther the region; the coordinator in
/// the root namespace reaches the workers over veth links. The per-region breakdown must
/// show the latency difference. (This kernel has no netem: the targets' own latency stands
/// for the distance.)
final class GeographyTests: XCTestCase {
    private let regions: [(name: String, latency: Int)] = [("eu", 2), ("us", 25), ("apac", 60)]
    private var namespaces: [String] = []
    private var processes: [StampedeProcess] = []
    private var workDir: URL!

    override func setUpWithError() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-geo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for process in processes where process.process.isRunning { process.signal(SIGKILL) }
        for namespace in namespaces { _ = try? Self.ip(["netns", "del", namespace]) }
        try? FileManager.default.removeItem(at: workDir)
    }

    @discardableResult
    private static func ip(_ arguments: [String]) throws -> ReferenceTools.Output {
        let result = try ReferenceTools.run("/usr/sbin/ip", arguments, seconds: 10)
        guard result.status == 0 else {
            throw ReferenceTools.Failure(description: "ip \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result
    }

    /// A namespace with a veth link to the root namespace: 10.231.N.1 here, 10.231.N.2 there.
    private func makeRegion(_ index: Int) throws -> (namespace: String, hostAddress: String) {
        let tag = "\(getpid() % 10000)x\(index)"
        let namespace = "stampede-geo-\(tag)"
        try Self.ip(["netns", "add", namespace])
        namespaces.append(namespace)
        let (outside, inside) = ("stgo\(tag)", "stgi\(tag)")
        try Self.ip(["link", "add", outside, "type", "veth", "peer", "name", inside])
        try Self.ip(["link", "set", inside, "netns", namespace])
        try Self.ip(["addr", "add", "10.231.\(index).1/30", "dev", outside])
        try Self.ip(["link", "set", outside, "up"])
        try Self.ip(["netns", "exec", namespace, "ip", "addr", "add", "10.231.\(index).2/30", "dev", inside])
        try Self.ip(["netns", "exec", namespace, "ip", "link", "set", inside, "up"])
        try Self.ip(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        return (namespace, "10.231.\(index).1")
    }

    func testWorkersInThreeRegionsShowTheirLatencyDifferenceInOneVerdict() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else {
            throw XCTSkip("network namespaces need root and iproute2 (ip): not available here")
        }
        let made: [(namespace: String, hostAddress: String)]
        do {
            made = try regions.indices.map(makeRegion)
        } catch {
            throw XCTSkip("network namespaces cannot be made here: \(error)")
        }
        let port = 18_080
        let binary = StampedeProcess.binary.path
        for ((name, latency), region) in zip(regions, made) {
            let target = try StampedeProcess(
                ["netns", "exec", region.namespace, binary, "target", "--port", "\(port)", "--latency", "\(latency)ms"],
                in: workDir, executable: "/usr/sbin/ip")
            processes.append(target)
            XCTAssertNotNil(target.waitForOutput("business-support API on"), "target in \(name)")
        }
        let token = "geo-\(UUID().uuidString)"
        let coordinator = try StampedeProcess(
            ["coordinator", "--url", "http://127.0.0.1:\(port)/health", "--vus", "6", "--duration", "3s", "--workers", "3",
             "--listen", "0.0.0.0:0", "--token", token, "--quiet"], in: workDir)
        processes.append(coordinator)
        let listenPort = try XCTUnwrap(coordinator.waitForError(#"waiting for 3 workers on 0\.0\.0\.0:(\d+)"#))
        let workers = try zip(regions, made).map { region, made in
            try StampedeProcess(
                ["netns", "exec", made.namespace, binary, "worker", "--coordinator", "\(made.hostAddress):\(listenPort)",
                 "--tag", "region=\(region.name)", "--workers", "1", "--token", token, "--connect-timeout", "10s"],
                in: workDir, executable: "/usr/sbin/ip")
        }
        processes += workers
        XCTAssertEqual(coordinator.exitStatus(within: 60), 0, coordinator.stderr)
        for worker in workers { XCTAssertEqual(worker.exitStatus(within: 10), 0, worker.stderr) }

        let summary = try onlySummary(in: workDir)
        let tags = try XCTUnwrap(((summary["stampede"] as? [String: Any])?["distributed"] as? [String: Any])?["tags"] as? [[String: Any]])
        var p95: [String: Double] = [:]
        for part in tags { p95[part["name"] as? String ?? ""] = part["http_req_duration_p95_ms"] as? Double }
        let eu = try XCTUnwrap(p95["region=eu"]), us = try XCTUnwrap(p95["region=us"]), apac = try XCTUnwrap(p95["region=apac"])
        // Each region's p95 sits at its target's delay or a little above, in the regions' order.
        XCTAssertGreaterThanOrEqual(eu, 2)
        XCTAssertLessThan(eu, 20, "eu: \(p95)")
        XCTAssertGreaterThanOrEqual(us, 25)
        XCTAssertLessThan(us, 55, "us: \(p95)")
        XCTAssertGreaterThanOrEqual(apac, 60, "apac: \(p95)")
        XCTAssertTrue(coordinator.stdout.contains("tag region=apac"), coordinator.stdout)
    }
}
