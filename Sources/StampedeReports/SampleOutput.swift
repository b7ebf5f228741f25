import Foundation
import StampedeMetrics

/// A file of every sample of a run in one of k6's output formats (`--out json=FILE`,
/// `--out csv=FILE`). Lines are rendered and written on a queue of their own, so the run's
/// driving thread only hands a second over. A write that fails (a full disk) stops the
/// writing; `finish` says so, and the run's other results are still written.
public final class SampleOutput: SampleSink, @unchecked Sendable {
    /// k6's name of the format, as `--out` takes it.
    public enum Format: String, Sendable, CaseIterable { case json, csv }

    public let path: String
    private let fd: Int32
    private let queue = DispatchQueue(label: "stampede.sample-output")
    // Touched only on `queue`.
    private var format: K6SampleFormat
    private var buffer: [UInt8] = []
    private var failure: FileWriteError?

    /// Creates (or empties) the file at `path`.
    public init(_ format: Format, path: String) throws(FileWriteError) {
        self.path = path
        self.format = K6SampleFormat(kind: format)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileWriteError(path: path, errno: errno) }
        if format == .csv { append(Array(K6SampleFormat.csvHeader.utf8)) }
    }

    deinit { close(fd) }

    public func begin(registry: MetricRegistry, thresholds: [String: [String]]) {
        queue.async { self.format.begin(registry: registry, thresholds: thresholds) }
    }

    public func write(_ span: MetricSet, endingAt unixNanos: UInt64) {
        queue.async {
            guard self.failure == nil else { return }
            self.buffer.removeAll(keepingCapacity: true)
            self.format.render(span, endingAt: unixNanos, into: &self.buffer)
            self.append(self.buffer)
        }
    }

    /// Waits until every line handed over is written; the write that failed, if one did.
    public func finish() -> FileWriteError? {
        queue.sync {
            if failure == nil, fsync(fd) != 0, errno != EINVAL { failure = FileWriteError(path: path, errno: errno) }
            return failure
        }
    }

    private func append(_ bytes: [UInt8]) {
        let error = bytes.withUnsafeBytes { writeAll(fd, $0) }
        if error != 0 { failure = FileWriteError(path: path, reason: String(cString: strerror(error)) + " (the file stops there)") }
    }
}
