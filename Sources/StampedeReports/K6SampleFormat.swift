import Foundation
import StampedeMetrics

/// k6's sample outputs, line by line, so tools written for k6's files read Stampede's:
/// `--out json` (a `Metric` line before a metric's first sample, then a `Point` line per
/// sample, tags sorted by name) and `--out csv` (k6's columns, tags it has no column for in
/// `extra_tags`). Values in k6's units: milliseconds for times, bytes, 1 or 0 for rates.
/// Rendered into a byte buffer by hand: a busy run writes hundreds of thousands of lines a second.
struct K6SampleFormat {
    let kind: SampleOutput.Format
    private var registry = MetricRegistry()
    private var thresholds: [String: [String]] = [:]
    /// Each tag set of the registry, sorted by key, values escaped for JSON.
    private var jsonTags: [[(key: String, value: String)]] = []
    /// Each tag set's CSV columns (`csvTagColumns`), escaped; the dynamic ones empty.
    private var csvTags: [[String]] = []
    /// Metrics whose `Metric` line is written (JSON).
    private var defined: Set<String> = []
    /// The last whole second formatted, and its text: samples come a second at a time.
    private var cachedSecond: UInt64 = .max
    private var cachedSecondText: [UInt8] = []

    static let csvHeader = "metric_name,timestamp,metric_value," + csvTagColumns.joined(separator: ",") + "\n"
    /// k6's CSV columns after the value, in its order.
    private static let csvTagColumns = [
        "check", "error", "error_code", "expected_response", "group", "method", "name", "proto", "scenario", "service", "status",
        "subproto", "tls_version", "url", "extra_tags", "metadata",
    ]
    private static let extraTagsColumn = 14

    init(kind: SampleOutput.Format) { self.kind = kind }

    /// Takes a run's metrics and tag sets; a suite's next test starts over.
    mutating func begin(registry: MetricRegistry, thresholds: [String: [String]]) {
        self.registry = registry
        self.thresholds = thresholds
        defined = []
        jsonTags = registry.tagSets.map { tags in tags.sorted { $0.key < $1.key }.map { ($0.key, Self.jsonEscaped($0.value)) } }
        csvTags = registry.tagSets.map { tags in
            var columns = Array(repeating: "", count: Self.csvTagColumns.count)
            var extra: [String] = []
            for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
                if let column = Self.csvTagColumns.firstIndex(of: key), column != Self.extraTagsColumn {
                    columns[column] = Self.csvEscaped(value)
                } else {
                    extra.append("\(key)=\(value)")
                }
            }
            columns[Self.extraTagsColumn] = Self.csvEscaped(extra.joined(separator: "&"))
            return columns
        }
    }

    /// Appends the lines of one span: its samples, then `vus` and `vus_max` at its end.
    mutating func render(_ span: MetricSet, endingAt end: UInt64, into out: inout [UInt8]) {
        if let samples = span.samples {
            for request in samples.requests { render(request, into: &out) }
            for check in samples.checks { line("checks", check.time, .count(check.value), check.tags, into: &out) }
            for group in samples.groups { line("group_duration", group.time, .micros(group.value), group.tags, into: &out) }
            for iteration in samples.iterations {
                line("data_sent", iteration.time, .count(iteration.sent), iteration.tags, into: &out)
                line("data_received", iteration.time, .count(iteration.received), iteration.tags, into: &out)
                line("iteration_duration", iteration.time, .micros(iteration.duration), iteration.tags, into: &out)
                line("iterations", iteration.time, .count(1), iteration.tags, into: &out)
            }
            for sample in samples.custom {
                line(registry.metrics[Int(sample.metric)].name, sample.time, .real(sample.value), sample.tags, into: &out)
            }
        }
        line("vus", end, .real(span[BuiltinMetrics.vus].value), nil, into: &out)
        line("vus_max", end, .real(span[BuiltinMetrics.vusMax].value), nil, into: &out)
    }

    private enum Value {
        case micros(UInt64)
        case count(UInt64)
        case real(Double)
    }

    /// The tags a request adds to its static ones, in k6's names (already in sorted order).
    private struct RequestTags {
        let errorCode: String?
        let expected: Bool
        let proto: String
        let status: Int32
    }

    private mutating func render(_ request: RequestSample, into out: inout [UInt8]) {
        let dynamic = RequestTags(errorCode: request.error?.k6Code(status: Int(request.status)).map { String($0) },
                                  expected: request.expected, proto: request.proto, status: request.status)
        let t = request.time
        line("http_reqs", t, .count(UInt64(request.requests)), request.tags, dynamic, into: &out)
        line("http_req_duration", t, .micros(request.duration), request.tags, dynamic, into: &out)
        line("http_req_blocked", t, .micros(request.blocked), request.tags, dynamic, into: &out)
        line("http_req_connecting", t, .micros(request.connecting), request.tags, dynamic, into: &out)
        line("http_req_tls_handshaking", t, .micros(request.tls), request.tags, dynamic, into: &out)
        line("http_req_sending", t, .micros(request.sending), request.tags, dynamic, into: &out)
        line("http_req_waiting", t, .micros(request.waiting), request.tags, dynamic, into: &out)
        line("http_req_receiving", t, .micros(request.receiving), request.tags, dynamic, into: &out)
        line("http_req_failed", t, .count(request.expected ? 0 : 1), request.tags, dynamic, into: &out)
    }

    private mutating func line(
        _ metric: String, _ time: UInt64, _ value: Value, _ tags: Int32?, _ request: RequestTags? = nil, into out: inout [UInt8]
    ) {
        switch kind {
        case .json: jsonLine(metric, time, value, tags, request, into: &out)
        case .csv: csvLine(metric, time, value, tags, request, into: &out)
        }
    }

    // MARK: JSON

    private mutating func jsonLine(_ metric: String, _ time: UInt64, _ value: Value, _ tags: Int32?, _ request: RequestTags?, into out: inout [UInt8]) {
        if !defined.contains(metric) {
            defined.insert(metric)
            out += definition(of: metric).utf8
        }
        out += #"{"metric":""#.utf8
        out += metric.utf8
        out += #"","type":"Point","data":{"time":""#.utf8
        appendRFC3339(time, into: &out)
        out += #"","value":"#.utf8
        switch value {
        case .micros(let us): appendMilliseconds(us, decimals: nil, into: &out)
        case .count(let n): out += String(n).utf8
        case .real(let x): out += Self.jsonNumber(x).utf8
        }
        out += #","tags":{"#.utf8
        var first = true
        func pair(_ key: String, _ escaped: String) {
            out += (first ? #"""# : #",""#).utf8
            first = false
            out += key.utf8
            out += #"":""#.utf8
            out += escaped.utf8
            out += #"""#.utf8
        }
        // The static tags and a request's own, merged in key order as k6 writes them.
        var dynamic: [(String, String)] = []
        if let request {
            if let code = request.errorCode { dynamic.append(("error_code", code)) }
            dynamic.append(("expected_response", request.expected ? "true" : "false"))
            dynamic.append(("proto", request.proto))
            dynamic.append(("status", String(request.status)))
        }
        var next = 0
        for tag in tags.map({ jsonTags[Int($0)] }) ?? [] {
            while next < dynamic.count, dynamic[next].0 < tag.key { pair(dynamic[next].0, dynamic[next].1); next += 1 }
            pair(tag.key, tag.value)
        }
        while next < dynamic.count { pair(dynamic[next].0, dynamic[next].1); next += 1 }
        out += "}}}\n".utf8
    }

    /// k6's `Metric` line: the metric's kind, unit, thresholds and sub-metrics.
    private func definition(of name: String) -> String {
        let descriptor = registry.metric(named: name)
        let submetrics = registry.metrics.filter { $0.parent == name }.map { sub -> String in
            let suffix = sub.name.dropFirst(name.count + 1).dropLast()
            let tags = sub.tags.sorted { $0.key < $1.key }.map { "\"\(Self.jsonEscaped($0.key))\":\"\(Self.jsonEscaped($0.value))\"" }
            return "{\"name\":\"\(Self.jsonEscaped(sub.name))\",\"suffix\":\"\(Self.jsonEscaped(String(suffix)))\",\"tags\":{\(tags.joined(separator: ","))}}"
        }
        let kind = descriptor?.kind.rawValue ?? "gauge"
        let contains = descriptor?.contains.rawValue ?? "default"
        let limits = (thresholds[name] ?? []).map { "\"\(Self.jsonEscaped($0))\"" }.joined(separator: ",")
        let subs = submetrics.isEmpty ? "null" : "[" + submetrics.joined(separator: ",") + "]"
        return "{\"type\":\"Metric\",\"data\":{\"name\":\"\(Self.jsonEscaped(name))\",\"type\":\"\(kind)\",\"contains\":\"\(contains)\",\"thresholds\":[\(limits)],\"submetrics\":\(subs)},\"metric\":\"\(Self.jsonEscaped(name))\"}\n"
    }

    // MARK: CSV

    private mutating func csvLine(_ metric: String, _ time: UInt64, _ value: Value, _ tags: Int32?, _ request: RequestTags?, into out: inout [UInt8]) {
        out += metric.utf8
        out += ",".utf8
        out += String(time / 1_000_000_000).utf8
        out += ",".utf8
        switch value {
        case .micros(let us): appendMilliseconds(us, decimals: 6, into: &out)
        case .count(let n): out += "\(n).000000".utf8
        case .real(let x): out += String(format: "%f", x).utf8
        }
        let columns = tags.map { csvTags[Int($0)] }
        for column in Self.csvTagColumns.indices {
            out += ",".utf8
            switch (column, request) {
            case (2, let request?): if let code = request.errorCode { out += code.utf8 }
            case (3, let request?): out += (request.expected ? "true" : "false").utf8
            case (7, let request?): out += request.proto.utf8
            case (10, let request?): out += String(request.status).utf8
            default: if let columns { out += columns[column].utf8 }
            }
        }
        out += "\n".utf8
    }

    // MARK: Values

    /// Microseconds as milliseconds: shortest form (`10.231`, `3`), or `decimals` places.
    private func appendMilliseconds(_ us: UInt64, decimals: Int?, into out: inout [UInt8]) {
        out += String(us / 1000).utf8
        var fraction = String(us % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        if let decimals {
            out += ".".utf8
            out += (fraction + String(repeating: "0", count: decimals - 3)).utf8
        } else {
            while fraction.last == "0" { fraction.removeLast() }
            if !fraction.isEmpty { out += ".".utf8; out += fraction.utf8 }
        }
    }

    /// RFC 3339 in UTC with nanoseconds, trailing zeros dropped (Go's RFC3339Nano, as k6).
    private mutating func appendRFC3339(_ unixNanos: UInt64, into out: inout [UInt8]) {
        let second = unixNanos / 1_000_000_000
        if second != cachedSecond {
            cachedSecond = second
            cachedSecondText = Array(Self.civilTime(second).utf8)
        }
        out += cachedSecondText
        var nanos = String(unixNanos % 1_000_000_000)
        nanos = String(repeating: "0", count: 9 - nanos.count) + nanos
        while nanos.last == "0" { nanos.removeLast() }
        if !nanos.isEmpty { out += ".".utf8; out += nanos.utf8 }
        out += "Z".utf8
    }

    /// `2026-12-02T04:14:56` for a Unix second (Howard Hinnant's days-to-civil).
    static func civilTime(_ unixSecond: UInt64) -> String {
        let days = Int64(unixSecond / 86_400), secondOfDay = Int(unixSecond % 86_400)
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(Int(month)))-\(two(Int(day)))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))"
    }

    /// A JSON number as Go writes a float64: integral values without a fraction.
    static func jsonNumber(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    static func jsonEscaped(_ text: String) -> String {
        escaping(text) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where scalar.value < 0x20: String(format: "\\u%04x", scalar.value)
            default: nil
            }
        }
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (as Go's csv writer).
    static func csvEscaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
