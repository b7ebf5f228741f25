/// A string with `{{name}}` placeholders, split once into parts so that rendering it is a
/// walk over them. `{{__VU}}` and `{{__ITER}}` are the VU's number and iteration (k6's names);
/// `{{env.NAME}}` is the test's environment; any other name is a VU variable. A name that is
/// not set renders empty.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    public let parts: [Part]

    /// Nil when a `{{` is not closed.
    public init?(_ text: String) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            parts.append(.variable(String(rest[open.upperBound..<close.lowerBound]).trimmingSpaces))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty || parts.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    /// True when there is nothing to substitute.
    public var isStatic: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    public func render(_ context: VUContext) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable("__VU"): out += String(context.vu)
            case .variable("__ITER"): out += String(context.iteration)
            case .variable(let name) where name.hasPrefix("env."): out += context.env[String(name.dropFirst(4))] ?? ""
            case .variable(let name): out += context.vars[name] ?? ""
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
