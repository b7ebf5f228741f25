import Foundation
import StampedeMetrics

/// junit.xml: one test case per threshold and per check, so a CI system shows which
/// criterion failed without reading the summary.
public enum JUnitReport {
    public static func xml(_ summary: RunSummary) -> String {
        var thresholdCases: [String] = []
        for verdict in summary.thresholds {
            let failure = verdict.passed ? "" : "<failure message=\"\(escape(summary.observedText(verdict)))\"/>"
            thresholdCases.append(
                "    <testcase classname=\"thresholds.\(escape(verdict.metric))\" name=\"\(escape(verdict.expression))\">\(failure)</testcase>")
        }
        var checkCases: [String] = []
        for check in summary.registry.checks {
            let result = summary.totals.checkResults[check.slot]
            let group = check.groupPath.isEmpty ? "checks" : "checks\(check.groupPath)"
            let failure = result.falses == 0 ? "" : "<failure message=\"\(result.falses) of \(result.total) failed\"/>"
            checkCases.append("    <testcase classname=\"\(escape(group))\" name=\"\(escape(check.name))\">\(failure)</testcase>")
        }
        let thresholdFailures = summary.thresholds.filter { !$0.passed }.count
        let checkFailures = summary.registry.checks.filter { summary.totals.checkResults[$0.slot].falses > 0 }.count
        let seconds = String(format: "%.3f", summary.duration)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="stampede" tests="\(thresholdCases.count + checkCases.count)" failures="\(thresholdFailures + checkFailures)" time="\(seconds)">
              <testsuite name="thresholds" tests="\(thresholdCases.count)" failures="\(thresholdFailures)" time="\(seconds)">
            \(thresholdCases.joined(separator: "\n"))
              </testsuite>
              <testsuite name="checks" tests="\(checkCases.count)" failures="\(checkFailures)" time="\(seconds)">
            \(checkCases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    static func escape(_ text: String) -> String {
        escaping(text) { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            default: nil
            }
        }
    }
}
