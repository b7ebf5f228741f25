import Foundation
import StampedeDSL

/// What checks and extractions read of one response. Built only for requests that have
/// checks or extractions; the JSON body is parsed at most once, on first use.
struct ResponseInspector {
    let status: Int
    let proto: String
    let body: [UInt8]
    /// Raw header lines of the final response ("Name: value\r\n" …).
    let headerBytes: [UInt8]
    /// The request's `http_req_duration`, in microseconds.
    let durationMicroseconds: UInt64
    let patterns: [String: NSRegularExpression]
    private var json: Any??

    init(status: Int, proto: String, body: [UInt8], headerBytes: [UInt8], durationMicroseconds: UInt64, patterns: [String: NSRegularExpression]) {
        self.status = status
        self.proto = proto
        self.body = body
        self.headerBytes = headerBytes
        self.durationMicroseconds = durationMicroseconds
        self.patterns = patterns
    }

    /// Whether the response meets the condition. `expected` is the condition's expected text
    /// as a template (parsed once per run), rendered here with the VU's variables
    /// (`equals: "{{orderId}}"`); nil when the text has no template.
    mutating func passes(_ condition: CheckCondition, expected template: Template?, context: VUContext) -> Bool {
        func matches(_ value: String, _ expected: String?) -> Bool {
            guard let expected else { return true }
            return value == (template?.render(context) ?? expected)
        }
        switch condition {
        case .status(let code): return status == code
        case .statusIn(let range): return range.contains(status)
        case .bodyContains(let text): return bodyText.contains(template?.render(context) ?? text)
        case .header(let name, let expected):
            return header(name).map { matches($0, expected) } ?? false
        case .jsonField(let path, let expected):
            return jsonValue(path).map { matches($0, expected) } ?? false
        case .durationBelow(let limit):
            return Int64(durationMicroseconds) * 1000 < limit.nanoseconds
        case .proto(let name):
            return proto == name
        }
    }

    mutating func extract(_ source: ExtractionSource) -> String? {
        switch source {
        case .jsonField(let path): return jsonValue(path)
        case .header(let name): return header(name)
        case .regex(let pattern):
            guard let regex = patterns[pattern] else { return nil }
            let text = bodyText
            guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
            let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            return Range(range, in: text).map { String(text[$0]) }
        }
    }

    private var bodyText: String { String(decoding: body, as: UTF8.self) }

    private func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        for line in String(decoding: headerBytes, as: UTF8.self).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == wanted {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The JSON value at a dotted path (`items.0.id`), as text; nil when absent.
    private mutating func jsonValue(_ path: String) -> String? {
        if json == nil { json = .some(try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) }
        guard var node = json ?? nil else { return nil }
        for key in path.split(separator: ".") {
            if let object = node as? [String: Any], let next = object[String(key)] {
                node = next
            } else if let array = node as? [Any], let index = Int(key), array.indices.contains(index) {
                node = array[index]
            } else {
                return nil
            }
        }
        switch node {
        case let text as String: return text
        case is NSNull: return nil
        case let number as NSNumber: return number.stringValue
        default:
            return (try? JSONSerialization.data(withJSONObject: node)).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
