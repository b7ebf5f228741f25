import Foundation
import StampedeDSL

/// How k6 prints values, so a Stampede summary reads like the one users know.
enum ValueFormat {
    /// A time in microseconds: `99.66µs`, `1.1ms`, `2.5s`, `0s`.
    static func time(microseconds: Double) -> String {
        // A summary Stampede did not write (compare, report) may hold a time no Duration holds.
        guard let nanoseconds = Int64(exactly: (microseconds * 1000).rounded()) else { return number(microseconds / 1000) + "ms" }
        return Duration.nanoseconds(nanoseconds).humanReadable
    }

    /// Bytes in SI units as k6 prints them: `3.3 kB`, `736 kB`, `12 B`.
    static func bytes(_ value: Double) -> String {
        guard value >= 10, value.isFinite else { return (Int(exactly: value.rounded(.towardZero)).map(String.init) ?? number(value)) + " B" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        let exponent = min(Int(floor(log(value) / log(1000))), units.count - 1)
        let scaled = (value / pow(1000, Double(exponent)) * 10 + 0.5).rounded(.down) / 10
        return String(format: scaled < 10 ? "%.1f %@" : "%.0f %@", scaled, units[exponent])
    }

    /// A plain number as k6 prints one: up to 6 decimals, trailing zeros dropped (`2`,
    /// `38.75`, `0.333333`).
    static func number(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", fraction * 100)
    }
}
