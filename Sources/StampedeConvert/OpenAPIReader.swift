import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat
internal import Yams

/// Reads an OpenAPI document with OpenAPIKit: 3.1 and 3.2 as they are, 3.0 through
/// OpenAPIKit30 and its conversion to 3.1, so the converter sees one model. References
/// inside the document are resolved; references to other files are not followed (the
/// converter reads one file), and say so.
enum OpenAPIReader {
    static func read(_ document: InputDocument, version: String) throws(ConvertError) -> OpenAPIKit.DereferencedDocument {
        let spec: OpenAPIKit.OpenAPI.Document
        do {
            if version.hasPrefix("3.0") {
                spec = try decode(OpenAPIKit30.OpenAPI.Document.self, document).convert(to: .v3_1_1)
            } else if version.hasPrefix("3.1") || version.hasPrefix("3.2") {
                spec = try decode(OpenAPIKit.OpenAPI.Document.self, document)
            } else {
                throw document.fail("OpenAPI \(version): stampede convert reads OpenAPI 3.0, 3.1 and 3.2")
            }
        } catch let error as ConvertError {
            throw error
        } catch {
            throw document.fail("not an OpenAPI document that can be read: \(oneLine(OpenAPIKit.OpenAPI.Error(from: error).localizedDescription))")
        }
        do {
            return try spec.locallyDereferenced()
        } catch {
            throw document.fail("a reference cannot be resolved within the file: \(oneLine(String(describing: error)))")
        }
    }

    /// JSON too goes through Yams: Foundation's JSONDecoder loses the order of keys, and the
    /// order of `paths` is the order the plan calls the operations in.
    private static func decode<T: Decodable>(_ type: T.Type, _ document: InputDocument) throws -> T {
        try YAMLDecoder().decode(type, from: document.data)
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
