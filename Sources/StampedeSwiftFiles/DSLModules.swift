import Foundation

/// The compiler and the module files a user's test compiles against: the ones this
/// stampede was built with, found relative to its executable.
///
/// Two layouts are known: a build folder (`swift build` leaves `Modules/` beside the
/// executable and Yams' C module in `.build/checkouts`) and an installed prefix
/// (`scripts/install` puts them in `PREFIX/lib/stampede/modules`).
struct DSLModules {
    /// `-I` folders holding StampedeDSL.swiftmodule and the modules it imports.
    let searchPath: String
    /// Clang module maps of C modules the DSL imports (Yams' CYaml).
    let moduleMaps: [String]
    /// The Swift compiler of the toolchain whose runtime this process runs on.
    let swiftc: String

    static func locate() throws(SwiftFileError) -> DSLModules {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            (executable.appendingPathComponent("../lib/stampede/modules").standardized,
             executable.appendingPathComponent("../lib/stampede/modules/CYaml/module.modulemap").standardized),
            (executable.appendingPathComponent("Modules"),
             executable.appendingPathComponent("../../checkouts/Yams/Sources/CYaml/include/module.modulemap").standardized),
        ]
        let files = FileManager.default
        guard let (modules, moduleMap) = candidates.first(where: { files.fileExists(atPath: $0.0.appendingPathComponent("StampedeDSL.swiftmodule").path) }) else {
            throw SwiftFileError("the DSL's module files are not beside this stampede (looked in \(candidates.map(\.0.path).joined(separator: " and "))); install it with scripts/install or run it from its build folder")
        }
        guard files.fileExists(atPath: moduleMap.path) else {
            throw SwiftFileError("Yams' C module map is missing at \(moduleMap.path); reinstall stampede with scripts/install")
        }
        return DSLModules(searchPath: modules.path, moduleMaps: [moduleMap.path], swiftc: try compiler())
    }

    /// swiftc beside the Swift runtime this process loaded, so the module files match; else
    /// the first on PATH. A statically linked runtime cannot share itself with a library.
    private static func compiler() throws(SwiftFileError) -> String {
        // Read by handle: /proc files claim a size of 0.
        let maps = String(decoding: FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        guard let mapped = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
              let slash = mapped.firstIndex(of: "/")
        else {
            throw SwiftFileError("this stampede links the Swift runtime statically (--static-swift-stdlib) and cannot load Swift test files; use a build without that flag")
        }
        let runtime = URL(fileURLWithPath: String(mapped[slash...])).resolvingSymlinksInPath()
        // <toolchain>/usr/lib/swift/linux/libswiftCore.so → <toolchain>/usr/bin/swiftc
        let beside = runtime.deletingLastPathComponent().appendingPathComponent("../../../bin/swiftc").standardized.path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/swiftc"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw SwiftFileError("no Swift compiler found (looked for \(beside) and swiftc on PATH); Swift test files need the Swift toolchain stampede was built with")
    }
}
