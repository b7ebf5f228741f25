import Foundation

/// The names of the symbols a shared library exports (its `.dynsym` section), read from
/// the file: `dlsym` finds a symbol by name but cannot list them.
enum ELFSymbols {
    /// Exported, defined symbols of the 64-bit little-endian ELF file at `path`, ordered by
    /// address (code is laid out in declaration order, so this is roughly source order).
    static func defined(in path: String) throws(SwiftFileError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SwiftFileError("cannot read the compiled test \(path)")
        }
        let names = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> [String]? in
            guard bytes.count >= 64, bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46, 2, 1]) else { return nil }
            func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
                guard offset + MemoryLayout<T>.size <= bytes.count else { return 0 }
                return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            let sectionTable = Int(integer(0x28, UInt64.self))
            let sectionSize = Int(integer(0x3A, UInt16.self))
            let sectionCount = Int(integer(0x3C, UInt16.self))
            func section(_ index: Int) -> (type: UInt32, offset: Int, size: Int, link: Int) {
                let base = sectionTable + index * sectionSize
                return (integer(base + 4, UInt32.self), Int(integer(base + 0x18, UInt64.self)),
                        Int(integer(base + 0x20, UInt64.self)), Int(integer(base + 0x28, UInt32.self)))
            }
            let dynamicSymbolTable: UInt32 = 11
            guard let symbols = (0..<sectionCount).lazy.map(section).first(where: { $0.type == dynamicSymbolTable }),
                  symbols.link < sectionCount
            else { return [] }
            let names = section(symbols.link)
            var found: [(address: UInt64, name: String)] = []
            let entrySize = 24
            for entry in stride(from: symbols.offset, to: symbols.offset + symbols.size, by: entrySize) {
                let nameOffset = names.offset + Int(integer(entry, UInt32.self))
                let sectionIndex = integer(entry + 6, UInt16.self)
                guard sectionIndex != 0, nameOffset < names.offset + names.size, nameOffset < bytes.count else { continue }
                let tail = bytes[nameOffset...]
                let end = tail.firstIndex(of: 0) ?? bytes.endIndex
                found.append((integer(entry + 8, UInt64.self), String(decoding: bytes[nameOffset..<end], as: UTF8.self)))
            }
            return found.sorted { $0.address < $1.address }.map(\.name)
        }
        guard let names else { throw SwiftFileError("\(path) is not a 64-bit little-endian ELF library") }
        return names
    }
}
