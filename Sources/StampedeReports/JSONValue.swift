import Foundation

/// A report's JSON tree, written with `JSONEncoder`: the reports build `[String: Any]`
/// documents (their keys are metric names, known only at run time), and `JSONEncoder` writes
/// them about ten times faster than `JSONSerialization`, whose key sorting and bridging cost
/// milliseconds at the end of every run. Keys are sorted bytewise, as Go (and so k6) writes.
enum JSONValue: Encodable {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    /// The tree of a `JSONSerialization`-style object: dictionaries, arrays, strings,
    /// integers, doubles and booleans; anything else is written as null.
    init(_ value: Any) {
        switch value {
        case let value as Bool: self = .bool(value)
        case let value as String: self = .string(value)
        case let value as Int: self = .integer(Int64(value))
        case let value as Int64: self = .integer(value)
        case let value as UInt64: self = .unsigned(value)
        case let value as Double: self = .number(value)
        case let value as [String: Any]: self = .object(value.mapValues(JSONValue.init))
        case let value as [Any]: self = .array(value.map(JSONValue.init))
        default: self = .null
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsigned(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// `object` as key-sorted JSON, indented when `pretty`.
    static func data(_ object: [String: Any], pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONValue(object))
    }
}
