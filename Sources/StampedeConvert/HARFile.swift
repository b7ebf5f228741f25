import Foundation

/// The parts of a HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/) a plan
/// needs: each entry's request as sent, its response's status, headers and text, and its
/// timing. Browsers write more (pages, cache, `_`-prefixed extras); it is ignored.
struct HARFile: Decodable {
    let log: Log

    struct Log: Decodable {
        let creator: Creator?
        let browser: Creator?
        let entries: [Entry]
    }

    struct Creator: Decodable {
        let name: String
        let version: String?
    }

    struct Entry: Decodable {
        /// ISO 8601, when the request started.
        let startedDateTime: String
        /// Milliseconds from the start to the end of the response.
        let time: Double
        let request: Request
        let response: Response
    }

    struct Request: Decodable {
        let method: String
        let url: String
        let headers: [NameValue]
        let postData: PostData?
    }

    struct PostData: Decodable {
        let mimeType: String?
        let text: String?
        /// Form fields, for a recorder that gives them instead of `text`.
        let params: [NameValue]?
    }

    struct Response: Decodable {
        /// 0 when the browser got no response (blocked, cancelled, failed).
        let status: Int
        let headers: [NameValue]
        let content: Content
        let redirectURL: String?
    }

    struct Content: Decodable {
        let mimeType: String?
        let text: String?
        /// "base64" when `text` is binary data encoded.
        let encoding: String?
    }

    struct NameValue: Decodable {
        let name: String
        let value: String?
    }

    static func decode(_ document: InputDocument) throws(ConvertError) -> HARFile {
        do {
            return try JSONDecoder().decode(HARFile.self, from: document.data)
        } catch let error as DecodingError {
            throw document.fail("not a HAR file that can be read: \(describe(error))")
        } catch {
            throw document.fail("not a HAR file that can be read: \(error)")
        }
    }

    /// A decoding error as the key path where it happened and what was wrong there:
    /// `log.entries[3].request: missing 'url'`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { text, key in
                key.intValue.map { "\(text)[\($0)]" } ?? (text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)")
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath)): missing '\(key.stringValue)'"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type == String.self ? "text" : type == Int.self || type == Double.self ? "a number" : "\(type)")"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension HARFile.Content {
    /// The body as text, decoded from base64 when the recorder encoded it; nil for binary.
    var bodyText: String? {
        guard let text else { return nil }
        guard encoding == "base64" else { return text }
        return Data(base64Encoded: text).flatMap { String(data: $0, encoding: .utf8) }
    }
}
