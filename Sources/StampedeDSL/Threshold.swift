/// A pass/fail criterion on a metric, in k6's grammar: `p(95)<500`, `rate<0.01`,
/// `avg<=200ms`, `count>100`, on a metric or a tagged sub-metric
/// (`http_req_duration{scenario:checkout,status:200}`). A failed threshold fails the run
/// (exit 99); with `abortOnFail` it stops the run as soon as it fails (exit 108), once
/// `delayAbortEval` has passed.
public struct Threshold: Sendable, Equatable {
    /// The metric and its tag filter, as written: `http_req_duration{scenario:checkout}`.
    public let metric: String
    public let expression: ThresholdExpression
    public let abortOnFail: Bool
    public let delayAbortEval: Duration

    /// Parses `expression`; a malformed one is a `PlanError` naming it.
    public init(_ metric: String, _ expression: String, abortOnFail: Bool = false, delayAbortEval: Duration = .zero) throws(PlanError) {
        guard MetricKey(metric) != nil else { throw PlanError("threshold metric '\(metric)' is not NAME or NAME{tag:value,…}") }
        self.metric = metric
        self.expression = try ThresholdExpression(expression)
        self.abortOnFail = abortOnFail
        self.delayAbortEval = delayAbortEval
    }

    /// Parses `metric: expression`, the command line's `--threshold` form.
    public init(commandLine text: String) throws(PlanError) {
        // The metric may contain ':' (in its tag filter, after `scrape`); an expression never does.
        let searchFrom = text.firstIndex(of: "}") ?? text.startIndex
        guard let colon = text[searchFrom...].lastIndex(of: ":") else {
            throw PlanError("--threshold '\(text)' is not METRIC: EXPRESSION, e.g. 'http_req_duration: p(95)<500'")
        }
        try self.init(String(text[..<colon]).trimmingSpaces, String(text[text.index(after: colon)...]).trimmingSpaces)
    }
}

extension Threshold {
    /// Thresholds written in Swift as k6 writes them in JavaScript:
    /// `Threshold.all(["http_req_duration": ["p(95)<500"], "http_req_failed": ["rate<0.01"]])`.
    /// For scenarios compiled into the binary, a malformed one is a programming error (the
    /// tests validate every built-in plan), so it stops with the parser's message.
    public static func all(_ thresholds: KeyValuePairs<String, [String]>) -> [Threshold] {
        thresholds.flatMap { metric, expressions in
            expressions.map { expression in
                do {
                    return try Threshold(metric, expression)
                } catch let error as PlanError {
                    preconditionFailure("built-in threshold: \(error.message)")
                } catch {
                    preconditionFailure("built-in threshold: \(error)")
                }
            }
        }
    }
}

/// A metric name with an optional tag filter: `http_req_duration{scenario:checkout}`.
public struct MetricKey: Sendable, Equatable, Hashable {
    public let name: String
    public let tags: [String: String]

    public init?(_ text: String) {
        guard let open = text.firstIndex(of: "{") else {
            // ':' for a scraped series' gauge (`scrape:jvm_gc_pause_seconds_max`).
            guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }) else { return nil }
            name = text
            tags = [:]
            return
        }
        guard text.hasSuffix("}") else { return nil }
        name = String(text[..<open])
        var tags: [String: String] = [:]
        for pair in text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1).map { String($0).trimmingSpaces }
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            tags[parts[0]] = parts[1]
        }
        guard !name.isEmpty, !tags.isEmpty else { return nil }
        self.tags = tags
    }

    /// k6's spelling: `name{a:1,b:2}`, tags sorted.
    public var canonical: String {
        tags.isEmpty ? name : name + "{" + tags.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",") + "}"
    }
}

/// `stat op value`, e.g. `p(99.9)<=250ms`.
public struct ThresholdExpression: Sendable, Equatable, CustomStringConvertible {
    public enum Statistic: Sendable, Equatable {
        case avg, min, med, max, count, rate, value
        case percentile(Double)
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"

        public func holds(_ observed: Double, _ bound: Double) -> Bool {
            switch self {
            case .less: observed < bound
            case .lessOrEqual: observed <= bound
            case .greater: observed > bound
            case .greaterOrEqual: observed >= bound
            case .equal: observed == bound
            case .notEqual: observed != bound
            }
        }
    }

    public let statistic: Statistic
    public let comparison: Comparison
    /// The bound as written, in the metric's unit: milliseconds for times unless a unit
    /// was given, and then converted to milliseconds.
    public let bound: Double
    /// The expression as written.
    public let text: String

    public init(_ text: String) throws(PlanError) {
        let compact = text.filter { !$0.isWhitespace }
        guard let comparison = Comparison.allCases.first(where: { compact.contains($0.rawValue) }),
              let range = compact.range(of: comparison.rawValue) else {
            throw PlanError("threshold '\(text)' has no comparison (<, <=, >, >=, ==, !=)")
        }
        let stat = String(compact[..<range.lowerBound])
        var number = String(compact[range.upperBound...])
        switch stat {
        case "avg": statistic = .avg
        case "min": statistic = .min
        case "med": statistic = .med
        case "max": statistic = .max
        case "count": statistic = .count
        case "rate": statistic = .rate
        case "value": statistic = .value
        default:
            guard stat.hasPrefix("p("), stat.hasSuffix(")"), let p = Double(stat.dropFirst(2).dropLast()), (0...100).contains(p) else {
                throw PlanError("threshold '\(text)': '\(stat)' is not a statistic (avg, min, med, max, p(N), count, rate, value)")
            }
            statistic = .percentile(p)
        }
        var scale = 1.0
        for (unit, factor) in [("ms", 1.0), ("us", 0.001), ("µs", 0.001), ("s", 1000.0), ("m", 60_000.0)] where number.hasSuffix(unit) {
            number.removeLast(unit.count)
            scale = factor
            break
        }
        // Double("nan") and Double("inf") parse, but no bound is either.
        guard let value = Double(number), value.isFinite else {
            throw PlanError("threshold '\(text)': '\(compact[range.upperBound...])' is not a number")
        }
        self.comparison = comparison
        self.bound = value * scale
        self.text = text.trimmingSpaces
    }

    public var description: String { text }
}
