import Foundation
import StampedeTarget
import XCTest

/// The machine misbehaves (issue 12): results that cannot be written (a read-only disk, a
/// full one), an open-file limit below what the plan needs, signals in setup and teardown.
/// Each through the built binary, as a CI stage runs it (docs/reliability.md).
extension CLITests {
    /// A tmpfs mounted on a new folder of the work folder with `options` (`ro`, `size=64k`),
    /// unmounted when the test ends. Needs root, as this suite runs; a mount that fails
    /// fails the test.
    func mountTmpfs(_ name: String, options: String) throws -> URL {
        let folder = workDir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ReferenceTools.runChecked("/usr/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder.path])
        addTeardownBlock { _ = try? ReferenceTools.run("/usr/bin/umount", [folder.path], seconds: 10) }
        return folder
    }

    /// Fills the file system of `folder` until `bytes` are left free (a whole number of pages).
    func fill(_ folder: URL, leaving bytes: Int) throws {
        let filler = folder.appendingPathComponent("filler")
        guard FileManager.default.createFile(atPath: filler.path, contents: nil) else { throw FixtureError(message: "cannot create \(filler.path)") }
        let handle = try FileHandle(forWritingTo: filler)
        defer { try? handle.close() }
        let page = Data(count: 4096)
        var written: UInt64 = 0
        do {
            while true {
                try handle.write(contentsOf: page)
                written += 4096
            }
        } catch {
            // Full: ENOSPC.
        }
        try handle.truncate(atOffset: written - UInt64(bytes))
    }

    func testAPlanNeedingMoreOpenFilesThanTheLimitIsRefusedBeforeAnyLoad() throws {
        let server = try HostileServer("http1", in: workDir)
        // A hard limit of 512 open files: 1,000 VUs may hold 1,000 connections.
        let limited = ["/usr/bin/prlimit", "--nofile=512:512", StampedeProcess.binary.path, "run", "--url", server.url]
        let refused = try ReferenceTools.run(limited[0], Array(limited.dropFirst()) + ["--vus", "1000", "--duration", "2s"],
                                             seconds: 30, directory: workDir)
        assertUsageError(Result(status: refused.status, stdout: refused.stdout, stderr: refused.stderr), mentions: "open files")
        XCTAssertTrue(refused.stderr.contains("ulimit -Hn"), "says how to fix it: \(refused.stderr)")
        // Under the same limit, a plan that fits runs.
        let fits = try ReferenceTools.run(limited[0], Array(limited.dropFirst()) + ["--vus", "100", "--iterations", "200", "-q"],
                                          seconds: 60, directory: workDir)
        XCTAssertEqual(fits.status, 0, fits.stderr)
        let seen = try server.stop()
        XCTAssertEqual(seen["responses"], 200, "no load from the refused plan, all of the one that fits: \(seen)")
    }

    func testResultsOnAReadOnlyDiskAreRefusedBeforeLoadOrReportedAfterIt() throws {
        let server = try HostileServer("http1", in: workDir)
        let readOnly = try mountTmpfs("read-only", options: "ro,size=64k")
        // A results folder that cannot be made: one line, 104, and no load.
        let before = try stampede("run", "--url", server.url, "--iterations", "5", "--results-dir", readOnly.appendingPathComponent("results").path)
        assertUsageError(before, mentions: "cannot create a results folder")

        // Exports the run can only try to write at its end: the summary is printed, the
        // results folder written in full, one line names what could not be written, 107.
        let export = readOnly.appendingPathComponent("summary.json").path, junit = readOnly.appendingPathComponent("junit.xml").path
        let after = try stampede("run", "--url", server.url, "--iterations", "5", "-q", "--summary-export", export, "--junit", junit)
        XCTAssertEqual(after.status, 107, after.stderr)
        XCTAssertTrue(after.stdout.contains("█ TOTAL RESULTS"), after.stdout)
        XCTAssertEqual(after.stderr.split(separator: "\n").count, 1, after.stderr)
        XCTAssertTrue(after.stderr.hasPrefix("stampede: error: cannot write results: \(export)"), after.stderr)
        XCTAssertTrue(after.stderr.contains(junit), "both are named: \(after.stderr)")
        XCTAssertTrue(after.stderr.contains("Read-only file system"), after.stderr)
        XCTAssertEqual(try onlySummary(in: workDir)["root_group"] != nil, true, "the results folder was written all the same")
        XCTAssertEqual(try server.stop()["responses"], 5)
    }

    func testAFullDiskLeavesNoHalfWrittenSummaryAndExits107() throws {
        let server = try HostileServer("http1", in: workDir)
        let disk = try mountTmpfs("full", options: "size=64k")
        // Two pages free: one for the timeline the run appends each second, one for the first
        // 4 KiB of summary.json. Written in place, that part would be left as if complete.
        try fill(disk, leaving: 8192)
        let results = disk.appendingPathComponent("results")
        let run = try stampede("run", "--url", server.url, "--vus", "2", "--duration", "2s", "-q", "--results-dir", results.path)
        XCTAssertEqual(run.status, 107, run.stderr)
        XCTAssertTrue(run.stdout.contains("█ TOTAL RESULTS"), "the summary still prints: \(run.stdout)")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("stampede: error: cannot write results: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("summary.json"), run.stderr)
        XCTAssertTrue(run.stderr.contains("No space left on device"), run.stderr)
        let folder = try onlyResultsFolder(in: disk)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(files.contains("summary.json"), "no half-written summary.json: \(files)")
        XCTAssertEqual(files.filter { $0.hasPrefix(".") }, [], "no temporary file left behind: \(files)")
        let timeline = try String(contentsOf: folder.appendingPathComponent("timeline.ndjson"), encoding: .utf8)
        XCTAssertGreaterThanOrEqual(timeline.split(separator: "\n").count, 2, "the seconds that fitted were kept: \(timeline)")

        // Full from the start: the timeline cannot grow either. The run still goes to its end.
        try fill(disk, leaving: 0)
        let full = try stampede("run", "--url", server.url, "--vus", "2", "--duration", "2s", "-q", "--results-dir", results.path)
        XCTAssertEqual(full.status, 107, full.stderr)
        XCTAssertTrue(full.stdout.contains("█ TOTAL RESULTS"), full.stdout)
        XCTAssertEqual(full.stderr.split(separator: "\n").count, 1, full.stderr)
        XCTAssertTrue(full.stderr.contains("timeline.ndjson"), "what could not be written is named: \(full.stderr)")
        let seen = try server.stop()
        XCTAssertGreaterThan(seen["responses", default: 0], 0)
    }

    func testExportsGoThroughSymbolicLinksAndIntoPipesInsteadOfReplacingThem() throws {
        // Results files are written under a temporary name and renamed over their path; a
        // path that is a link, or a pipe (`--summary-export /dev/stdout`), must keep being one.
        let server = try HostileServer("http1", in: workDir)
        let real = workDir.appendingPathComponent("real.json"), link = workDir.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        let pipe = workDir.appendingPathComponent("junit.pipe")
        guard mkfifo(pipe.path, 0o600) == 0 else { throw FixtureError(message: "mkfifo \(pipe.path): \(String(cString: strerror(errno)))") }
        // Read and write ends at once: opening does not wait for stampede, and junit.xml fits
        // in the pipe's buffer, read after the run.
        let reader = open(pipe.path, O_RDWR | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        defer { close(reader) }
        let run = try stampede("run", "--url", server.url, "--iterations", "3", "-q", "--summary-export", link.path, "--junit", pipe.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), real.path, "still a link")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: real)) as? [String: Any]
        XCTAssertEqual(((summary?["metrics"] as? [String: Any])?["http_reqs"] as? [String: Any])?["count"] as? Int, 3)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(reader, &buffer, buffer.count)
        let junit = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
        XCTAssertTrue(junit.contains("</testsuites>"), "junit.xml came through the pipe: \(junit)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: pipe.path)[.type] as? FileAttributeType, .typeUnknown,
                       "still a pipe (Foundation has no type for a FIFO), not a file")
        XCTAssertEqual(try server.stop()["responses"], 3)
    }

    /// A plan whose setup and teardown go to servers of their own, so each phase can be
    /// caught in the middle: `slow` answers after 5 s.
    private func phasesPlan(setup: TargetServer, teardown: TargetServer, load: TargetServer) throws -> URL {
        try writePlan("phases.yaml", """
            setup: [{get: "\(setup.baseURL)/health"}]
            teardown: [{get: "\(teardown.baseURL)/health"}]
            scenarios:
              load:
                executor: shared-iterations
                vus: 2
                iterations: 10
                flow: [{get: "\(load.baseURL)/health"}]
            """)
    }

    /// The summary was printed, closed by k6's "interrupted" line, and summary.json says so.
    private func assertInterruptedWithResults(_ process: StampedeProcess, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(process.stdout.contains("█ TOTAL RESULTS"), process.stdout, file: file, line: line)
        XCTAssertTrue(finalLine(process.stdout).hasPrefix("interrupted ("), process.stdout, file: file, line: line)
        let meta = try XCTUnwrap(try onlySummary(in: workDir)["stampede"] as? [String: Any], file: file, line: line)
        XCTAssertEqual(meta["interrupted"] as? Bool, true, file: file, line: line)
    }

    func testSIGTERMDuringSetupSkipsTheLoadRunsTeardownAndExits105() throws {
        let slow = try TargetServer(options: TargetOptions(latency: .seconds(5)))
        let load = try TargetServer(), cleanup = try TargetServer()
        defer { slow.shutdown(); load.shutdown(); cleanup.shutdown() }
        let process = try StampedeProcess(["run", try phasesPlan(setup: slow, teardown: cleanup, load: load).path, "-q"], in: workDir)
        XCTAssertTrue(waitUntil(15) { slow.stats.requests == 1 }, "setup's request is in flight")
        process.signal(SIGTERM)
        XCTAssertEqual(process.exitStatus(within: 4), 105, "without waiting out setup's 5 s answer: \(process.stderr)")
        XCTAssertEqual(load.stats.requests, 0, "no load after a stop in setup")
        XCTAssertEqual(cleanup.stats.requests, 1, "teardown ran: it cleans up what setup may have made")
        try assertInterruptedWithResults(process)
    }

    func testSIGTERMDuringTeardownEndsItAndExits105() throws {
        let slow = try TargetServer(options: TargetOptions(latency: .seconds(5)))
        let load = try TargetServer(), ready = try TargetServer()
        defer { slow.shutdown(); load.shutdown(); ready.shutdown() }
        let process = try StampedeProcess(["run", try phasesPlan(setup: ready, teardown: slow, load: load).path, "-q"], in: workDir)
        XCTAssertTrue(waitUntil(15) { slow.stats.requests == 1 }, "teardown's request is in flight")
        XCTAssertEqual(load.stats.requests, 10, "the load had finished")
        process.signal(SIGTERM)
        XCTAssertEqual(process.exitStatus(within: 4), 105, "without waiting out teardown's 5 s answer: \(process.stderr)")
        try assertInterruptedWithResults(process)
    }

    func testASecondSignalEndsTheProcessAtOnceWithoutWritingResults() throws {
        // SIGTERM in setup; teardown still runs (to the slow server too); a SIGINT then ends
        // the process at once, as a user pressing Ctrl+C after a stop that takes too long.
        let slow = try TargetServer(options: TargetOptions(latency: .seconds(5)))
        let load = try TargetServer()
        defer { slow.shutdown(); load.shutdown() }
        let process = try StampedeProcess(["run", try phasesPlan(setup: slow, teardown: slow, load: load).path, "-q"], in: workDir)
        XCTAssertTrue(waitUntil(15) { slow.stats.requests == 1 }, "setup's request is in flight")
        process.signal(SIGTERM)
        XCTAssertTrue(waitUntil(5) { slow.stats.requests == 2 }, "teardown's request is in flight")
        process.signal(SIGINT)
        XCTAssertEqual(process.exitStatus(within: 2), 105, process.stderr)
        XCTAssertFalse(process.stdout.contains("█ TOTAL RESULTS"), "no summary: \(process.stdout)")
        let results = workDir.appendingPathComponent("results")
        let folder = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: results.path).first)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent(folder).path), ["timeline.ndjson"],
                       "only what was written as the run went")
        XCTAssertEqual(load.stats.requests, 0)
    }
}
