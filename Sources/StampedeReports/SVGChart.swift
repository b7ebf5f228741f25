import Foundation

/// Small charts drawn as inline SVG, so report.html is one file that opens offline.
enum SVGChart {
    struct Series {
        let name: String
        let color: String
        let points: [(x: Double, y: Double)]
    }

    static let width = 760.0
    static let height = 240.0
    private static let margin = (left: 64.0, right: 16.0, top: 16.0, bottom: 36.0)

    /// A line chart of several series sharing one y axis.
    static func lines(_ series: [Series], xLabel: String, yLabel: String, yFormat: (Double) -> String) -> String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return "<p class=\"empty\">no data</p>" }
        let xMax = max(all.map(\.x).max() ?? 1, 1)
        let xMin = min(all.map(\.x).min() ?? 0, xMax - 1)
        let yMax = niceCeiling(all.map(\.y).max() ?? 1)
        var svg = frame(yMax: yMax, yFormat: yFormat, xLabel: xLabel, yLabel: yLabel, xTicks: ticks(xMin, xMax), xRange: (xMin, xMax))
        for s in series where !s.points.isEmpty {
            // A second without a point (a scraped endpoint that did not answer) is a gap in the line.
            var runs: [[(x: Double, y: Double)]] = []
            for point in s.points {
                if let last = runs.last?.last, point.x - last.x <= 1.5 { runs[runs.count - 1].append(point) } else { runs.append([point]) }
            }
            for run in runs {
                let path = run.map { "\(fmt(x($0.x, xMin, xMax))),\(fmt(y($0.y, yMax)))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"><title>\(escape(s.name))</title></polyline>"
            }
        }
        svg += legend(series.map { ($0.name, $0.color) })
        return svg + "</svg>"
    }

    /// A bar chart with one labelled bar per value.
    static func bars(_ values: [(label: String, value: Double)], color: String, yLabel: String, yFormat: (Double) -> String) -> String {
        guard !values.isEmpty else { return "<p class=\"empty\">none</p>" }
        let yMax = niceCeiling(values.map(\.value).max() ?? 1)
        var svg = frame(yMax: yMax, yFormat: yFormat, xLabel: "", yLabel: yLabel, xTicks: [], xRange: (0, 1))
        let plotWidth = width - margin.left - margin.right
        let slot = plotWidth / Double(values.count)
        for (i, bar) in values.enumerated() {
            let left = margin.left + Double(i) * slot + slot * 0.15
            let top = y(bar.value, yMax)
            svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(slot * 0.7))\" height=\"\(fmt(height - margin.bottom - top))\" fill=\"\(color)\"><title>\(escape(bar.label)): \(escape(yFormat(bar.value)))</title></rect>"
            svg += "<text x=\"\(fmt(left + slot * 0.35))\" y=\"\(fmt(height - margin.bottom + 14))\" text-anchor=\"middle\" class=\"tick\">\(escape(bar.label))</text>"
        }
        return svg + "</svg>"
    }

    /// `xTicks` are labelled where they fall on `xRange`, the data's range that the lines span.
    private static func frame(
        yMax: Double, yFormat: (Double) -> String, xLabel: String, yLabel: String, xTicks: [Double], xRange: (low: Double, high: Double)
    ) -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\">"
        // Five grid steps for 1, 5 and 10 × 10ⁿ, four for 2 × 10ⁿ: every tick is a round number.
        let leading = yMax / pow(10, floor(log10(yMax)))
        let steps = abs(leading - 2) < 1e-9 ? 4 : 5
        for i in 0...steps {
            let value = yMax * Double(i) / Double(steps)
            let yy = y(value, yMax)
            svg += "<line x1=\"\(fmt(margin.left))\" x2=\"\(fmt(width - margin.right))\" y1=\"\(fmt(yy))\" y2=\"\(fmt(yy))\" class=\"grid\"/>"
            svg += "<text x=\"\(fmt(margin.left - 6))\" y=\"\(fmt(yy + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(yFormat(value)))</text>"
        }
        if xRange.high > xRange.low {
            for tick in xTicks {
                let xx = x(tick, xRange.low, xRange.high)
                svg += "<text x=\"\(fmt(xx))\" y=\"\(fmt(height - margin.bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(fmt(tick))</text>"
            }
        }
        svg += "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height - 4))\" text-anchor=\"middle\" class=\"label\">\(escape(xLabel))</text>"
        svg += "<text x=\"12\" y=\"\(fmt(height / 2))\" transform=\"rotate(-90 12 \(fmt(height / 2)))\" text-anchor=\"middle\" class=\"label\">\(escape(yLabel))</text>"
        return svg
    }

    private static func legend(_ entries: [(String, String)]) -> String {
        var svg = ""
        var left = margin.left + 8
        for (name, color) in entries {
            svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(margin.top - 10))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(fmt(left + 14))\" y=\"\(fmt(margin.top - 1))\" class=\"tick\">\(escape(name))</text>"
            left += 24 + Double(name.count) * 7
        }
        return svg
    }

    private static func x(_ value: Double, _ low: Double, _ high: Double) -> Double {
        margin.left + (value - low) / max(high - low, 1e-9) * (width - margin.left - margin.right)
    }

    private static func y(_ value: Double, _ yMax: Double) -> Double {
        height - margin.bottom - value / max(yMax, 1e-9) * (height - margin.top - margin.bottom)
    }

    /// `low`, `high`, and up to five round ticks between them, none closer than a quarter step to
    /// either end: the axis reads from the first to the last point.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let step = niceCeiling((high - low) / 5)
        let inner = stride(from: (low / step).rounded(.up) * step, through: high, by: step).filter {
            $0 - low >= step / 4 && high - $0 >= step / 4
        }
        return [low] + inner + [high]
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    private static func fmt(_ value: Double) -> String {
        Int(exactly: value).map(String.init) ?? String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String { JUnitReport.escape(text) }
}
