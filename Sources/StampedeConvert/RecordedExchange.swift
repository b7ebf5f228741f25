import Foundation

/// One request of a recording and what its response said, held in the parts a
/// correlation can replace a value in: URL path segments, query fields, headers, body.
struct RecordedExchange {
    let method: String
    /// `scheme://host:port`, or empty when the request goes to the run's target.
    var origin: String
    /// The path split at `/`, as recorded (percent-encoded): `/orders/o-2` is `["", "orders", "o-2"]`.
    var pathSegments: [String]
    /// The query's `name=value` pieces as recorded, nil without a `?`.
    var queryPieces: [String]?
    var headers: [(name: String, value: String)]
    var body: String?
    /// The body's MIME type, lower case, without parameters.
    var bodyType: String
    /// The status a replay should see.
    var status: Int
    /// The response body parsed, when it was JSON.
    let responseJSON: Any?
    /// `POST /orders`, as recorded, for notes.
    let label: String
    var extractions: [(variable: String, source: DraftRequest.ExtractionSource)] = []

    /// The URL as a plan writes it: a path for the target, or a full URL for another host.
    var url: String {
        let path = pathSegments.joined(separator: "/")
        return origin + (path.isEmpty ? "/" : path) + (queryPieces.map { "?" + $0.joined(separator: "&") } ?? "")
    }

    /// Every value this request sent, decoded: path segments, query and form values, header
    /// values and their words, JSON body leaves.
    var sentValues: Set<String> {
        var values = Set(pathSegments.map { decoded($0) })
        for piece in queryPieces ?? [] { values.insert(decoded(Self.value(of: piece))) }
        for header in headers {
            values.insert(header.value)
            values.formUnion(header.value.split(whereSeparator: \.isWhitespace).map(String.init))
        }
        if let body {
            if bodyType == "application/x-www-form-urlencoded" {
                for piece in body.split(separator: "&") { values.insert(decoded(Self.value(of: String(piece)), form: true)) }
            } else if let json = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) {
                values.formUnion(CorrelationFinder.leaves(of: json).map(\.value))
            }
        }
        return values
    }

    /// Replaces every place this request sent `value` with `template`; returns the places.
    mutating func template(_ value: String, as template: String, isNumber: Bool) -> [String] {
        var places: [String] = []
        for index in pathSegments.indices where decoded(pathSegments[index]) == value {
            pathSegments[index] = template
            if !places.contains("URL path") { places.append("URL path") }
        }
        if let pieces = queryPieces {
            let replaced = pieces.map { piece in decoded(Self.value(of: piece)) == value ? Self.name(of: piece) + "=" + template : piece }
            if replaced != pieces {
                queryPieces = replaced
                places.append("query")
            }
        }
        for index in headers.indices {
            let words = headers[index].value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard words.contains(value) else { continue }
            headers[index].value = words.map { $0 == value ? template : $0 }.joined(separator: " ")
            places.append("header \(headers[index].name)")
        }
        if let body, let (newBody, place) = templated(body, value, template, isNumber: isNumber) {
            self.body = newBody
            places.append(place)
        }
        return places
    }

    /// The body with `value` replaced where it stands as a whole value: a form field's value,
    /// or a JSON string (`"o-2"`) or number token. JSON is edited as text, not re-serialised,
    /// so the replay sends the recorded bytes apart from the templates.
    private func templated(_ body: String, _ value: String, _ template: String, isNumber: Bool) -> (String, String)? {
        if bodyType == "application/x-www-form-urlencoded" {
            let pieces = body.split(separator: "&", omittingEmptySubsequences: false).map(String.init)
            let replaced = pieces.map { decoded(Self.value(of: $0), form: true) == value ? Self.name(of: $0) + "=" + template : $0 }
            return replaced == pieces ? nil : (replaced.joined(separator: "&"), "form body")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) != nil else { return nil }
        let escaped = NSRegularExpression.escapedPattern(for: value)
        // A string token not preceded by a backslash (which would put it inside another
        // string), or a number token between JSON punctuation.
        var patterns = [#"(?<!\\)"\#(escaped)""#]
        if isNumber { patterns.append(#"(?<=[:\[,]\s{0,16})\#(escaped)(?=\s*[,\]}])"#) }
        var text = body
        for (offset, pattern) in patterns.enumerated() {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let replacement = offset == 0 ? "\"\(template)\"" : template
            text = regex.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
        }
        return text == body ? nil : (text, "JSON body")
    }

    static func name(of piece: String) -> String {
        piece.firstIndex(of: "=").map { String(piece[..<$0]) } ?? piece
    }

    static func value(of piece: String) -> String {
        piece.firstIndex(of: "=").map { String(piece[piece.index(after: $0)...]) } ?? ""
    }

    private func decoded(_ text: String, form: Bool = false) -> String {
        (form ? text.replacingOccurrences(of: "+", with: " ") : text).removingPercentEncoding ?? text
    }
}
