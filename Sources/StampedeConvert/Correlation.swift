import Foundation

/// A value the recording shows flowing from one response to later requests: the plan
/// extracts it from that response and sends `{{variable}}` where the recording had it, so a
/// replay uses the id its own run created instead of the one the recording saw.
struct Correlation {
    let variable: String
    let value: String
    /// The exchange whose response first held the value, and where in its JSON body.
    let source: Int
    let jsonPath: String
    /// The later exchanges that sent it, and where (`URL path`, `JSON body`, …).
    let uses: [(exchange: Int, places: [String])]
}

/// Finds correlations in a recording. A candidate is a value in a JSON response body that
/// no earlier request sent (a value the client already knew is not one it learned) and that
/// looks like an identifier: text of 3 or more characters without spaces that holds a digit,
/// or of 16 or more (tokens); or a whole number of 3 or more digits under an id-like key.
/// Short or common values (`1`, `EUR`, `created`) would tie unrelated requests together.
enum CorrelationFinder {
    static func find(in exchanges: inout [RecordedExchange]) -> [Correlation] {
        var names = VariableNames()
        var correlations: [Correlation] = []
        var known: Set<String> = []
        for index in exchanges.indices {
            known.formUnion(exchanges[index].sentValues)
            guard let json = exchanges[index].responseJSON else { continue }
            for leaf in leaves(of: json) where !known.contains(leaf.value) && qualifies(leaf) {
                known.insert(leaf.value)
                guard !leaf.path.contains(where: { $0.contains(".") || $0.isEmpty }) else { continue }  // no dotted path reaches it
                let variable = names.name(jsonPath: leaf.path, urlPath: exchanges[index].pathSegments)
                var uses: [(Int, [String])] = []
                for later in exchanges.indices where later > index {
                    let places = exchanges[later].template(leaf.value, as: "{{\(variable)}}", isNumber: leaf.isNumber)
                    if !places.isEmpty { uses.append((later, places)) }
                }
                guard !uses.isEmpty else {
                    names.release(variable)
                    continue
                }
                let path = leaf.path.joined(separator: ".")
                exchanges[index].extractions.append((variable, .json(path)))
                correlations.append(Correlation(variable: variable, value: leaf.value, source: index, jsonPath: path, uses: uses))
            }
            for leaf in leaves(of: json) { known.insert(leaf.value) }
        }
        return correlations
    }

    struct Leaf {
        let path: [String]
        let value: String
        let isNumber: Bool
    }

    /// A JSON value's scalar leaves, shallowest first (so a value repeated deeper in the same
    /// body is extracted from its simplest place), keys in sorted order for a stable result.
    static func leaves(of json: Any) -> [Leaf] {
        var result: [Leaf] = []
        var level: [([String], Any)] = [([], json)]
        while !level.isEmpty {
            var next: [([String], Any)] = []
            for (path, node) in level {
                switch node {
                case let object as [String: Any]:
                    for key in object.keys.sorted() { next.append((path + [key], object[key]!)) }
                case let array as [Any]:
                    for (offset, item) in array.enumerated() { next.append((path + [String(offset)], item)) }
                case let text as String:
                    result.append(Leaf(path: path, value: text, isNumber: false))
                case let number as NSNumber:
                    // Whole numbers only: a price or a ratio is not an identifier.
                    if number.doubleValue == number.doubleValue.rounded(), abs(number.doubleValue) < 1e15 {
                        result.append(Leaf(path: path, value: String(Int64(number.doubleValue)), isNumber: true))
                    }
                default:
                    break
                }
            }
            level = next
        }
        return result
    }

    static func qualifies(_ leaf: Leaf) -> Bool {
        if leaf.isNumber {
            return leaf.value.trimmingCharacters(in: ["-"]).count >= 3 && leaf.path.last.map(VariableNames.isIdentifierKey) == true
        }
        let text = leaf.value
        guard text.count >= 3, text.count <= 2048, !text.contains(where: \.isWhitespace), !text.contains("{{") else { return false }
        return text.contains(where: \.isNumber) || text.count >= 16
    }
}
