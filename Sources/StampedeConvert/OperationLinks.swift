import Foundation
import OpenAPIKit

/// One operation of the document: where it is and what it says.
struct APIOperation {
    let method: String
    let path: OpenAPI.Path
    let operation: DereferencedOperation
    /// The path item's parameters with the operation's own over them.
    let parameters: [DereferencedParameter]

    var label: String { "\(method) \(path.rawValue)" }
    /// How notes name it: its operationId, else its method and path.
    var title: String { operation.operationId.map { "\($0) (\(label))" } ?? label }
}

/// What the document's `links` say flows from one operation's response to another's
/// request: `createOrder`'s 201 links `id` to `getOrder`'s path parameter. The plan
/// extracts the value from the first response and templates it into the second, and puts
/// an operation after the ones that feed it, so a create-then-read API runs as written.
struct OperationLinks {
    /// Source operation → the variables its response gives.
    var extractions: [Int: [(variable: String, source: DraftRequest.ExtractionSource)]] = [:]
    /// Target operation → parameter name → `{{variable}}` or a constant.
    var parameters: [Int: [String: String]] = [:]
    /// Target operation → body fields, holding templates.
    var bodyFields: [Int: [String: Any]] = [:]
    /// Operations in the order the plan calls them.
    var order: [Int] = []
    var notes: [String] = []

    init(_ operations: [APIOperation]) {
        var names = VariableNames()
        var variables: [String: String] = [:]  // "source|expression" → variable
        var feeders: [Int: Set<Int>] = [:]
        var uses: [String: [String]] = [:]  // variable → where it is sent

        /// The variable holding what `expression` takes from the response of `source`.
        func variable(_ expression: String, source: Int) -> String? {
            if let known = variables["\(source)|\(expression)"] { return known }
            let urlPath = operations[source].path.components.filter { !$0.hasPrefix("{") }
            let name: String, from: DraftRequest.ExtractionSource
            if expression.hasPrefix("$response.body#/") {
                let pointer = expression.dropFirst("$response.body#/".count).split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
                guard !pointer.contains(where: { $0.isEmpty || $0.contains(".") }) else { return nil }
                name = names.name(jsonPath: pointer, urlPath: urlPath)
                from = .json(pointer.joined(separator: "."))
            } else if expression.hasPrefix("$response.header.") {
                let header = String(expression.dropFirst("$response.header.".count))
                name = names.unique(VariableNames.identifier(header))
                from = .header(header)
            } else {
                return nil
            }
            variables["\(source)|\(expression)"] = name
            extractions[source, default: []].append((name, from))
            notes.append("link: \(name) from the response to \(operations[source].title) (\(from.planText))")
            return name
        }

        for (source, operation) in operations.enumerated() {
            for outcome in operation.operation.responseOutcomes where outcome.status.isSuccess {
                for (linkName, link) in outcome.response.links {
                    guard let target = Self.target(of: link, in: operations) else {
                        notes.append("link \(linkName) of \(operation.title) names no operation of this document: not followed")
                        continue
                    }
                    for (qualified, value) in link.parameters {
                        let name = String(qualified.split(separator: ".", maxSplits: 1).last ?? Substring(qualified))
                        guard parameters[target]?[name] == nil else { continue }  // the first link to give it wins
                        switch value {
                        case .a(let expression):
                            guard let variable = variable(expression.rawValue, source: source) else {
                                notes.append("link \(linkName) of \(operation.title): '\(expression.rawValue)' is not a response body field or header: not followed")
                                continue
                            }
                            parameters[target, default: [:]][name] = "{{\(variable)}}"
                            feeders[target, default: []].insert(source)
                            uses[variable, default: []].append("\(operations[target].title) (\(name))")
                        case .b(let constant):
                            parameters[target, default: [:]][name] = "\(constant.value)"
                        }
                    }
                    if case .b(let literal) = link.requestBody, let fields = literal.value as? [String: Any] {
                        // Body fields that are `{$response.body#/…}` expressions become templates.
                        for (field, value) in fields {
                            var resolved = value
                            if let text = value as? String, let expression = Self.embeddedExpression(text) {
                                guard let variable = variable(expression, source: source) else { continue }
                                resolved = "{{\(variable)}}"
                                feeders[target, default: []].insert(source)
                                uses[variable, default: []].append("\(operations[target].title) (body \(field))")
                            }
                            bodyFields[target, default: [:]][field] = resolved
                        }
                    } else if link.requestBody != nil {
                        notes.append("link \(linkName) of \(operation.title): only a request body of fields is followed")
                    }
                }
            }
        }
        notes = notes.map { note in
            guard note.hasPrefix("link: "), let name = note.dropFirst(6).split(separator: " ").first, let sent = uses[String(name)] else { return note }
            return note + ", sent to " + sent.joined(separator: ", ")
        }
        order = Self.order(count: operations.count, feeders: feeders)
    }

    /// The operation a link names, by operationId or by a local operationRef
    /// (`#/paths/~1orders~1{id}/get`).
    static func target(of link: OpenAPI.Link, in operations: [APIOperation]) -> Int? {
        switch link.operation {
        case .b(let operationId):
            return operations.firstIndex { $0.operation.operationId == operationId }
        case .a(let reference):
            let text = reference.absoluteString.removingPercentEncoding ?? reference.absoluteString
            guard let hash = text.firstIndex(of: "#") else { return nil }
            let parts = text[text.index(after: hash)...].split(separator: "/").map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard parts.count == 3, parts[0] == "paths" else { return nil }
            return operations.firstIndex { $0.path.rawValue == parts[1] && $0.method == parts[2].uppercased() }
        }
    }

    /// `$response.body#/id`, alone or embedded as `{$response.body#/id}`.
    static func embeddedExpression(_ text: String) -> String? {
        if text.hasPrefix("$response.") { return text }
        if text.hasPrefix("{$response."), text.hasSuffix("}") { return String(text.dropFirst().dropLast()) }
        return nil
    }

    /// The document's order, except that an operation comes after every operation that feeds
    /// it (a stable topological order; a cycle keeps the document's order).
    static func order(count: Int, feeders: [Int: Set<Int>]) -> [Int] {
        var placed: [Int] = []
        var remaining = Array(0..<count)
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { candidate in
                (feeders[candidate] ?? []).allSatisfy { placed.contains($0) || $0 == candidate }
            } ?? 0
            placed.append(remaining.remove(at: ready))
        }
        return placed
    }
}

extension OpenAPI.Response.StatusCode {
    var isSuccess: Bool {
        switch value {
        case .status(let code): (200...299).contains(code)
        case .range(let range): range == .success
        case .default: false
        }
    }
}

extension DraftRequest.ExtractionSource {
    var planText: String {
        switch self {
        case .json(let path): "json: \(path)"
        case .header(let name): "header: \(name)"
        }
    }
}
