import Foundation
import Imaging
import Screening
import Testing
@testable import Training

@Suite struct ReportTests {
    static func sampleSummary() -> ClassificationSummary {
        var images: [ScoredImage] = []
        for i in 0..<20 {
            let covid = i < 10
            let score = Double(i % 10) / 10 + (covid ? 0.05 : 0)
            images.append(ScoredImage(path: "/data/<img \(i)>.png", label: covid ? "covid" : "normal", source: i % 2 == 0 ? "cohen" : "nih",
                                      score: score, predicted: i % 3 == 0 ? "covid" : "normal"))
        }
        return ClassificationSummary(images, labels: ["covid", "normal"], predictedLabels: ["covid", "normal"], positiveLabel: "covid")
    }

    @Test func trainingReportPageHoldsCurvesConfusionHistogramAndROC() {
        let history = (1...5).map { EpochRecord(epoch: $0, loss: 1 / Double($0), accuracy: 0.5 + 0.08 * Double($0),
                                                validationLoss: 1.2 / Double($0), validationAccuracy: 0.5 + 0.07 * Double($0), learningRate: 1e-4) }
        let report = TrainingReport(
            name: "covid_normal", createdAt: "2026-11-27T00:00:00Z", commandLine: "xraywatch train", labels: ["covid", "normal"],
            positiveLabel: "covid", inputs: ["data"], imagesByLabel: ["covid": 10, "normal": 10], trainingByLabel: ["covid": 8, "normal": 8],
            validationByLabel: ["covid": 2, "normal": 2], skipped: [SkippedImage(path: "/data/bad.png", reason: "corrupt")],
            recipe: HeadRecipe(), augmentation: AugmentationSettings(), augmentationNote: "note", preprocessing: Preprocessing(),
            validationFraction: 0.2, backboneSHA256: "abc", classWeights: ["covid": 1, "normal": 1], history: history,
            validation: Self.sampleSummary(), validationBySource: ["nih": Self.sampleSummary()], calibration: nil, extraction: ExtractionStatistics(), headTrainingSeconds: 1.5,
            model: ModelWriter.Paths(folder: "models", name: "covid_normal"), threshold: 0.5)
        let html = TrainingReportHTML.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 6)
        for title in ["Loss", "Accuracy", "Confusion matrix", "Scores per true label", "ROC, covid vs rest", "Calibration (reliability)"] {
            #expect(html.contains("aria-label=\"\(title)"), "missing plot \(title)")
        }
        #expect(html.contains("<polyline"))
        #expect(html.contains("&lt;img 1&gt;.png"))
        #expect(!html.contains("<img 1>"))
        #expect(html.contains("<td>bad.png</td>") && !html.contains("/data/bad.png"), "paths relative to the data root")
        #expect(html.contains("threshold 0.5"), "the threshold on the histogram and the ROC curve")
        #expect(html.contains("Validation per source"))
    }

    @Test func evaluationPageAndTableIncludeSourcesAndCrossScores() throws {
        let summary = Self.sampleSummary()
        let evaluation = ModelEvaluation(
            name: "covid_normal", labels: ["covid", "normal"], positiveLabel: "covid", thresholds: ["covid_normal": 0.5],
            overall: summary, bySource: ["cohen": summary, "nih": summary],
            crossScores: [CrossScore(label: "pneumonia", scores: try #require(ScoreSummary([0.2, 0.6])), fractionPositive: 0.5)])
        let report = EvaluationReport(createdAt: "now", commandLine: "xraywatch evaluate", inputs: ["INDEX.csv"],
                                      imagesByLabel: ["covid": 10, "normal": 10, "pneumonia": 2], skipped: [],
                                      models: [evaluation], policy: nil, policyScoreNote: nil, extraction: ExtractionStatistics())
        let html = EvaluationReportHTML.render(report)
        #expect(html.components(separatedBy: "<svg ").count - 1 == 12)
        #expect(html.contains("source nih"))
        let text = EvaluationTable.text(report)
        #expect(text.split(separator: "\n").count == 5)
        #expect(text.contains("covid_normal on pneumonia (2 images)"))
        #expect(text.contains(HTML.number(summary.binary.rocAUC)))
    }

    @Test func jsonReportIsValidEvenWithInfiniteROCThreshold() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString.prefix(8)).json")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ModelWriter.writeJSON(Self.sampleSummary(), to: folder.path)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder)) as? [String: Any]
        #expect(object?["count"] as? Int == 20)
        #expect((object?["roc"] as? [Any])?.isEmpty == false)
    }

    @Test func ticksAreRoundAndLossAxesNeverGoNegative() {
        let ticks = SVGChart.niceTicks(low: 0.013, high: 0.87, floorAtZero: true)
        #expect(ticks.first == 0 && ticks.last! >= 0.87 && ticks.count >= 3 && ticks.count <= 8, "\(ticks)")
        let steps = Set(zip(ticks.dropFirst(), ticks).map { (($0 - $1) * 1e6).rounded() })
        #expect(steps.count == 1, "evenly spaced: \(ticks)")
        #expect(SVGChart.niceTicks(low: 3, high: 161, floorAtZero: true, integers: true).allSatisfy { $0 == $0.rounded() })
        let chart = SVGChart.lines(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [SVGChart.Series(name: "training", values: [0.69, 0.2, 0.05, 0.01])])
        #expect(!chart.contains(">-"), "no negative tick on a loss axis")
        #expect(chart.contains(">0.8<") || chart.contains(">0.7<"), "a round top tick: \(chart)")
    }

    @Test func legendsStandBesideThePlotAndLabelsAreNotClipped() throws {
        let chart = SVGChart.histograms(title: "Scores", xLabel: "P", series: [SVGChart.Series(name: "covid", values: [0.9, 0.8])], threshold: 0.5)
        let legendX = try #require(chart.range(of: #"<rect x="(\d+)" y="\d+" width="12""#, options: .regularExpression).map { String(chart[$0]) })
        let x = Double(legendX.split(separator: "\"")[1])!
        #expect(x >= SVGChart.left + SVGChart.plotWidth, "legend right of the plot")
        let matrix = SVGChart.confusionMatrix(title: "M", rowLabels: ["covid", "pneumonia"], columnLabels: ["covid", "pneumonia"], counts: [[1, 2], [3, 4]])
        let label = try #require(matrix.range(of: #"<text x="(\d+(\.\d+)?)" y="[\d.]+" font-size="11" text-anchor="end"[^>]*>pneumonia"#, options: .regularExpression))
        let labelX = Double(String(matrix[label]).split(separator: "\"")[1])!
        #expect(labelX - 7 * 9 > 20, "room for 'pneumonia' left of the matrix and right of the axis title (x \(labelX))")
    }

    @Test func smallSourcesGetNoAUCAndPagesSayWhenAndWhichVersion() {
        let tiny = ClassificationSummary([
            ScoredImage(path: "/d/a.png", label: "covid", source: "x", score: 0.9, predicted: "covid"),
            ScoredImage(path: "/d/b.png", label: "normal", source: "x", score: 0.2, predicted: "normal"),
        ], labels: ["covid", "normal"], predictedLabels: ["covid", "normal"], positiveLabel: "covid")
        let html = SummaryHTML.section(tiny, heading: "tiny", scoreName: "P(covid)", threshold: 0.5)
        #expect(html.contains("n/a (1 positive, 1 negative; 10 of each needed)"))
        #expect(!html.contains("(AUC "), "no AUC in the ROC title from two images")
        let page = HTML.page(title: "t", body: "")
        #expect(page.contains("by xraywatch \(ProgramVersion.text)") && page.range(of: #"Written \d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil)
    }
}
