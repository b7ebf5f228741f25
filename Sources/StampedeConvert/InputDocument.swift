import Foundation
internal import Yams

/// The file given to `stampede convert`, read and told apart: a HAR recording is JSON with
/// a `log` holding `entries`; an OpenAPI document, JSON or YAML, has an `openapi` version.
/// Every way it can fail is one line naming the file.
struct InputDocument {
    enum Kind: CustomStringConvertible {
        case har
        case openAPI(version: String)

        var description: String {
            switch self {
            case .har: "a HAR recording"
            case .openAPI(let version): "an OpenAPI \(version) document"
            }
        }
    }

    let path: String
    let data: Data
    let kind: Kind

    func fail(_ message: String) -> ConvertError { ConvertError("\(path): \(message)") }

    static func load(_ path: String) throws(ConvertError) -> InputDocument {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConvertError("\(path): no such file (looked for \(URL(fileURLWithPath: path).standardized.path))")
        }
        guard !isFolder.boolValue else { throw ConvertError("\(path): is a folder; give a .har, .json or .yaml file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConvertError("\(path): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ConvertError("\(path): not UTF-8 text (a HAR file or an OpenAPI document is JSON or YAML)") }
        guard let first = text.first(where: { !$0.isWhitespace }) else { throw ConvertError("\(path): the file is empty") }

        // JSON starts with a bracket; anything else is read as YAML (of which JSON is a part).
        let isJSON = first == "{" || first == "["
        let root: Any
        if isJSON {
            do {
                root = try JSONSerialization.jsonObject(with: data)
            } catch {
                let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
                throw ConvertError("\(path): not valid JSON: \(detail)")
            }
        } else {
            do {
                root = try Yams.load(yaml: text) as Any
            } catch let YamlError.scanner(_, problem, mark, _), let YamlError.parser(_, problem, mark, _) {
                throw ConvertError("\(path):\(mark.line): not valid YAML or JSON: \(problem)")
            } catch let YamlError.reader(problem, _, _, _) {
                throw ConvertError("\(path): not valid YAML or JSON: \(problem)")
            } catch {
                throw ConvertError("\(path): not valid YAML or JSON: \(error)")
            }
        }
        guard let object = root as? [String: Any] else {
            let what = root is [Any] ? "a list" : root is String ? "plain text" : "a single value"
            throw ConvertError("\(path): neither a HAR recording nor an OpenAPI document: it holds \(what), not a mapping of keys")
        }
        let kind: Kind
        if let log = object["log"] as? [String: Any], log["entries"] is [Any] {
            guard isJSON else { throw ConvertError("\(path): a HAR recording is JSON; this one looks like YAML") }
            kind = .har
        } else if let version = object["openapi"] {
            kind = .openAPI(version: "\(version)")
        } else if let version = object["swagger"] {
            throw ConvertError("\(path): a Swagger \(version) document; stampede convert reads OpenAPI 3.0 and 3.1: convert it to OpenAPI 3 first")
        } else {
            let keys = object.keys.sorted().prefix(8).joined(separator: ", ")
            throw ConvertError("\(path): neither a HAR recording (a 'log' with 'entries') nor an OpenAPI document (an 'openapi' version); its top-level keys are: \(keys.isEmpty ? "none" : keys)")
        }
        return InputDocument(path: path, data: data, kind: kind)
    }
}
