import Foundation

/// Writes a `PlanDraft` as plan-file YAML (docs/plan-files.md): one scenario, one VU, one
/// iteration, so the first run of a converted plan replays it once; the user then picks
/// an executor and a load. Text is quoted wherever YAML could read it as something else.
enum PlanWriter {
    static func yaml(_ draft: PlanDraft) -> String {
        var out = draft.comments.flatMap(commentLines).joined()
        out += "name: \(scalar(draft.name))\n"
        out += "description: \(scalar(draft.description))\n"
        out += "scenarios:\n"
        out += "  \(scalar(draft.name)):\n"
        out += "    executor: per-vu-iterations\n"
        out += "    vus: 1\n"
        out += "    iterations: 1\n"
        out += "    flow:\n"
        for step in draft.steps {
            switch step {
            case .think(let milliseconds):
                out += "      - think: \(milliseconds)ms\n"
            case .request(let request):
                out += self.request(request, indent: "      ")
            }
        }
        return out
    }

    private static func request(_ request: DraftRequest, indent: String) -> String {
        var out = request.comments.flatMap { commentLines($0).map { indent + $0 } }.joined()
        let inner = indent + "  "
        out += "\(indent)- \(request.method.lowercased()): \(scalar(request.url))\n"
        if let name = request.name { out += "\(inner)name: \(scalar(name))\n" }
        if !request.headers.isEmpty {
            out += "\(inner)headers:\n"
            for header in combined(request.headers) { out += "\(inner)  \(scalar(header.name)): \(scalar(header.value))\n" }
        }
        switch request.body {
        case .text(let text): out += "\(inner)body: \(scalar(text))\n"
        case .json(let text): out += "\(inner)json: \(scalar(text))\n"
        case .form(let fields):
            out += "\(inner)form:\n"
            for (name, value) in fields { out += "\(inner)  \(scalar(name)): \(scalar(value))\n" }
        case nil: break
        }
        out += "\(inner)checks:\n"
        out += request.status.map { "\(inner)  - status: \($0)\n" } ?? "\(inner)  - statusIn: 200-299\n"
        if !request.extractions.isEmpty {
            out += "\(inner)extract:\n"
            for (variable, source) in request.extractions {
                switch source {
                case .json(let path): out += "\(inner)  \(scalar(variable)): {json: \(scalar(path))}\n"
                case .header(let name): out += "\(inner)  \(scalar(variable)): {header: \(scalar(name))}\n"
                }
            }
        }
        return out
    }

    /// One entry per header name (a plan's headers are a mapping): a name sent more than
    /// once, in any case, gets its values joined with ", ", as HTTP combines a repeated field.
    static func combined(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for header in headers {
            if let index = result.firstIndex(where: { $0.name.lowercased() == header.name.lowercased() }) {
                result[index].value += ", " + header.value
            } else {
                result.append(header)
            }
        }
        return result
    }

    private static func commentLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "#\n" : "# \($0)\n" }
    }

    /// Words YAML 1.1 reads as booleans or null when unquoted.
    private static let reserved: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"]

    /// `text` as a YAML scalar that reads back as the same text: plain when it is a simple
    /// word or path, double-quoted otherwise (a leading `{` would open a mapping, `: ` a key,
    /// `#` a comment, digits a number).
    static func scalar(_ text: String) -> String {
        let plain = text.first.map { $0.isLetter || $0 == "/" || $0 == "_" } == true
            && text.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_/.-".contains($0) }
            && !reserved.contains(text.lowercased())
        return plain ? text : quoted(text)
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Control characters, DEL, and the line and paragraph separators YAML would
            // read as line breaks, escaped so the text survives a round trip.
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85
                || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
