import Foundation

/// A test as a coordinator sends it: the command line's request (JSON the CLI reads back)
/// and every file the test is written in or reads, by path relative to the test's folder.
/// Workers need nothing but the binary (and, for Swift files, the Swift toolchain).
public struct ShippedTest: Sendable {
    /// The `TestRequest` JSON; its plan file or Swift files are among `files`, by name.
    public let request: Data
    public let files: [String: Data]

    public init(request: Data, files: [String: Data]) {
        self.request = request
        self.files = files
    }

    /// Reads the test's own files (`sources`: its plan file or Swift files, all in `folder`)
    /// and the files it names (`inputs`, as the test gives them) from `folder`. Paths must
    /// stay inside the folder: a worker rebuilds it elsewhere.
    public static func collect(request: Data, sources: [String], inputs: [String], folder: URL) throws(ShipError) -> ShippedTest {
        var files: [String: Data] = [:]
        for source in sources where URL(fileURLWithPath: source).deletingLastPathComponent().standardized != folder.standardized {
            throw ShipError("'\(source)' is not in \(folder.path): a distributed test's files must share one folder")
        }
        for path in sources.map({ URL(fileURLWithPath: $0).lastPathComponent }) + inputs {
            guard isRelativeInside(path) else {
                throw ShipError("'\(path)' is outside the test's folder; a distributed test ships files by paths relative to its plan or Swift files")
            }
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) else {
                throw ShipError("cannot read '\(path)' in \(folder.path) to ship it to the workers")
            }
            files[path] = data
        }
        return ShippedTest(request: request, files: files)
    }

    /// Writes the files into a new folder of `parent` and returns it.
    func materialize(in parent: URL = FileManager.default.temporaryDirectory) throws(ShipError) -> URL {
        let folder = parent.appendingPathComponent("stampede-test-\(UUID().uuidString)")
        do {
            for (path, data) in files {
                guard Self.isRelativeInside(path) else { throw ShipError("the coordinator sent a file outside the test's folder: '\(path)'") }
                let url = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
        } catch let error as ShipError {
            throw error
        } catch {
            throw ShipError("cannot write the test's files under \(parent.path): \(error.localizedDescription)")
        }
        return folder
    }

    private static func isRelativeInside(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}

/// A test that cannot be shipped or unpacked, in one line.
public struct ShipError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
