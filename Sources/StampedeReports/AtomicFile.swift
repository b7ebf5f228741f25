import Foundation

/// A results file that is complete or absent. It is written under a temporary name beside
/// its final one, flushed to the disk, then renamed over it, which is atomic within a file
/// system: a full disk, a read-only one or a process ended mid-write (a second Ctrl+C) never
/// leaves a half-written summary.json where a complete one is expected. Written in place,
/// a full disk left the first 4 KiB of summary.json behind, as if it were the whole.
///
/// A destination that is not a regular file (a pipe), or is under /dev or /proc
/// (`--summary-export /dev/stdout`), is written in place: there is nothing to rename over,
/// renaming over /dev/stdout would replace the device's link with a file, and with standard
/// output sent to a file it would swap that file from under the shell. A symbolic link is
/// written through, to its target.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        var info = stat()
        // stat follows links: a link to a pipe is the pipe.
        let special = url.path.hasPrefix("/dev/") || url.path.hasPrefix("/proc/")
        if special || (stat(url.path, &info) == 0 && info.st_mode & S_IFMT != S_IFREG) {
            try writeInPlace(data, to: url.path)
            return
        }
        // Errors name the path as given; the file goes where a link there points.
        let path = url.path, target = finalTarget(of: url)
        // Hidden, and named for this process, so two runs never share one.
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
        var failure = writeAll(fd, data)
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, target.path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw FileWriteError(path: path, errno: failure)
        }
    }

    /// Where a chain of symbolic links at `url` ends, made yet or not (Foundation's
    /// resolvingSymlinksInPath gives up on a link to a file that does not exist).
    private static func finalTarget(of url: URL) -> URL {
        var current = url
        for _ in 0..<40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path) else { break }
            current = destination.hasPrefix("/") ? URL(fileURLWithPath: destination)
                : current.deletingLastPathComponent().appendingPathComponent(destination)
        }
        return current
    }

    private static func writeInPlace(_ data: Data, to path: String) throws(FileWriteError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
        var failure = writeAll(fd, data)
        if close(fd) != 0, failure == 0 { failure = errno }
        guard failure == 0 else { throw FileWriteError(path: path, errno: failure) }
    }

    /// Writes what `contents` makes; an error in making it is reported as this file's.
    public static func write(to url: URL, _ contents: () throws -> Data) throws(FileWriteError) {
        let data: Data
        do {
            data = try contents()
        } catch {
            throw FileWriteError(path: url.path, reason: "\(error)")
        }
        try write(data, to: url)
    }
}

/// Writes all of `data` to `fd`; returns 0, or the errno of the write that failed.
func writeAll(_ fd: Int32, _ data: Data) -> Int32 {
    data.withUnsafeBytes { writeAll(fd, $0) }
}

/// Writes all of `bytes` to `fd`; returns 0, or the errno of the write that failed.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, base + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return 0
}

/// A results file that could not be written, and why, in the system's words.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno: Int32) {
        self.init(path: path, reason: String(cString: strerror(errno)))
    }

    public var description: String { "\(path): \(reason)" }
}

/// The results files of a run that could not be written: every one of them, since one that
/// fails does not stop the others.
public struct ResultsWriteError: Error, CustomStringConvertible, Sendable {
    public let failures: [FileWriteError]

    public init(failures: [FileWriteError]) { self.failures = failures }

    public var description: String { failures.map(\.description).joined(separator: "; ") }
}
