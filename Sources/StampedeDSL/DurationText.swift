/// Durations as people write them on command lines and in plan files: `500ms`, `10s`,
/// `1m30s`, `2h`, `1.5s` (k6's and Go's notation).
extension Duration {
    /// Parses `text`; nil when it is not a duration. A bare number is not accepted: the unit
    /// is what makes `10` unambiguous.
    public init?(parsing text: String) {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        var negative = false
        if rest.first == "-" {
            negative = true
            rest = rest.dropFirst()
        }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "ns": seconds = 1e-9
            case "us", "µs": seconds = 1e-6
            case "ms": seconds = 1e-3
            case "s": seconds = 1
            case "m": seconds = 60
            case "h": seconds = 3600
            case "d": seconds = 86400
            default: return nil
            }
            total += value * seconds
        }
        // Longer than Int64's nanoseconds (292 years) is no duration a test can have.
        let nanos = (total * 1e9).rounded()
        guard nanos < 0x1p63 else { return nil }
        self = .nanoseconds(negative ? -Int64(nanos) : Int64(nanos))
    }

    /// Whole nanoseconds, saturating at the bounds of Int64.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled + attoseconds / 1_000_000_000
    }

    /// `1h30m0s`, `10s`, `1.5s`, `250ms`: short, and parseable again by `init(parsing:)`.
    public var humanReadable: String {
        let ns = nanoseconds
        if ns == 0 { return "0s" }
        if ns < 0 { return "-" + Duration.nanoseconds(Int64(clamping: ns.magnitude)).humanReadable }
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return trimmed(Double(ns) / 1e3) + "µs" }
        if ns < 1_000_000_000 { return trimmed(Double(ns) / 1e6) + "ms" }
        let totalSeconds = Double(ns) / 1e9
        if totalSeconds < 60 { return trimmed(totalSeconds) + "s" }
        let whole = Int(totalSeconds.rounded())
        let (h, m, s) = (whole / 3600, whole % 3600 / 60, whole % 60)
        return h > 0 ? "\(h)h\(m)m\(s)s" : "\(m)m\(s)s"
    }
}

/// Two decimals at most, trailing zeros dropped: 1.50 → "1.5", 2.00 → "2".
private func trimmed(_ value: Double) -> String {
    var text = String(Int((value * 100).rounded()))
    while text.count < 3 { text = "0" + text }
    let integer = text.dropLast(2)
    var fraction = String(text.suffix(2))
    while fraction.last == "0" { fraction.removeLast() }
    return fraction.isEmpty ? String(integer) : "\(integer).\(fraction)"
}
