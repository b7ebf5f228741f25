import Foundation
import StampedeDSL
@testable import StampedeEngine
import StampedeMetrics

/// The one-line grammars of a plan: thresholds, `{{name}}` templates and durations.
enum ExpressionFuzzing {
    /// A `--threshold` line: parsed, parsed again from its own text to the same thing, and
    /// judged against a run's totals as the run judges it.
    static func threshold(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8),
              let threshold = try? Threshold(commandLine: text) else { return }
        let again = try? ThresholdExpression(threshold.expression.text)
        require(again == threshold.expression, "'\(threshold.expression.text)' parses again to the same expression")
        var registry = MetricRegistry()
        guard let judge = try? ThresholdJudge([threshold], registry: &registry) else { return }
        var totals = MetricSet(registry: registry)
        for value: UInt64 in [0, 1, 999, 250_000, Trend.highestTrackableValue] {
            totals.record(BuiltinMetrics.httpReqDuration, value)
            totals.record(BuiltinMetrics.httpReqFailed, value % 2 == 0)
        }
        totals.add(BuiltinMetrics.httpReqs, 5)
        for seconds in [0.0, 1.5] {
            let verdicts = judge.judge(totals, seconds: seconds)
            require(verdicts.count == 1, "one threshold, one verdict")
        }
    }

    /// A template: rendering it with no variables set gives its literal text with every
    /// placeholder taken out; with variables, each placeholder gives its value.
    static func template(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8), let template = Template(text) else { return }
        var literals = ""
        var names: [String] = []
        for part in template.parts {
            switch part {
            case .literal(let text): literals += text
            case .variable(let name): names.append(name)
            }
        }
        let empty = template.render(VUContext(vu: 1, iteration: 0, vars: [:]))
        let expectedEmpty = template.parts.map { part -> String in
            switch part {
            case .literal(let text): text
            case .variable("__VU"): "1"
            case .variable("__ITER"): "0"
            case .variable: ""
            }
        }.joined()
        require(empty == expectedEmpty, "an unset variable renders empty")
        require(template.isStatic == names.isEmpty, "a template is static when it has no placeholder")
        if names.isEmpty { require(literals == text, "a template with no placeholder renders as written") }
    }

    /// A duration: one that parses prints in a form that parses back to the same length,
    /// within the printed form's rounding (two decimals of its unit; whole seconds from a minute).
    static func duration(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8), let duration = Duration(parsing: text) else { return }
        let printed = duration.humanReadable
        guard let again = Duration(parsing: printed) else { return require(false, "'\(text)' prints as '\(printed)', which does not parse") }
        let length = duration.nanoseconds.magnitude
        let tolerance: UInt64 = length >= 60_000_000_000 ? 500_000_000 : length / 200 + 1
        let difference = again.nanoseconds > duration.nanoseconds
            ? UInt64(again.nanoseconds - duration.nanoseconds) : UInt64(duration.nanoseconds - again.nanoseconds)
        require(difference <= tolerance, "'\(text)' prints as '\(printed)', which parses back to \(again.nanoseconds) ns, not \(duration.nanoseconds) ns")
    }
}
