import Foundation
import Imaging
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
            model: ModelWriter.Paths(folder: "models", name: "covid_normal"))
        let html = TrainingReportHTML.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
        for title in ["Loss", "Accuracy", "Confusion matrix", "Scores per true label", "ROC, covid vs rest"] {
            #expect(html.contains("aria-label=\"\(title)"), "missing plot \(title)")
        }
        #expect(html.contains("<polyline"))
        #expect(html.contains("&lt;img 1&gt;.png"))
        #expect(!html.contains("<img 1>"))
        #expect(html.contains("/data/bad.png"))
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
        #expect(html.components(separatedBy: "<svg ").count - 1 == 9)
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
}
