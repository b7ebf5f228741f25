import Foundation
import StampedeDSL

/// Files that multipart requests upload, read once before the load and shared read-only by
/// every worker.
final class FileStore: Sendable {
    private let files: [String: [UInt8]]

    /// Reads every file the flows' multipart parts can name: fixed paths, and templated ones
    /// rendered with each feeder row. A file that cannot be read is a `PlanError`.
    init(scenarios: [(name: String, flow: [Step], rows: [[String: String]])], env: [String: String], baseDirectory: URL?) throws(PlanError) {
        var files: [String: [UInt8]] = [:]
        for scenario in scenarios {
            for path in Self.filePaths(in: scenario.flow) {
                guard let template = Template(path) else {
                    throw PlanError("scenario '\(scenario.name)': unclosed '{{' in multipart file '\(path)'")
                }
                let rows = template.isStatic || scenario.rows.isEmpty ? [[:]] : scenario.rows
                for row in rows {
                    let rendered = template.render(VUContext(vu: 1, iteration: 0, vars: row, env: env))
                    guard files[rendered] == nil else { continue }
                    let url = rendered.hasPrefix("/") || baseDirectory == nil
                        ? URL(fileURLWithPath: rendered) : baseDirectory!.appendingPathComponent(rendered)
                    guard let data = FileManager.default.contents(atPath: url.path) else {
                        throw PlanError("scenario '\(scenario.name)': multipart file '\(rendered)': no such file")
                    }
                    files[rendered] = Array(data)
                }
            }
        }
        self.files = files
    }

    /// Every path read before the load, as the flows name them.
    var paths: [String] { Array(files.keys) }

    /// The file's bytes; a path no feeder row named is read now.
    func contents(of path: String) -> [UInt8] {
        files[path] ?? FileManager.default.contents(atPath: path).map(Array.init) ?? []
    }

    private static func filePaths(of spec: RequestSpec) -> [String] {
        (spec.multipart ?? []).compactMap { if case .file(_, let path, _, _) = $0 { path } else { nil } }
    }

    private static func filePaths(in steps: [Step]) -> [String] {
        steps.flatMap { step -> [String] in
            switch step {
            case .request(let spec):
                return filePaths(of: spec)
            case .batch(let specs):
                return specs.flatMap(filePaths(of:))
            case .group(_, let inner), .loop(_, let inner): return filePaths(in: inner)
            case .branch(_, let then, let otherwise): return filePaths(in: then) + filePaths(in: otherwise)
            case .think, .code: return []
            }
        }
    }
}

/// multipart/form-data (RFC 7578), built when a request is sent.
enum MultipartBody {
    static let boundary = "stampede-\(UInt64.random(in: .min ... .max))"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    static func render(_ parts: [MultipartPart], context: VUContext, files: FileStore) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            switch part {
            case .field(let name, let value):
                body += Array("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
                body += Array((Template(value)?.render(context) ?? value).utf8)
            case .file(let name, let path, let filename, let contentType):
                let rendered = Template(path)?.render(context) ?? path
                let shownName = filename.map { Template($0)?.render(context) ?? $0 } ?? URL(fileURLWithPath: rendered).lastPathComponent
                body += Array("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(shownName)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
                body += files.contents(of: rendered)
            }
            body += Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }
}
