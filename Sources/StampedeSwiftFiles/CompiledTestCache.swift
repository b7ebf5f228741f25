import Crypto
import Foundation

/// Compiled test libraries by content: the key covers the source files (names and bytes,
/// not folders: a worker's copy of a test lives in a new folder each run),
/// the DSL's module files and the compiler, so an unchanged test loads without compiling
/// and any change compiles anew. Entries are written under a temporary name and renamed, so
/// two runs compiling at once never load half a file; the least recently used go first
/// once there are more than `capacity`.
struct CompiledTestCache {
    let folder: URL
    var capacity = 64

    /// `$STAMPEDE_CACHE_DIR`, else `$XDG_CACHE_HOME/stampede/swift-tests`, else
    /// `~/.cache/stampede/swift-tests`.
    static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> CompiledTestCache {
        if let given = environment["STAMPEDE_CACHE_DIR"], !given.isEmpty {
            return CompiledTestCache(folder: URL(fileURLWithPath: given))
        }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return CompiledTestCache(folder: base.appendingPathComponent("stampede/swift-tests"))
    }

    /// The key of `sources` compiled with `flags` against `modules`.
    static func key(sources: [(name: String, contents: Data)], modules: DSLModules, flags: [String]) throws(SwiftFileError) -> String {
        var hash = SHA256()
        func add(_ text: String) { hash.update(data: Data((text + "\u{0}").utf8)) }
        for (name, contents) in sources {
            add(URL(fileURLWithPath: name).lastPathComponent)
            hash.update(data: contents)
        }
        flags.forEach(add)
        for file in [modules.searchPath + "/StampedeDSL.swiftmodule", modules.swiftc] + modules.moduleMaps {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else {
                throw SwiftFileError("cannot read \(file)")
            }
            add("\(file) \(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func path(for key: String) -> URL { folder.appendingPathComponent("\(key).so") }

    /// The library for `key` if it is cached; marks it as just used.
    func lookUp(_ key: String) -> URL? {
        let url = path(for: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
        return url
    }

    /// Runs `produce` to write a library at a temporary path, then puts it in place for `key`.
    func store(_ key: String, produce: (URL) throws(SwiftFileError) -> Void) throws(SwiftFileError) -> URL {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SwiftFileError("cannot create the cache folder \(folder.path): \(error.localizedDescription)")
        }
        let temporary = folder.appendingPathComponent("\(key).\(getpid()).partial.so")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try produce(temporary)
        let final = path(for: key)
        guard rename(temporary.path, final.path) == 0 else {
            throw SwiftFileError("cannot write \(final.path): \(String(cString: strerror(errno)))")
        }
        evictBeyondCapacity()
        return final
    }

    private func evictBeyondCapacity() {
        let files = FileManager.default
        // Another run's library in the making is not an entry yet.
        guard let entries = try? files.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
            .filter({ !$0.lastPathComponent.contains(".partial.") }),
              entries.count > capacity
        else { return }
        let byAge = entries.sorted { first, second in
            let dates = [first, second].map { (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast }
            return dates[0] < dates[1]
        }
        for old in byAge.prefix(entries.count - capacity) { try? files.removeItem(at: old) }
    }
}
