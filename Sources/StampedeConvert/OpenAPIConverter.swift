import Foundation
import OpenAPIKit

/// An OpenAPI document → a plan: one request per operation, in the document's order (an
/// operation fed by another's `links` after it), path and query parameters from the
/// document's examples, a body from its example or the smallest instance of its schema, a
/// check on the documented success status, and placeholders, named in a note, wherever the
/// document gives no value.
enum OpenAPIConverter {
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    static func convert(_ document: InputDocument, name: String) throws(ConvertError) -> (PlanDraft, [String]) {
        guard case .openAPI(let version) = document.kind else { throw document.fail("not an OpenAPI document") }
        let spec = try OpenAPIReader.read(document, version: version)
        var notes: [String] = []
        var operations: [APIOperation] = []
        for route in spec.routes {
            for endpoint in route.pathItem.endpoints {
                let method = endpoint.method.rawValue.uppercased()
                guard methods.contains(method) else {
                    notes.append("skipped \(method) \(route.path.rawValue): a plan file has no \(method) request")
                    continue
                }
                // An operation's parameter replaces the path item's of the same name and place.
                let own: [DereferencedParameter] = endpoint.operation.parameters
                let ownKeys = Set(own.map { "\($0.location.rawValue) \($0.name)" })
                let inherited = route.pathItem.parameters.filter { (shared: DereferencedParameter) in
                    !ownKeys.contains("\(shared.location.rawValue) \(shared.name)")
                }
                operations.append(APIOperation(method: method, path: route.path, operation: endpoint.operation, parameters: inherited + own))
            }
        }
        guard !operations.isEmpty else { throw document.fail("the document has no operations under 'paths'") }

        let links = OperationLinks(operations)
        let server = Server(spec.servers.first)
        let info = spec.underlyingDocument.info
        var draft = PlanDraft(name: name, description: "Converted from \(info.title) \(info.version) (OpenAPI \(version))")
        draft.comments = [
            "Converted by `stampede convert` from \(URL(fileURLWithPath: document.path).lastPathComponent), \"\(info.title)\" \(info.version) (OpenAPI \(version)):",
            "\(operations.count) operations, each called once by one VU, in the document's order (an operation that a link feeds after the one feeding it).",
            server.comment,
            "Values are the document's examples, else the smallest its schemas allow: check they make sense for your data.",
        ]
        var placeholders: [String] = []
        for index in links.order {
            var (request, missing) = self.request(operations[index], server: server, links: links, index: index, security: spec.security)
            request.extractions = links.extractions[index] ?? []
            for what in missing {
                let line = "placeholder: \(operations[index].title): \(what)"
                request.comments.append("replace: \(what)")
                placeholders.append(line)
            }
            draft.steps.append(.request(request))
        }
        draft.comments += links.notes + placeholders + notes
        return (draft, links.notes + placeholders + notes)
    }

    /// The document's first server: its origin is what `--target` replaces, its path is kept
    /// in front of every operation's path.
    struct Server {
        let prefix: String
        let comment: String

        init(_ server: OpenAPI.Server?) {
            guard let server else {
                prefix = ""
                comment = "The document names no server: paths go to the run's --target (without one, the embedded target)."
                return
            }
            // Variables take their defaults: `https://{region}.api.test/v1` → its default region.
            var url = server.urlTemplate.rawValue
            for (name, variable) in server.variables { url = url.replacingOccurrences(of: "{\(name)}", with: variable.default) }
            let origin = HARConverter.origin(url)
            var path = String(url.dropFirst(origin.count))
            while path.hasSuffix("/") { path.removeLast() }
            prefix = path
            comment = origin.isEmpty
                ? "The document's server is \(url): paths (under it) go to the run's --target (without one, the embedded target)."
                : "The document's server is \(url): paths go to the run's --target (without one, the embedded target); --target \(origin) tests that server."
        }
    }

    /// The request for an operation, and what the user must fill in.
    static func request(
        _ api: APIOperation, server: Server, links: OperationLinks, index: Int, security: [DereferencedSecurityRequirement]
    ) -> (DraftRequest, [String]) {
        var missing: [String] = []
        let linked = links.parameters[index] ?? [:]
        /// A parameter's value: from a link, the document's example, or a placeholder.
        func value(_ parameter: DereferencedParameter) -> String? {
            if let given = linked[parameter.name] { return given }
            if let example = example(of: parameter) { return example }
            guard parameter.required else { return nil }
            missing.append("\(parameter.location.rawValue) parameter '\(parameter.name)' has no example; the plan sends REPLACE-\(parameter.name)")
            return "REPLACE-\(parameter.name)"
        }

        var path = api.path.components.map { component -> String in
            guard component.hasPrefix("{"), component.hasSuffix("}") else { return component }
            let name = String(component.dropFirst().dropLast())
            guard let parameter = api.parameters.first(where: { $0.location == .path && $0.name == name }) else {
                missing.append("path parameter '\(name)' is not described; the plan sends REPLACE-\(name)")
                return "REPLACE-\(name)"
            }
            return value(parameter).map(templatedEncoding) ?? "REPLACE-\(name)"
        }.joined(separator: "/")
        path = server.prefix + "/" + path + (api.path.trailingSlash && !path.isEmpty ? "/" : "")
        var query = api.parameters.filter { $0.location == .query }.compactMap { parameter in
            value(parameter).map { "\(templatedEncoding(parameter.name))=\(templatedEncoding($0))" }
        }
        var headers: [(name: String, value: String)] = api.parameters.filter {
            // Accept, Content-Type and Authorization are not parameters (OpenAPI says so).
            $0.location == .header && !["accept", "content-type", "authorization"].contains($0.name.lowercased())
        }.compactMap { parameter in value(parameter).map { (parameter.name, $0) } }
        for parameter in api.parameters where parameter.location == .cookie && parameter.required {
            missing.append("cookie '\(parameter.name)' is required; add a Cookie header")
        }
        // Credentials: the first way the operation (or the document) accepts, as a placeholder.
        let requirements = api.operation.security ?? security
        if !requirements.isEmpty, !requirements.contains(where: { $0.schemes.isEmpty }), let first = requirements.first {
            for name in first.schemes.keys.sorted() {
                switch first.schemes[name]!.securityScheme.type {
                case .apiKey(let key, let location):
                    switch location {
                    case .query: query.append("\(key)=REPLACE-\(name)")
                    case .header: headers.append((key, "REPLACE-\(name)"))
                    case .cookie: headers.append(("Cookie", "\(key)=REPLACE-\(name)"))
                    }
                    missing.append("credentials for security scheme '\(name)' (API key \(key))")
                case .http(let scheme, _) where scheme.lowercased() == "basic":
                    headers.append(("Authorization", "Basic REPLACE-\(name)"))
                    missing.append("credentials for security scheme '\(name)' (HTTP basic: base64 of user:password)")
                case .http, .oauth2, .openIdConnect:
                    headers.append(("Authorization", "Bearer REPLACE-\(name)"))
                    missing.append("credentials for security scheme '\(name)' (a bearer token)")
                case .mutualTLS:
                    missing.append("a client certificate for security scheme '\(name)' (--client-cert, --client-key)")
                }
            }
        }

        var request = DraftRequest(method: api.method, url: path + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        request.name = api.operation.operationId
        request.headers = headers
        request.status = successStatus(api.operation)
        if let summary = api.operation.summary { request.comments.append(summary) }
        if let content = api.operation.requestBody?.content {
            var body: (String, DereferencedContent)?
            for preferred in ["json", "application/x-www-form-urlencoded", "text/"] {
                if let match = content.first(where: { type, _ in
                    let name = type.typeAndSubtype
                    return preferred == "json" ? name == "application/json" || name.hasSuffix("+json") : name.hasPrefix(preferred)
                }) {
                    body = (match.key.typeAndSubtype, match.value)
                    break
                }
            }
            if let (type, media) = body {
                var value = example(of: media)
                if var object = value as? [String: Any], let fields = links.bodyFields[index] {
                    object.merge(fields) { _, linked in linked }
                    value = object
                } else if value == nil, let fields = links.bodyFields[index] {
                    value = fields
                }
                request.body = draftBody(value, type: type)
                if case .text = request.body { request.headers.append(("Content-Type", type)) }
            } else if api.operation.requestBody?.required == true {
                missing.append("a request body of type \(content.keys.map(\.typeAndSubtype).joined(separator: " or ")), which the converter does not write")
            }
        }
        return (request, missing)
    }

    static func draftBody(_ value: Any?, type: String) -> DraftBody? {
        guard let value else { return nil }
        if type == "application/x-www-form-urlencoded", let object = value as? [String: Any] {
            return .form(object.keys.sorted().map { ($0, text(object[$0]!)) })
        }
        if type.hasPrefix("text/") { return .text(text(value)) }
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return .json(data.map { String(decoding: $0, as: UTF8.self) } ?? "null")
    }

    /// The lowest documented 2xx status; nil (any 2xx) when only `2XX` or none is documented.
    static func successStatus(_ operation: DereferencedOperation) -> Int? {
        operation.responses.keys.compactMap { status -> Int? in
            guard case .status(let code) = status.value, (200...299).contains(code) else { return nil }
            return code
        }.min()
    }

    /// A parameter's example as text: its own, its schema's (example, default, first
    /// allowed value), or nil.
    static func example(of parameter: DereferencedParameter) -> String? {
        switch parameter.schemaOrContent {
        case .a(let context):
            let given = context.example?.value ?? context.examples?.values.first?.dataOrLegacyValue?.value
                ?? (context.schema.examples.first ?? context.schema.defaultValue ?? context.schema.allowedValues?.first)?.value
            return given.map(text)
        case .b(let contents):
            return contents.values.first.flatMap { example(of: $0) }.map(text)
        }
    }

    /// A body's example: the media type's, the first of its examples, else one from its schema.
    static func example(of media: DereferencedContent) -> Any? {
        media.example?.value ?? media.examples?.values.first?.dataOrLegacyValue?.value ?? media.schema.map { SchemaExample.value($0) }
    }

    /// A value as a parameter sends it: whole numbers without a fraction, lists comma-joined.
    static func text(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case let number as Double where number == number.rounded() && abs(number) < 1e15: return String(Int64(number))
        case let list as [Any]: return list.map(text).joined(separator: ",")
        default: return "\(value)"
        }
    }

    /// Percent-encodes for a path segment or query, leaving `{{templates}}` as they are.
    static func templatedEncoding(_ text: String) -> String {
        if text.hasPrefix("{{"), text.hasSuffix("}}") { return text }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
