import Testing
@testable import Training

@Suite struct MetricsTests {
    @Test func aucCountsTiesAsOneHalf() {
        // Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 1 + 2 + 1.5 of 6 pairs.
        let auc = Metrics.rocAUC(scores: [0.1, 0.4, 0.35, 0.8, 0.4], positive: [false, false, true, true, true])
        #expect(auc == 0.75)
        #expect(Metrics.rocAUC(scores: [0.5, 0.5], positive: [true, false]) == 0.5)
        #expect(Metrics.rocAUC(scores: [0.1, 0.9], positive: [false, true]) == 1)
        #expect(Metrics.rocAUC(scores: [0.1, 0.9], positive: [true, true]) == nil)
    }

    @Test func rocCurveRunsFromOriginToOneOne() {
        let curve = Metrics.rocCurve(scores: [0.1, 0.4, 0.35, 0.8, 0.4], positive: [false, false, true, true, true])
        #expect(curve.first?.falsePositiveRate == 0 && curve.first?.truePositiveRate == 0)
        #expect(curve.last?.falsePositiveRate == 1 && curve.last?.truePositiveRate == 1)
        // The tie at 0.4 moves diagonally: from (0, 1/3) to (1/2, 2/3).
        #expect(curve.map(\.falsePositiveRate) == [0, 0, 0.5, 0.5, 1])
    }

    @Test func quartilesInterpolateLikeNumpy() throws {
        let summary = try #require(ScoreSummary([4, 1, 3, 2]))
        #expect(summary.q1 == 1.75)
        #expect(summary.median == 2.5)
        #expect(summary.q3 == 3.25)
        #expect(summary.mean == 2.5)
        #expect(summary.min == 1 && summary.max == 4)
        #expect(ScoreSummary([]) == nil)
    }

    @Test func binaryMetricsFromHandCountedConfusion() {
        // TP 3, FN 1, FP 2, TN 4.
        let actual = [true, true, true, true, false, false, false, false, false, false]
        let predicted = [true, true, true, false, true, true, false, false, false, false]
        let metrics = BinaryMetrics(positiveLabel: "covid", actualPositive: actual, predictedPositive: predicted,
                                    scores: predicted.map { $0 ? 0.9 : 0.1 })
        #expect([metrics.truePositives, metrics.falseNegatives, metrics.falsePositives, metrics.trueNegatives] == [3, 1, 2, 4])
        #expect(metrics.accuracy == 0.7)
        #expect(metrics.sensitivity == 0.75)
        #expect(metrics.specificity == 4.0 / 6.0)
        #expect(metrics.precision == 0.6)
        #expect(metrics.f1 == 6.0 / 9.0)
        let none = BinaryMetrics(positiveLabel: "covid", actualPositive: [false], predictedPositive: [false], scores: [0.2])
        #expect(none.sensitivity == nil && none.precision == nil && none.rocAUC == nil)
    }

    @Test func summaryOfAPolicyCountsNegativeRightForEveryOtherLabel() {
        let images = [
            ScoredImage(path: "a", label: "covid", source: "s1", score: 0.9, predicted: "covid"),
            ScoredImage(path: "b", label: "covid", source: "s1", score: 0.2, predicted: "not covid"),
            ScoredImage(path: "c", label: "normal", source: "s2", score: 0.1, predicted: "not covid"),
            ScoredImage(path: "d", label: "pneumonia", source: "s2", score: 0.7, predicted: "covid"),
            ScoredImage(path: "e", label: "pneumonia", source: "s2", score: 0.3, predicted: "not covid"),
        ]
        let summary = ClassificationSummary(images, labels: ["covid", "normal", "pneumonia"], predictedLabels: ["covid", "not covid"],
                                            positiveLabel: "covid", negativeLabel: "not covid")
        #expect(summary.confusion == [[1, 1], [0, 1], [1, 1]])
        #expect(summary.accuracy == 0.6)
        #expect(summary.recallByLabel == ["covid": 0.5, "normal": 1, "pneumonia": 0.5])
        #expect(summary.misclassified.map(\.path) == ["b", "d"])
        #expect(summary.binary.sensitivity == 0.5)
        #expect(summary.binary.specificity == 2.0 / 3.0)
        // Positives 0.9, 0.2 against negatives 0.1, 0.7, 0.3: 3 + 1 of 6 pairs.
        #expect(summary.binary.rocAUC == 4.0 / 6.0)
        #expect(summary.scoresByLabel["pneumonia"]?.median == 0.5)
    }
}
