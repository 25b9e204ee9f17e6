import Foundation

/// The HTML section shared by training and evaluation reports for one `ClassificationSummary`: metrics
/// table, operating points, confusion matrix, score histograms per class with the threshold, ROC curve with
/// the operating point, a reliability (calibration) plot, and misclassified files.
enum SummaryHTML {
    /// Thresholds of the operating-point table (the model's own is added).
    static let operatingThresholds = [0.1, 0.3, 0.5, 0.7, 0.9]

    /// `threshold`: the one the predictions used (nil for a policy over several models).
    static func section(_ summary: ClassificationSummary, heading: String, scoreName: String, threshold: Double? = nil,
                        listMisclassified: Bool = true, dataRoot: String? = nil) -> String {
        let binary = summary.binary
        let (scores, positive) = scoredPairs(summary)
        let (positives, negatives) = (positive.count { $0 }, positive.count { !$0 })
        let enoughForAUC = positives >= Proportion.minimumCount && negatives >= Proportion.minimumCount
        var html = "<h2>\(HTML.escape(heading))</h2>\n"
        html += HTML.table(["images", "accuracy", "sensitivity [95 % CI] (TP/P)", "specificity [95 % CI] (TN/N)", "precision", "F1", "ROC AUC", "TP", "FP", "TN", "FN"], [[
            "\(summary.count)", summary.count >= Proportion.minimumCount ? HTML.number(summary.accuracy) : "n<10",
            positives == 0 ? "n/a (0/0)" : Proportion(binary.truePositives, of: positives).text,
            negatives == 0 ? "n/a (0/0)" : Proportion(binary.trueNegatives, of: negatives).text,
            HTML.number(binary.precision), HTML.number(binary.f1),
            enoughForAUC ? HTML.number(binary.rocAUC) : "n/a (\(positives) positive, \(negatives) negative; 10 of each needed)",
            "\(binary.truePositives)", "\(binary.falsePositives)", "\(binary.trueNegatives)", "\(binary.falseNegatives)",
        ]])
        html += "<p class=\"note\">Positive label: \(HTML.escape(binary.positiveLabel)). Recall per true label: "
            + summary.labels.map { "\(HTML.escape($0)) \(HTML.number(summary.recallByLabel[$0]))" }.joined(separator: ", ") + ".</p>\n"
        html += HTML.table(["true label", "images", "mean \(scoreName)", "Q1", "median", "Q3", "min", "max"], summary.labels.compactMap { label in
            summary.scoresByLabel[label].map { s in
                [label, "\(s.count)", HTML.number(s.mean), HTML.number(s.q1), HTML.number(s.median), HTML.number(s.q3), HTML.number(s.min), HTML.number(s.max)]
            }
        })
        html += "<h3>Operating points</h3>\n<p class=\"note\">Sensitivity and specificity if \(HTML.escape(scoreName)) were cut at other thresholds (95 % Wilson intervals); the row marked * is the threshold used. For reading, not for choosing a threshold on this set.</p>\n"
        html += HTML.table(["threshold", "sensitivity [95 % CI] (TP/P)", "specificity [95 % CI] (TN/N)"], operatingPoints(scores, positive, used: threshold))
        html += "<div class=\"plots\">\n"
        html += SVGChart.confusionMatrix(title: "Confusion matrix", rowLabels: summary.labels, columnLabels: summary.predictedLabels, counts: summary.confusion)
        html += SVGChart.histograms(title: "Scores per true label", xLabel: scoreName,
                                    series: summary.labels.map { label in SVGChart.Series(name: label, values: summary.scoresAll(label)) },
                                    threshold: threshold)
        let point = threshold.map { cut -> (falsePositiveRate: Double, truePositiveRate: Double, threshold: Double) in
            let tp = zip(scores, positive).count { $0 >= cut && $1 }, fp = zip(scores, positive).count { $0 >= cut && !$1 }
            return (Double(fp) / Double(max(negatives, 1)), Double(tp) / Double(max(positives, 1)), cut)
        }
        html += SVGChart.roc(title: "ROC, \(binary.positiveLabel) vs rest", points: summary.roc, auc: enoughForAUC ? binary.rocAUC : nil,
                             operatingPoint: positives > 0 && negatives > 0 ? point : nil)
        html += SVGChart.calibration(title: "Calibration (reliability)", scores: scores, positive: positive)
        html += "</div>\n"
        if listMisclassified {
            html += "<h3>Misclassified (\(summary.misclassified.count))</h3>\n"
            html += HTML.table(["file", "true", "predicted", scoreName], summary.misclassified.map {
                [ReportPaths.relative($0.path, to: dataRoot), $0.label, $0.predicted, HTML.number($0.score)]
            })
        }
        return html
    }

    /// Every image's score with whether it carries the positive label.
    static func scoredPairs(_ summary: ClassificationSummary) -> (scores: [Double], positive: [Bool]) {
        var scores: [Double] = [], positive: [Bool] = []
        for label in summary.labels {
            let values = summary.scoresAll(label)
            scores += values
            positive += Array(repeating: label == summary.binary.positiveLabel, count: values.count)
        }
        return (scores, positive)
    }

    static func operatingPoints(_ scores: [Double], _ positive: [Bool], used: Double?) -> [[String]] {
        let thresholds = Array(Set(operatingThresholds + (used.map { [$0] } ?? []))).sorted()
        let positives = positive.count { $0 }, negatives = positive.count - positives
        return thresholds.map { cut in
            let tp = zip(scores, positive).count { $0 >= cut && $1 }, tn = zip(scores, positive).count { $0 < cut && !$1 }
            return [String(format: "%.2f", cut) + (cut == used ? " *" : ""),
                    positives == 0 ? "n/a (0/0)" : Proportion(tp, of: positives).text,
                    negatives == 0 ? "n/a (0/0)" : Proportion(tn, of: negatives).text]
        }
    }
}

/// Paths in reports: relative to the data root (the common folder of the images), never the absolute paths
/// of the machine that ran the evaluation.
enum ReportPaths {
    /// The deepest folder holding every path.
    static func commonRoot(_ paths: [String]) -> String? {
        guard var common = paths.first.map({ URL(fileURLWithPath: $0).deletingLastPathComponent().pathComponents }) else { return nil }
        for path in paths.dropFirst() {
            let parts = URL(fileURLWithPath: path).deletingLastPathComponent().pathComponents
            common = Array(zip(common, parts).prefix { $0 == $1 }.map(\.0))
        }
        return common.isEmpty ? nil : NSString.path(withComponents: common)
    }

    static func relative(_ path: String, to root: String?) -> String {
        guard let root, root != "/", path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count + 1))
    }
}
