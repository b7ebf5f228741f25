/// Names for the variables a converted plan extracts: `orderId` for the `id` in the
/// response of `POST /orders`, `token` for a `token` field; unique within a plan.
struct VariableNames {
    private var used: Set<String> = []

    /// Keys that hold an identifier of the thing around them.
    static func isIdentifierKey(_ key: String) -> Bool {
        key == "id" || key == "ID" || key == "_id" || key == "uuid" || key.hasSuffix("Id") || key.hasSuffix("_id") || key.hasSuffix("ID")
    }

    /// Containers that say nothing of what they hold (`items.0.id`, `data.id`).
    private static let genericParents: Set<String> = [
        "items", "data", "results", "result", "content", "records", "list", "value", "values", "payload", "response", "entries",
    ]

    /// A new name for the value at `jsonPath` (its components) in the response to a
    /// request for `urlPath` (its segments).
    mutating func name(jsonPath: [String], urlPath: [String]) -> String {
        let key = jsonPath.last ?? "value"
        var base = Self.identifier(key)
        if ["id", "ID", "_id", "uuid"].contains(key) {
            // The thing it identifies: the nearest named parent, else the resource in the URL.
            let parent = jsonPath.dropLast().last { Int($0) == nil && !Self.genericParents.contains($0.lowercased()) }
                ?? urlPath.last { !$0.isEmpty && $0.allSatisfy(\.isLetter) }
            if let parent { base = Self.singular(Self.identifier(parent)) + "Id" }
        }
        return unique(base)
    }

    /// `base`, or `base2`, `base3`… when taken.
    mutating func unique(_ base: String) -> String {
        var name = base
        var number = 2
        while used.contains(name) {
            name = "\(base)\(number)"
            number += 1
        }
        used.insert(name)
        return name
    }

    /// Gives back a name that ended up unused.
    mutating func release(_ name: String) { used.remove(name) }

    /// Letters, digits and underscores, starting with a lower-case letter.
    static func identifier(_ text: String) -> String {
        let kept = String(text.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        guard let first = kept.first, first.isLetter else { return "value" + kept }
        return first.lowercased() + kept.dropFirst()
    }

    static func singular(_ word: String) -> String {
        if word.hasSuffix("ies"), word.count > 3 { return word.dropLast(3) + "y" }
        if word.hasSuffix("sses") || word.hasSuffix("xes") { return String(word.dropLast(2)) }
        if word.hasSuffix("s"), !word.hasSuffix("ss"), word.count > 1 { return String(word.dropLast()) }
        return word
    }
}
