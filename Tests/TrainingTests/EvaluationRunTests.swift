import Foundation
import Imaging
import Screening
import Testing
import TestSupport
@testable import Training

/// Scoring logic of `evaluate` on hand-made probabilities (no backbone involved).
@Suite struct EvaluationRunTests {
    static func model(_ name: String, labels: [String], in folder: URL) throws -> ScreeningModel {
        let paths = ModelWriter.Paths(folder: folder.path, name: name)
        try ModelWriter.write(HeadParameters(inputs: 4608, hidden: 2, classes: labels.count, seed: 1), dropout: 0.5, name: name,
                              version: "t", description: "t", labels: labels, positiveLabel: "covid", threshold: 0.5,
                              preprocessing: Preprocessing(), backboneSHA256: "b", training: [:], to: paths)
        return try ScreeningModel.load(manifestAt: paths.manifest, backboneSHA256: "b")
    }

    static func image(_ label: String, _ index: Int) -> LabelledImage {
        LabelledImage(path: "/\(label)/\(index).png", label: label, source: index % 2 == 0 ? "even" : "odd")
    }

    @Test func singleModelMetricsAndCrossScoresOnForeignLabels() throws {
        let folder = try Fixtures.makeTemporaryDirectory("evaluation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let covidNormal = try Self.model("covid_normal", labels: ["covid", "normal"], in: folder)
        let images: [(LabelledImage, [String: [Float]])] = [
            (Self.image("covid", 0), ["covid_normal": [0.9, 0.1]]),
            (Self.image("covid", 1), ["covid_normal": [0.4, 0.6]]),
            (Self.image("normal", 0), ["covid_normal": [0.2, 0.8]]),
            (Self.image("normal", 1), ["covid_normal": [0.6, 0.4]]),
            (Self.image("pneumonia", 0), ["covid_normal": [0.7, 0.3]]),
            (Self.image("pneumonia", 1), ["covid_normal": [0.3, 0.7]]),
            (Self.image("pneumonia", 2), ["covid_normal": [0.8, 0.2]]),
        ]
        let run = EvaluationRun(options: EvaluationOptions())
        let result = run.evaluate(covidNormal, images, datasetLabels: ["covid", "normal", "pneumonia"])
        #expect(result.overall.count == 4)
        #expect(result.overall.confusion == [[1, 1], [1, 1]])
        #expect(result.overall.binary.rocAUC == 0.75)   // 0.9 beats both negatives, 0.4 beats 0.2 only
        #expect(result.bySource["even"]?.count == 2)
        let cross = try #require(result.crossScores.first)
        #expect(cross.label == "pneumonia")
        #expect(abs(cross.scores.median - 0.7) < 1e-6)
        #expect(abs(cross.fractionPositive - 2.0 / 3.0) < 1e-12)
    }

    @Test func bothPolicyIsPositiveOnlyWhenEveryModelAgrees() throws {
        let folder = try Fixtures.makeTemporaryDirectory("evaluation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = [try Self.model("covid_normal", labels: ["covid", "normal"], in: folder),
                      try Self.model("covid_pneumo", labels: ["covid", "pneumonia"], in: folder)]
        let images: [(LabelledImage, [String: [Float]])] = [
            (Self.image("covid", 0), ["covid_normal": [0.9, 0.1], "covid_pneumo": [0.8, 0.2]]),   // positive, right
            (Self.image("covid", 1), ["covid_normal": [0.9, 0.1], "covid_pneumo": [0.3, 0.7]]),   // negative, wrong
            (Self.image("normal", 0), ["covid_normal": [0.1, 0.9], "covid_pneumo": [0.7, 0.3]]),  // negative, right
            (Self.image("pneumonia", 0), ["covid_normal": [0.6, 0.4], "covid_pneumo": [0.6, 0.4]]), // positive, wrong
        ]
        let decision = Decision(policy: .both, thresholds: ["covid_normal": 0.5, "covid_pneumo": 0.5])
        let result = EvaluationRun(options: EvaluationOptions()).evaluatePolicy(decision, models: models, images, labels: ["covid", "normal", "pneumonia"])
        #expect(result.overall.predictedLabels == ["covid", "not covid"])
        #expect(result.overall.confusion == [[1, 1], [0, 1], [1, 0]])
        #expect(result.overall.misclassified.map(\.path) == ["/covid/1.png", "/pneumonia/0.png"])
        #expect(result.overall.misclassified[0].modelScores?["covid_pneumo"].map { abs($0 - 0.3) < 1e-6 } == true)
        // Score = the lower of the two model scores: covid 0.8, 0.3 against normal 0.1, pneumonia 0.6.
        #expect(result.overall.binary.rocAUC == 0.75)
    }
}

@Suite struct ProgressReporterTests {
    @Test func lineShowsCountRateAndETA() {
        let line = ProgressReporter.line(title: "features", done: 25, total: 100, unit: "images", elapsed: 5, width: 20)
        #expect(line == "features [#####...............] 25/100 images  5.0 images/s  ETA 0:15")
        #expect(ProgressReporter.line(title: "x", done: 0, total: 10, unit: "i", elapsed: 0, width: 4).hasSuffix("ETA --:--"))
        #expect(ProgressReporter.formatDuration(3725) == "1:02:05")
    }
}
