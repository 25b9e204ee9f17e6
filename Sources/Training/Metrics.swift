import Foundation

/// Mean, median and quartiles of a set of scores (quartiles interpolate linearly, as numpy does).
public struct ScoreSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var q1: Double
    public var q3: Double
    public var min: Double
    public var max: Double

    /// Nil for no scores.
    public init?(_ scores: [Double]) {
        guard !scores.isEmpty else { return nil }
        let sorted = scores.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = Metrics.quantile(sorted, 0.5)
        q1 = Metrics.quantile(sorted, 0.25)
        q3 = Metrics.quantile(sorted, 0.75)
        min = sorted.first!
        max = sorted.last!
    }
}

/// Positive-versus-rest counts and the measures derived from them; a measure whose denominator is
/// zero is nil (and absent from JSON), never a made-up number.
public struct BinaryMetrics: Sendable, Codable, Equatable {
    public var positiveLabel: String
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int
    public var accuracy: Double?
    /// Recall of the positive class.
    public var sensitivity: Double?
    public var specificity: Double?
    public var precision: Double?
    public var f1: Double?
    /// Area under the ROC curve of the score; nil when only one class is present.
    public var rocAUC: Double?

    public init(positiveLabel: String, actualPositive: [Bool], predictedPositive: [Bool], scores: [Double]) {
        precondition(actualPositive.count == predictedPositive.count && scores.count == actualPositive.count)
        self.positiveLabel = positiveLabel
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (actual, predicted) in zip(actualPositive, predictedPositive) {
            switch (actual, predicted) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (false, false): tn += 1
            case (true, false): fn += 1
            }
        }
        truePositives = tp; falsePositives = fp; trueNegatives = tn; falseNegatives = fn
        func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }
        accuracy = ratio(tp + tn, tp + tn + fp + fn)
        sensitivity = ratio(tp, tp + fn)
        specificity = ratio(tn, tn + fp)
        precision = ratio(tp, tp + fp)
        f1 = ratio(2 * tp, 2 * tp + fp + fn)
        rocAUC = Metrics.rocAUC(scores: scores, positive: actualPositive)
    }
}

/// One point of a ROC curve.
public struct ROCPoint: Sendable, Codable, Equatable {
    public var falsePositiveRate: Double
    public var truePositiveRate: Double
    /// Scores at or above this are called positive at this point.
    public var threshold: Double
}

/// Rank statistics used by the reports.
public enum Metrics {
    /// Linear-interpolation quantile of sorted values (numpy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// Exact ROC AUC by the Mann-Whitney rank sum, ties getting their average rank (a tie between a
    /// positive and a negative counts one half). Nil when either class is absent.
    public static func rocAUC(scores: [Double], positive: [Bool]) -> Double? {
        let positives = positive.count { $0 }, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end + 2) / 2
            for i in start...end where positive[order[i]] { rankSum += averageRank }
            start = end + 1
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// ROC curve from (0,0) to (1,1), one point per distinct score (ties move diagonally).
    public static func rocCurve(scores: [Double], positive: [Bool]) -> [ROCPoint] {
        let positives = Double(positive.count { $0 }), negatives = Double(positive.count) - positives
        guard positives > 0, negatives > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points = [ROCPoint(falsePositiveRate: 0, truePositiveRate: 0, threshold: .infinity)]
        var tp = 0.0, fp = 0.0, i = 0
        while i < order.count {
            let threshold = scores[order[i]]
            while i < order.count, scores[order[i]] == threshold {
                if positive[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ROCPoint(falsePositiveRate: fp / negatives, truePositiveRate: tp / positives, threshold: threshold))
        }
        return points
    }
}
