import Foundation
import Imaging
import Screening

/// The segmenter's training report: `NAME.report.json` (every figure and every image's record) and
/// `NAME.report.html` (Dice per split, the per-image Dice histogram, figures per class and source with a
/// note where they differ markedly from the COVID-19 images the masks came from, and contact sheets as PNGs
/// beside the page).
public struct LungReport: Sendable {
    public var name: String
    public var version: String
    public var recipe: LungTrainingRecipe
    public var history: [LungEpochRecord]
    public var bestEpoch: Int
    public var plausibility: LungPlausibility
    public var evaluation: LungEvaluation

    public init(name: String, version: String, recipe: LungTrainingRecipe, history: [LungEpochRecord], bestEpoch: Int,
                plausibility: LungPlausibility, evaluation: LungEvaluation) {
        self.name = name; self.version = version; self.recipe = recipe; self.history = history; self.bestEpoch = bestEpoch
        self.plausibility = plausibility; self.evaluation = evaluation
    }

    /// Rows of the "per group" table: splits with masks, then classes and sources of the unmasked test images.
    public var groups: [(name: String, summary: LungGroupSummary)] {
        let splits = ["train", "validation", "test", "tutorial"].map { split in ("masked \(split)", evaluation.summary { $0.split == split }) }
        let unmasked = evaluation.records.filter { $0.split == "unmasked" }
        let keys = Set(unmasked.map { "\($0.label ?? "?") / \($0.source ?? "?")" }).sorted()
        let classes = keys.map { key in ("test \(key)", evaluation.summary { $0.split == "unmasked" && "\($0.label ?? "?") / \($0.source ?? "?")" == key }) }
        return (splits + classes).filter { $0.1.count > 0 }
    }

    /// Where a group differs markedly from the masked COVID-19 test images: fewer plausible masks (by more
    /// than 10 points) or a median lung area more than 25 % away.
    public func differences() -> [String] {
        let reference = evaluation.summary { $0.split == "test" }
        guard reference.count > 0 else { return [] }
        return groups.filter { $0.name.hasPrefix("test ") }.compactMap { name, summary in
            var notes: [String] = []
            if summary.plausibleShare < reference.plausibleShare - 0.10 {
                notes.append(String(format: "plausible masks %.0f %% against %.0f %%", 100 * summary.plausibleShare, 100 * reference.plausibleShare))
            }
            let ratio = summary.medianAreaFraction / reference.medianAreaFraction
            if abs(ratio - 1) > 0.25 {
                notes.append(String(format: "median lung area %.1f %% of the image against %.1f %%", 100 * summary.medianAreaFraction, 100 * reference.medianAreaFraction))
            }
            return notes.isEmpty ? nil : "\(name): " + notes.joined(separator: "; ")
        }
    }

    public func write(to paths: ModelWriter.Paths, dataRoot: String) throws(WriteError) {
        let folder = URL(fileURLWithPath: paths.reportHTML).deletingLastPathComponent()
        var sheetFiles: [(String, String)] = []
        for sheet in evaluation.sheets {
            let file = "\(name).report.\(sheet.file).png"
            let path = folder.appendingPathComponent(file).path
            let bytes: [UInt8]
            do { bytes = try PNGEncoder.encode(sheet.image) } catch { throw WriteError(path: path, step: .encode, cause: error) }
            try ModelWriter.writeData(Data(bytes), to: path)
            sheetFiles.append((sheet.title, file))
        }
        try ModelWriter.writeJSON(JSONReport(name: name, version: version, generated: ISO8601DateFormatter().string(from: Date()),
                                             recipe: recipe, history: history, bestEpoch: bestEpoch, plausibility: plausibility,
                                             groups: groups.map { .init(name: $0.name, summary: $0.summary) },
                                             differences: differences(), images: evaluation.records),
                                  to: paths.reportJSON)
        try ModelWriter.writeText(html(sheets: sheetFiles), to: paths.reportHTML)
    }

    struct JSONReport: Encodable {
        struct Group: Encodable { var name: String; var summary: LungGroupSummary }
        var name: String, version: String, generated: String
        var recipe: LungTrainingRecipe
        var history: [LungEpochRecord]
        var bestEpoch: Int
        var plausibility: LungPlausibility
        var groups: [Group]
        var differences: [String]
        var images: [LungImageRecord]
    }

    func html(sheets: [(title: String, file: String)]) -> String {
        let percent = { (value: Double) in String(format: "%.1f %%", 100 * value) }
        var body = "<p>Version \(HTML.escape(version)); epoch \(bestEpoch)\(history.isEmpty ? "" : " of \(history.count)") kept (highest validation Dice). Generated \(HTML.escape(ISO8601DateFormatter().string(from: Date()))).</p>\n"
        body += "<h2>Dice and lung figures per group</h2>\n"
        body += HTML.table(["group", "images", "mean Dice", "2 regions", "plausible", "lung area median (5th-95th)", "right/left median"],
                           groups.map { name, s in
                               [name, "\(s.count)", HTML.number(s.meanDice), percent(s.twoRegionsShare), percent(s.plausibleShare),
                                "\(percent(s.medianAreaFraction)) (\(percent(s.areaFraction5th))-\(percent(s.areaFraction95th)))", HTML.number(s.medianRightToLeft, digits: 2)]
                           })
        let differences = differences()
        body += differences.isEmpty
            ? "<p>No class or source differs markedly from the masked COVID-19 test images.</p>\n"
            : "<p><b>Differs markedly from the COVID-19 images the masks came from:</b></p><ul>" + differences.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>\n"
        body += "<p class=\"note\">Plausible: two regions, lung area \(percent(plausibility.minimumAreaFraction))-\(percent(plausibility.maximumAreaFraction)) of the image, right/left area ratio \(HTML.number(plausibility.minimumRightToLeft, digits: 2))-\(HTML.number(plausibility.maximumRightToLeft, digits: 2)) (fitted on the training masks).</p>\n"
        let testDice = evaluation.records.filter { $0.split == "test" }.compactMap(\.dice)
        body += "<div class=\"plots\">"
        body += SVGChart.histograms(title: "Per-image Dice, test masks (n = \(testDice.count))", xLabel: "Dice", series: [.init(name: "test", values: testDice)])
        if !history.isEmpty {
            body += SVGChart.lines(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [.init(name: "training", values: history.map(\.trainingLoss)),
                                                                                            .init(name: "validation", values: history.map(\.validationLoss))])
            body += SVGChart.lines(title: "Validation Dice (decoder resolution)", xLabel: "epoch", yLabel: "Dice", series: [.init(name: "validation", values: history.map(\.validationDice))])
        }
        body += "</div>\n"
        for sheet in sheets { body += "<h2>\(HTML.escape(sheet.title))</h2>\n<img src=\"\(HTML.escape(sheet.file))\" alt=\"\(HTML.escape(sheet.title))\">\n" }
        return HTML.page(title: "Lung segmenter \(name)", body: body)
    }
}
