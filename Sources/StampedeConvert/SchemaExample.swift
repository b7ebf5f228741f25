import Foundation
import OpenAPIKit

/// A value for a request body or parameter when the document gives no example: the
/// schema's own example, default or first allowed value, else the smallest instance that
/// satisfies it (required properties only, `minItems` items, a string of `minLength`, a
/// number at its minimum). It is valid, not meaningful: the user is told to look.
enum SchemaExample {
    /// Deeper than this, a (recursive) schema gets null rather than an endless body.
    static let maximumDepth = 8

    static func value(_ schema: DereferencedJSONSchema, depth: Int = 0) -> Any {
        if let given = schema.examples.first ?? schema.defaultValue ?? schema.allowedValues?.first { return given.value }
        guard depth < maximumDepth else { return NSNull() }
        switch schema {
        case .null, .fragment, .not:
            return NSNull()
        case .boolean:
            return false
        case .integer(_, let context):
            guard let minimum = context.minimum else { return context.maximum.map { min(0, $0.value - ($0.exclusive ? 1 : 0)) } ?? 0 }
            return max(0, minimum.value + (minimum.exclusive ? 1 : 0))
        case .number(_, let context):
            guard let minimum = context.minimum else { return context.maximum.map { min(0, $0.value - ($0.exclusive ? 1 : 0)) } ?? 0 }
            return max(0, minimum.value + (minimum.exclusive ? 1 : 0))
        case .string(let core, let context):
            return string(format: core.format.rawValue, minLength: context.minLength)
        case .array(_, let context):
            guard let items = context.items else { return [Any]() }
            return Array(repeating: value(items, depth: depth + 1), count: context.minItems)
        case .object(_, let context):
            var object: [String: Any] = [:]
            for name in context.requiredProperties {
                guard let property = context.properties[name], !property.readOnly else { continue }
                object[name] = value(property, depth: depth + 1)
            }
            return object
        case .all(let schemas, _):
            // Every part must hold: merge the parts' objects.
            var merged: [String: Any] = [:]
            for part in schemas {
                guard let object = value(part, depth: depth + 1) as? [String: Any] else { return value(part, depth: depth + 1) }
                merged.merge(object) { first, _ in first }
            }
            return merged
        case .one(let schemas, _), .any(let schemas, _):
            return schemas.first.map { value($0, depth: depth + 1) } ?? NSNull()
        }
    }

    /// A string in the format asked for, at least `minLength` long.
    static func string(format: String, minLength: Int) -> String {
        let text = switch format {
        case "date": "2026-01-01"
        case "date-time": "2026-01-01T00:00:00Z"
        case "time": "00:00:00Z"
        case "email": "user@example.com"
        case "uuid": "00000000-0000-4000-8000-000000000000"
        case "uri", "url": "https://example.com/"
        case "hostname": "example.com"
        case "ipv4": "192.0.2.1"
        case "ipv6": "2001:db8::1"
        default: "string"
        }
        return text.count >= minLength ? text : text + String(repeating: "x", count: minLength - text.count)
    }
}
