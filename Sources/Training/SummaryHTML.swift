import Foundation

/// The HTML section shared by training and evaluation reports for one `ClassificationSummary`:
/// metrics table, confusion matrix, score histograms per class, ROC curve and misclassified files.
enum SummaryHTML {
    static func section(_ summary: ClassificationSummary, heading: String, scoreName: String, listMisclassified: Bool = true) -> String {
        let binary = summary.binary
        var html = "<h2>\(HTML.escape(heading))</h2>\n"
        html += HTML.table(["images", "accuracy", "sensitivity", "specificity", "precision", "F1", "ROC AUC", "TP", "FP", "TN", "FN"], [[
            "\(summary.count)", HTML.number(summary.accuracy), HTML.number(binary.sensitivity), HTML.number(binary.specificity),
            HTML.number(binary.precision), HTML.number(binary.f1), HTML.number(binary.rocAUC),
            "\(binary.truePositives)", "\(binary.falsePositives)", "\(binary.trueNegatives)", "\(binary.falseNegatives)",
        ]])
        html += "<p class=\"note\">Positive label: \(HTML.escape(binary.positiveLabel)). Recall per true label: "
            + summary.labels.map { "\(HTML.escape($0)) \(HTML.number(summary.recallByLabel[$0]))" }.joined(separator: ", ") + ".</p>\n"
        html += HTML.table(["true label", "images", "mean \(scoreName)", "Q1", "median", "Q3", "min", "max"], summary.labels.compactMap { label in
            summary.scoresByLabel[label].map { s in
                [label, "\(s.count)", HTML.number(s.mean), HTML.number(s.q1), HTML.number(s.median), HTML.number(s.q3), HTML.number(s.min), HTML.number(s.max)]
            }
        })
        html += "<div class=\"plots\">\n"
        html += SVGChart.confusionMatrix(title: "Confusion matrix", rowLabels: summary.labels, columnLabels: summary.predictedLabels, counts: summary.confusion)
        html += SVGChart.histograms(title: "Scores per true label", xLabel: scoreName,
                                    series: summary.labels.map { label in SVGChart.Series(name: label, values: summary.scoresAll(label)) })
        html += SVGChart.roc(title: "ROC, \(binary.positiveLabel) vs rest", points: summary.roc, auc: binary.rocAUC)
        html += "</div>\n"
        if listMisclassified {
            html += "<h3>Misclassified (\(summary.misclassified.count))</h3>\n"
            html += HTML.table(["file", "true", "predicted", scoreName], summary.misclassified.map {
                [$0.path, $0.label, $0.predicted, HTML.number($0.score)]
            })
        }
        return html
    }
}
