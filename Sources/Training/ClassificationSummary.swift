/// One scored image of an evaluation or validation set.
public struct ScoredImage: Sendable, Codable, Equatable {
    public var path: String
    /// The true label.
    public var label: String
    public var source: String?
    /// P(positive label) (for a decision policy: the combined score, see `EvaluationRun`).
    public var score: Double
    /// The label the model (or policy) gave.
    public var predicted: String
    /// Per-model P(positive), when several models were run.
    public var modelScores: [String: Double]?

    public init(path: String, label: String, source: String?, score: Double, predicted: String, modelScores: [String: Double]? = nil) {
        self.path = path; self.label = label; self.source = source; self.score = score
        self.predicted = predicted; self.modelScores = modelScores
    }
}

/// Every measure of one set of scored images: the confusion matrix (rows = true label, columns =
/// predicted label), per-class recall, positive-versus-rest metrics, score distribution per true
/// label, the ROC curve and the misclassified files.
public struct ClassificationSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var labels: [String]
    public var predictedLabels: [String]
    public var confusion: [[Int]]
    /// Fraction of images whose prediction is right; a "not positive" prediction is right for every
    /// label other than the positive one.
    public var accuracy: Double?
    public var recallByLabel: [String: Double]
    public var binary: BinaryMetrics
    public var scoresByLabel: [String: ScoreSummary]
    public var roc: [ROCPoint]
    public var misclassified: [ScoredImage]
    /// Every score by true label (for histograms); not written to JSON.
    var allScores: [String: [Double]] = [:]

    enum CodingKeys: String, CodingKey {
        case count, labels, predictedLabels, confusion, accuracy, recallByLabel, binary, scoresByLabel, roc, misclassified
    }

    /// The scores of the images with true label `label`.
    public func scoresAll(_ label: String) -> [Double] { allScores[label] ?? [] }

    /// - Parameters:
    ///   - labels: true labels in display order.
    ///   - predictedLabels: labels a prediction can take; `negativeLabel` (if given) stands for "any
    ///     label but the positive one" (a decision policy's NEGATIVE).
    public init(_ images: [ScoredImage], labels: [String], predictedLabels: [String], positiveLabel: String, negativeLabel: String? = nil) {
        count = images.count
        self.labels = labels
        self.predictedLabels = predictedLabels
        func isCorrect(_ image: ScoredImage) -> Bool {
            image.predicted == image.label || (image.predicted == negativeLabel && image.label != positiveLabel)
        }
        confusion = labels.map { actual in
            predictedLabels.map { predicted in images.count { $0.label == actual && $0.predicted == predicted } }
        }
        accuracy = images.isEmpty ? nil : Double(images.count(where: isCorrect)) / Double(images.count)
        var recall: [String: Double] = [:]
        for label in labels {
            let members = images.filter { $0.label == label }
            if !members.isEmpty { recall[label] = Double(members.count(where: isCorrect)) / Double(members.count) }
        }
        recallByLabel = recall
        let actual = images.map { $0.label == positiveLabel }
        let scores = images.map(\.score)
        binary = BinaryMetrics(positiveLabel: positiveLabel, actualPositive: actual,
                               predictedPositive: images.map { $0.predicted == positiveLabel }, scores: scores)
        var distributions: [String: ScoreSummary] = [:]
        for label in labels {
            allScores[label] = images.filter { $0.label == label }.map(\.score)
            distributions[label] = ScoreSummary(allScores[label]!)
        }
        scoresByLabel = distributions
        roc = Metrics.rocCurve(scores: scores, positive: actual)
        misclassified = images.filter { !isCorrect($0) }
    }
}
