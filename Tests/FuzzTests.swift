import Foundation
import StampedeFuzzTargets
import XCTest

/// The fuzz targets (Fuzz/, scripts/fuzz) in the suite: every committed seed and past crasher
/// replayed through its target, and a short libFuzzer run of each target, so a parser that
/// starts crashing on an input fuzzing once found, or soon finds, fails CI.
final class FuzzTests: XCTestCase {
    private let root = ReferenceTools.packageRoot

    func testEveryCommittedInputGoesThroughItsTargetWithoutACrash() throws {
        // In this process: a crash here fails the whole run, loudly. Files the targets write
        // go to a folder of the test's own.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        setenv("STAMPEDE_FUZZ_SCRATCH", scratch.path, 1)
        for target in FuzzTarget.allCases {
            var files: [URL] = []
            for folder in ["Fuzz/corpus/\(target.rawValue)", "Fuzz/regressions/\(target.rawValue)"] {
                let url = root.appendingPathComponent(folder)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
                files += names.sorted().map { url.appendingPathComponent($0) }
            }
            XCTAssertGreaterThanOrEqual(files.count, 2, "\(target) has seeds")
            for file in files { target.run(try Data(contentsOf: file)) }
        }
    }

    func testTheCommittedProtocolSeedsAreWhatTheCurrentProtocolMakes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let committed = root.appendingPathComponent("Fuzz/corpus")
        if ProcessInfo.processInfo.environment["STAMPEDE_WRITE_SEEDS"] != nil {
            // After a change to the protocol: write the seeds, then commit them.
            try Seeds.write(into: committed)
        }
        try Seeds.write(into: folder)
        let made = folder.appendingPathComponent(FuzzTarget.workerMessages.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: made.path).sorted()
        XCTAssertEqual(names.count, 3)
        for name in names {
            let file = committed.appendingPathComponent("\(FuzzTarget.workerMessages.rawValue)/\(name)")
            XCTAssertEqual(try Data(contentsOf: made.appendingPathComponent(name)), try Data(contentsOf: file),
                           "\(name): the protocol changed; write the seeds again: STAMPEDE_WRITE_SEEDS=1 swift test --filter FuzzTests")
        }
    }

    func testEachTargetFuzzesAFewHundredInputsWithoutAFinding() throws {
        // scripts/test builds the fuzzers first (scripts/fuzz build); a missing one fails here.
        let script = root.appendingPathComponent("scripts/fuzz").path
        let listed = try ReferenceTools.runChecked(script, ["list"]).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(listed, FuzzTarget.allCases.map(\.rawValue), "scripts/fuzz knows every target")
        for target in listed {
            // A count of inputs, not a time: on a busy machine a few seconds may be a handful of
            // inputs. The time bound only keeps a stuck fuzzer from holding the suite.
            let output = try ReferenceTools.run(script, ["run", target, "120", "200"], seconds: 180)
            XCTAssertEqual(output.status, 0, "\(target): \(output.stderr.suffix(3000))")
            // "fuzz TARGET: S s, N executions (R/s), …": the fuzzer really ran inputs through it.
            let executions = output.stdout.split(separator: " ").firstIndex(of: "executions").flatMap { index in
                Int(output.stdout.split(separator: " ")[index - 1])
            }
            XCTAssertGreaterThanOrEqual(executions ?? 0, 200, "\(target) ran: \(output.stdout)")
        }
    }
}
