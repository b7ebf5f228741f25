import Foundation
import StampedeTarget
import XCTest

/// The machine misbehaves (issue 12): results that cannot be written (a read-only disk, a
/// full one).
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
        let folders = try FileManager.default.contentsOfDirectory(atPath: results.path)
        XCTAssertEqual(folders.count, 1, "\(folders)")
        let folder = results.appendingPathComponent(folders.first ?? "")
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
}
