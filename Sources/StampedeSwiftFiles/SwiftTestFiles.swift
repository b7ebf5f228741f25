import Foundation
import NIOConcurrencyHelpers
import StampedeDSL

/// Tests written in the DSL in a user's own Swift files: compiled together as one module
/// against this stampede's DSL, cached by content, loaded into this process.
///
/// A file declares a test as a top-level `let` of type `TestPlan`, or of type `Scenario`
/// when it declares no plan (each scenario is then a test of its own), as the built-in
/// tests are declared. docs/scenarios.md is the user's guide.
public struct SwiftTestFiles: Sendable {
    /// The files, as given.
    public let files: [String]
    /// Their tests, in declaration order.
    public let tests: [TestPlan]

    /// Whether a command-line argument names a Swift file.
    public static func isSwiftFile(_ argument: String) -> Bool {
        argument.hasSuffix(".swift")
    }

    /// The Swift files directly inside `folder`, sorted, or nil if it is not a folder.
    public static func files(inFolder folder: String) -> [String]? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
        else { return nil }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return names.filter(isSwiftFile).sorted().map { base + $0 }
    }

    /// The tests `files` declare, compiled unless this exact content was compiled before.
    /// `log` hears one line when a compile starts. Loaded once per process.
    public static func load(_ files: [String], log: (String) -> Void = { _ in }) throws(SwiftFileError) -> SwiftTestFiles {
        let key = files.joined(separator: "\u{0}")
        if let loaded = loaded.withLockedValue({ $0[key] }) { return loaded }
        let library = try compile(files, log: log)
        let tests = try TestLibrary.load(library.path)
        guard !tests.isEmpty else {
            throw SwiftFileError("\(describe(files)) declares no test: declare a top-level `let` of type TestPlan or Scenario (docs/scenarios.md)")
        }
        var seen = Set<String>()
        for test in tests where !seen.insert(test.name).inserted {
            throw SwiftFileError("\(describe(files)) declares two tests named '\(test.name)'")
        }
        let result = SwiftTestFiles(files: files, tests: tests)
        loaded.withLockedValue { $0[key] = result }
        return result
    }

    /// The test named `name`.
    public func test(named name: String) throws(SwiftFileError) -> TestPlan {
        guard let test = tests.first(where: { $0.name == name }) else {
            throw SwiftFileError("\(Self.describe(files)) declares no test '\(name)'; it declares: \(tests.map(\.name).joined(separator: ", "))")
        }
        return test
    }

    private static let loaded = NIOLockedValueBox<[String: SwiftTestFiles]>([:])

    /// Flags of every compile: a library (no `main`), internal constants exported so they
    /// can be found, optimised because Code steps run on the request path.
    static let flags = ["-parse-as-library", "-emit-library", "-enable-testing", "-O"]

    private static func compile(_ files: [String], log: (String) -> Void) throws(SwiftFileError) -> URL {
        var sources: [(name: String, contents: Data)] = []
        for file in files {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw SwiftFileError("cannot read \(file): no such file (looked for \(URL(fileURLWithPath: file).standardized.path))")
            }
            sources.append((file, contents))
        }
        let modules = try DSLModules.locate()
        let cache = CompiledTestCache.standard()
        let moduleName = moduleName(for: files, besides: modules)
        let key = try CompiledTestCache.key(sources: sources, modules: modules, flags: flags + [moduleName])
        if let cached = cache.lookUp(key) { return cached }
        log("compiling \(describe(files))")
        return try cache.store(key) { (output: URL) throws(SwiftFileError) in
            var arguments = flags + ["-module-name", moduleName, "-I", modules.searchPath]
            for map in modules.moduleMaps { arguments += ["-Xcc", "-fmodule-map-file=\(map)"] }
            arguments += files + ["-o", output.path]
            let compiler = Process()
            compiler.executableURL = URL(fileURLWithPath: modules.swiftc)
            compiler.arguments = arguments
            // The driver finds its linker on PATH, which a CI job or a cron entry may not set.
            var environment = ProcessInfo.processInfo.environment
            let toolchain = URL(fileURLWithPath: modules.swiftc).deletingLastPathComponent().path
            environment["PATH"] = "\(toolchain):\(environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")"
            compiler.environment = environment
            // swiftc's own diagnostics, file:line first, go straight to the user.
            compiler.standardOutput = FileHandle.standardError
            do {
                try compiler.run()
            } catch {
                throw SwiftFileError("cannot start \(modules.swiftc): \(error.localizedDescription)")
            }
            compiler.waitUntilExit()
            guard compiler.terminationReason == .exit, compiler.terminationStatus == 0 else {
                throw SwiftFileError("\(describe(files)) did not compile (swiftc's errors are above)")
            }
        }
    }

    /// The first file's name as a module name, kept apart from the modules it imports.
    private static func moduleName(for files: [String], besides modules: DSLModules) -> String {
        let base = URL(fileURLWithPath: files[0]).deletingPathExtension().lastPathComponent
        var name = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if name.first?.isNumber ?? true { name = "_" + name }
        let taken = ["Swift", "Foundation", "Dispatch", "Glibc", "Synchronization", "CYaml"]
        if taken.contains(name) || FileManager.default.fileExists(atPath: "\(modules.searchPath)/\(name).swiftmodule") {
            name += "Tests"
        }
        return name
    }

    static func describe(_ files: [String]) -> String {
        files.count == 1 ? files[0] : "\(files[0]) (with \(files.count - 1) more file\(files.count == 2 ? "" : "s"))"
    }
}
