import Foundation
import Screening

/// Small, dependency-free SVG charts for the HTML reports.
public enum SVGChart {
    /// A named series of y values (x = 1, 2, ...).
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    static let width = 600.0, height = 320.0
    /// The right margin holds the legend, so it never covers data.
    static let left = 56.0, right = 136.0, top = 32.0, bottom = 44.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// Line chart of per-epoch values (loss or accuracy curves).
    public static func lines(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let all = series.flatMap(\.values).filter(\.isFinite)
        let count = series.map(\.values.count).max() ?? 0
        // Axis from round ticks around the data; never below 0 for data that is not (losses, accuracies).
        let ticks = niceTicks(low: all.min() ?? 0, high: all.max() ?? 1, floorAtZero: (all.min() ?? 0) >= 0)
        let (low, high) = (ticks.first!, ticks.last!)
        func x(_ index: Int) -> Double { left + (count > 1 ? Double(index) / Double(count - 1) : 0.5) * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - (value - low) / (high - low)) * plotHeight }
        var body = axes(title: title, xLabel: xLabel, yLabel: yLabel)
        body += yTicks(ticks, map: y)
        for tick in xTickIndices(count) {
            body += text(x(tick), top + plotHeight + 16, "\(tick + 1)", anchor: "middle", size: 11)
        }
        for (number, line) in series.enumerated() {
            let colour = palette[number % palette.count]
            let points = line.values.enumerated().filter { $0.element.isFinite }
                .map { "\(format(x($0.offset))),\(format(y($0.element)))" }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            body += legend(number, line.name, colour)
        }
        return svg(body, label: title)
    }

    /// Confusion matrix as a heat map with counts.
    public static func confusionMatrix(title: String, rowLabels: [String], columnLabels: [String], counts: [[Int]]) -> String {
        // Room for the longest row label (about 7 px per character at 11 px), so none is clipped.
        let left = max(Self.left, 32 + 7 * Double(rowLabels.map(\.count).max() ?? 0))
        let cell = min((width - left - 16) / Double(max(columnLabels.count, 1)), plotHeight / Double(max(rowLabels.count, 1)))
        let peak = Double(counts.flatMap { $0 }.max() ?? 1)
        var body = text(width / 2, 18, title, anchor: "middle", size: 14, bold: true)
        body += text(left + cell * Double(columnLabels.count) / 2, height - 6, "predicted", anchor: "middle", size: 12)
        body += "<text x=\"14\" y=\"\(format(top + cell * Double(rowLabels.count) / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(format(top + cell * Double(rowLabels.count) / 2)))\">true</text>\n"
        for (row, rowLabel) in rowLabels.enumerated() {
            body += text(left - 4, top + (Double(row) + 0.5) * cell + 4, rowLabel, anchor: "end", size: 11)
            for (column, _) in columnLabels.enumerated() {
                let value = counts[row][column]
                let shade = peak > 0 ? Double(value) / peak : 0
                let fill = "rgb(\(Int(255 - 200 * shade)),\(Int(255 - 140 * shade)),\(Int(255 - 60 * shade)))"
                body += "<rect x=\"\(format(left + Double(column) * cell))\" y=\"\(format(top + Double(row) * cell))\" width=\"\(format(cell))\" height=\"\(format(cell))\" fill=\"\(fill)\" stroke=\"#444\"/>\n"
                body += text(left + (Double(column) + 0.5) * cell, top + (Double(row) + 0.5) * cell + 5, "\(value)", anchor: "middle",
                             size: 14, colour: shade > 0.6 ? "#fff" : "#000")
            }
        }
        for (column, label) in columnLabels.enumerated() {
            body += text(left + (Double(column) + 0.5) * cell, top + Double(rowLabels.count) * cell + 16, label, anchor: "middle", size: 11)
        }
        return svg(body, label: title)
    }

    /// Overlaid histograms of scores in [0, 1], one per class, as outlined step lines.
    public static func histograms(title: String, xLabel: String, series: [Series], bins: Int = 20, threshold: Double? = nil) -> String {
        let counts = series.map { line -> [Int] in
            var histogram = [Int](repeating: 0, count: bins)
            for value in line.values where value.isFinite { histogram[min(max(Int(value * Double(bins)), 0), bins - 1)] += 1 }
            return histogram
        }
        let ticks = niceTicks(low: 0, high: Double(max(counts.flatMap { $0 }.max() ?? 1, 1)), floorAtZero: true, integers: true)
        let peak = ticks.last!
        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value / peak) * plotHeight }
        var body = axes(title: title, xLabel: xLabel, yLabel: "images")
        body += yTicks(ticks, map: y)
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) { body += text(x(tick), top + plotHeight + 16, format(tick), anchor: "middle", size: 11) }
        for (number, histogram) in counts.enumerated() {
            let colour = palette[number % palette.count]
            var path = "M\(format(x(0))),\(format(y(0)))"
            for (bin, count) in histogram.enumerated() {
                path += " L\(format(x(Double(bin) / Double(bins)))),\(format(y(Double(count))))"
                path += " L\(format(x(Double(bin + 1) / Double(bins)))),\(format(y(Double(count))))"
            }
            path += " L\(format(x(1))),\(format(y(0)))"
            body += "<path d=\"\(path)\" fill=\"\(colour)\" fill-opacity=\"0.25\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
            body += legend(number, "\(series[number].name) (\(series[number].values.count))", colour)
        }
        if let threshold { body += thresholdLine(at: x(threshold), label: "threshold \(format(threshold))", legendRow: counts.count) }
        return svg(body, label: title)
    }

    /// A vertical dashed line across the plot, named in the legend column.
    private static func thresholdLine(at x: Double, label: String, legendRow: Int) -> String {
        "<line x1=\"\(format(x))\" y1=\"\(format(top))\" x2=\"\(format(x))\" y2=\"\(format(top + plotHeight))\" stroke=\"#000\" stroke-dasharray=\"5 3\"/>\n"
            + "<line x1=\"\(format(left + plotWidth + 8))\" y1=\"\(format(top + 9 + Double(legendRow) * 16))\" x2=\"\(format(left + plotWidth + 20))\" y2=\"\(format(top + 9 + Double(legendRow) * 16))\" stroke=\"#000\" stroke-dasharray=\"5 3\"/>\n"
            + text(left + plotWidth + 24, top + 14 + Double(legendRow) * 16, label, anchor: "start", size: 11)
    }

    /// ROC curve with the chance diagonal and the AUC in the title.
    public static func roc(title: String, points: [ROCPoint], auc: Double?, operatingPoint: (falsePositiveRate: Double, truePositiveRate: Double, threshold: Double)? = nil) -> String {
        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value) * plotHeight }
        let heading = auc.map { "\(title) (AUC \(String(format: "%.3f", $0)))" } ?? title
        var body = axes(title: heading, xLabel: "false positive rate", yLabel: "true positive rate")
        body += yTicks([0, 0.25, 0.5, 0.75, 1], map: y)
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) { body += text(x(tick), top + plotHeight + 16, format(tick), anchor: "middle", size: 11) }
        body += "<line x1=\"\(format(x(0)))\" y1=\"\(format(y(0)))\" x2=\"\(format(x(1)))\" y2=\"\(format(y(1)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        let line = points.map { "\(format(x($0.falsePositiveRate))),\(format(y($0.truePositiveRate)))" }.joined(separator: " ")
        body += "<polyline fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"2\" points=\"\(line)\"/>\n"
        if let point = operatingPoint {
            body += "<circle cx=\"\(format(x(point.falsePositiveRate)))\" cy=\"\(format(y(point.truePositiveRate)))\" r=\"5\" fill=\"#d62728\" stroke=\"#000\"/>\n"
            body += "<circle cx=\"\(format(left + plotWidth + 14))\" cy=\"\(format(top + 10))\" r=\"5\" fill=\"#d62728\" stroke=\"#000\"/>\n"
            body += text(left + plotWidth + 24, top + 14, "threshold \(format(point.threshold))", anchor: "start", size: 11)
            body += text(left + plotWidth + 24, top + 30, "FPR \(String(format: "%.2f", point.falsePositiveRate)), TPR \(String(format: "%.2f", point.truePositiveRate))", anchor: "start", size: 11)
        }
        return svg(body, label: heading)
    }

    /// Reliability diagram: per bin of predicted P(positive), the share of images that are positive, against
    /// the diagonal of perfect calibration; each point is labelled with its image count.
    public static func calibration(title: String, scores: [Double], positive: [Bool], bins: Int = 10) -> String {
        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value) * plotHeight }
        var body = axes(title: title, xLabel: "predicted P (bin mean)", yLabel: "observed share positive")
        body += yTicks([0, 0.25, 0.5, 0.75, 1], map: y)
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) { body += text(x(tick), top + plotHeight + 16, format(tick), anchor: "middle", size: 11) }
        body += "<line x1=\"\(format(x(0)))\" y1=\"\(format(y(0)))\" x2=\"\(format(x(1)))\" y2=\"\(format(y(1)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        var points: [(Double, Double, Int)] = []
        for bin in 0..<bins {
            let members = scores.indices.filter { min(max(Int(scores[$0] * Double(bins)), 0), bins - 1) == bin }
            guard !members.isEmpty else { continue }
            let meanScore = members.map { scores[$0] }.reduce(0, +) / Double(members.count)
            let share = Double(members.count { positive[$0] }) / Double(members.count)
            points.append((meanScore, share, members.count))
        }
        body += "<polyline fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"1.5\" points=\"\(points.map { "\(format(x($0.0))),\(format(y($0.1)))" }.joined(separator: " "))\"/>\n"
        for (meanScore, share, count) in points {
            body += "<circle cx=\"\(format(x(meanScore)))\" cy=\"\(format(y(share)))\" r=\"4\" fill=\"\(count >= 10 ? palette[0] : "#fff")\" stroke=\"\(palette[0])\"/>\n"
            body += text(x(meanScore) + 6, y(share) + (share > 0.85 ? 14 : -6), "\(count)", anchor: "start", size: 10, colour: "#555")
        }
        body += text(left + plotWidth + 8, top + 14, "n per bin;", anchor: "start", size: 11)
        body += text(left + plotWidth + 8, top + 30, "hollow: n < 10", anchor: "start", size: 11)
        return svg(body, label: title)
    }

    // MARK: - Pieces

    private static func svg(_ body: String, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(label))\" font-family=\"sans-serif\">\n\(body)</svg>\n"
    }

    private static func axes(title: String, xLabel: String, yLabel: String) -> String {
        var body = text(width / 2, 18, title, anchor: "middle", size: 14, bold: true)
        body += "<rect x=\"\(format(left))\" y=\"\(format(top))\" width=\"\(format(plotWidth))\" height=\"\(format(plotHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
        body += text(left + plotWidth / 2, height - 6, xLabel, anchor: "middle", size: 12)
        let middle = top + plotHeight / 2
        body += "<text x=\"14\" y=\"\(format(middle))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(format(middle)))\">\(HTML.escape(yLabel))</text>\n"
        return body
    }

    private static func yTicks(_ ticks: [Double], map: (Double) -> Double) -> String {
        ticks.map { value in
            "<line x1=\"\(format(left - 3))\" y1=\"\(format(map(value)))\" x2=\"\(format(left))\" y2=\"\(format(map(value)))\" stroke=\"#444\"/>\n"
                + text(left - 6, map(value) + 4, format(value), anchor: "end", size: 11)
        }.joined()
    }

    /// Round tick values (1, 2 or 5 times a power of ten apart, 3 to 7 of them) covering `low...high`; the
    /// first and last are the axis ends. `floorAtZero` keeps non-negative data from getting negative ticks.
    static func niceTicks(low: Double, high: Double, floorAtZero: Bool, integers: Bool = false) -> [Double] {
        var (low, high) = (low, high)
        if high - low < 1e-12 { (low, high) = (low - 0.5, high + 0.5) }
        if floorAtZero { low = max(0, low) }
        let rough = (high - low) / 5
        let power = pow(10, (log10(rough)).rounded(.down))
        var step = [1.0, 2.0, 5.0, 10.0].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        if integers { step = max(1, step.rounded(.up)) }
        let first = (low / step).rounded(.down) * step, last = (high / step).rounded(.up) * step
        return stride(from: first, through: last + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    private static func xTickIndices(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let step = max(1, Int((Double(count) / 8).rounded(.up)))
        var ticks = Array(stride(from: 0, to: count, by: step))
        if let last = ticks.last, last != count - 1 {
            // The last epoch always gets its tick; one too close before it (labels would touch) makes way.
            if count - 1 - last < max(2, step / 2), ticks.count > 1 { ticks.removeLast() }
            ticks.append(count - 1)
        }
        return ticks
    }

    /// One legend entry in the column right of the plot (never over the data).
    private static func legend(_ number: Int, _ name: String, _ colour: String) -> String {
        let y = top + 14 + Double(number) * 16
        return "<rect x=\"\(format(left + plotWidth + 8))\" y=\"\(format(y - 9))\" width=\"12\" height=\"10\" fill=\"\(colour)\"/>\n"
            + text(left + plotWidth + 24, y, name, anchor: "start", size: 11)
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, size: Int, bold: Bool = false, colour: String = "#000") -> String {
        "<text x=\"\(format(x))\" y=\"\(format(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\"\(bold ? " font-weight=\"bold\"" : "") fill=\"\(colour)\">\(HTML.escape(content))</text>\n"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
    }
}

/// HTML helpers shared by the report pages.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A table with a header row; cells are escaped.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        var html = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
        return html + "</table>\n"
    }

    /// A complete page with a small embedded stylesheet.
    public static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; max-width: 1100px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; font-size: 0.9em; }
        th { background: #eee; }
        .plots { display: flex; flex-wrap: wrap; gap: 12px; }
        .note { color: #555; font-size: 0.9em; }
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>
        <p class="note">xraywatch is a screening and teaching tool, never a diagnosis.</p>
        \(body)
        <p class="note">Written \(LedgerDate.today()) by xraywatch \(ProgramVersion.text).</p>
        </body>
        </html>

        """
    }

    /// "0.923" or "n/a" for a missing measure.
    public static func number(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "n/a"
    }
}

/// Today's date as the reports print it (UTC, `2026-12-04`).
enum LedgerDate {
    static func today() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date())
    }
}
