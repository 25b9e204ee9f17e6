import Foundation

/// Small, dependency-free SVG charts for the HTML reports.
public enum SVGChart {
    /// A named series of y values (x = 1, 2, ...).
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    static let width = 480.0, height = 320.0
    static let left = 56.0, right = 16.0, top = 32.0, bottom = 44.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// Line chart of per-epoch values (loss or accuracy curves).
    public static func lines(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let all = series.flatMap(\.values).filter(\.isFinite)
        let count = series.map(\.values.count).max() ?? 0
        var low = all.min() ?? 0, high = all.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let pad = (high - low) * 0.05
        low -= pad; high += pad
        func x(_ index: Int) -> Double { left + (count > 1 ? Double(index) / Double(count - 1) : 0.5) * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - (value - low) / (high - low)) * plotHeight }
        var body = axes(title: title, xLabel: xLabel, yLabel: yLabel)
        body += yTicks(low: low, high: high, map: y)
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
        let cell = min(plotWidth / Double(max(columnLabels.count, 1)), plotHeight / Double(max(rowLabels.count, 1)))
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
    public static func histograms(title: String, xLabel: String, series: [Series], bins: Int = 20) -> String {
        let counts = series.map { line -> [Int] in
            var histogram = [Int](repeating: 0, count: bins)
            for value in line.values where value.isFinite { histogram[min(max(Int(value * Double(bins)), 0), bins - 1)] += 1 }
            return histogram
        }
        let peak = Double(max(counts.flatMap { $0 }.max() ?? 1, 1))
        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value / peak) * plotHeight }
        var body = axes(title: title, xLabel: xLabel, yLabel: "images")
        body += yTicks(low: 0, high: peak, map: y)
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
        return svg(body, label: title)
    }

    /// ROC curve with the chance diagonal and the AUC in the title.
    public static func roc(title: String, points: [ROCPoint], auc: Double?) -> String {
        func x(_ value: Double) -> Double { left + value * plotWidth }
        func y(_ value: Double) -> Double { top + (1 - value) * plotHeight }
        let heading = auc.map { "\(title) (AUC \(String(format: "%.3f", $0)))" } ?? title
        var body = axes(title: heading, xLabel: "false positive rate", yLabel: "true positive rate")
        body += yTicks(low: 0, high: 1, map: y)
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) { body += text(x(tick), top + plotHeight + 16, format(tick), anchor: "middle", size: 11) }
        body += "<line x1=\"\(format(x(0)))\" y1=\"\(format(y(0)))\" x2=\"\(format(x(1)))\" y2=\"\(format(y(1)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        let line = points.map { "\(format(x($0.falsePositiveRate))),\(format(y($0.truePositiveRate)))" }.joined(separator: " ")
        body += "<polyline fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"2\" points=\"\(line)\"/>\n"
        return svg(body, label: heading)
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

    private static func yTicks(low: Double, high: Double, map: (Double) -> Double) -> String {
        (0...4).map { step in
            let value = low + (high - low) * Double(step) / 4
            return "<line x1=\"\(format(left - 3))\" y1=\"\(format(map(value)))\" x2=\"\(format(left))\" y2=\"\(format(map(value)))\" stroke=\"#444\"/>\n"
                + text(left - 6, map(value) + 4, format(value), anchor: "end", size: 11)
        }.joined()
    }

    private static func xTickIndices(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let step = max(1, Int((Double(count) / 8).rounded(.up)))
        var ticks = Array(stride(from: 0, to: count, by: step))
        if ticks.last != count - 1 { ticks.append(count - 1) }
        return ticks
    }

    private static func legend(_ number: Int, _ name: String, _ colour: String) -> String {
        let y = top + 14 + Double(number) * 16
        return "<rect x=\"\(format(left + plotWidth - 150))\" y=\"\(format(y - 9))\" width=\"12\" height=\"10\" fill=\"\(colour)\"/>\n"
            + text(left + plotWidth - 134, y, name, anchor: "start", size: 11)
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
        </body>
        </html>

        """
    }

    /// "0.923" or "n/a" for a missing measure.
    public static func number(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "n/a"
    }
}
