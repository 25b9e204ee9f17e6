import Foundation

/// The HTML page and the compact stdout table of an evaluation.
public enum EvaluationReportHTML {
    public static func render(_ report: EvaluationReport) -> String {
        var body = "<p class=\"note\">Inputs: \(HTML.escape(report.inputs.joined(separator: ", "))). Images: "
            + report.imagesByLabel.keys.sorted().map { "\(HTML.escape($0)) \(report.imagesByLabel[$0]!)" }.joined(separator: ", ")
            + ". Skipped (undecodable): \(report.skipped.count).</p>\n"
        body += "<h2>Summary</h2>\n" + HTML.table(EvaluationTable.header, EvaluationTable.rows(report))
        if !report.skipped.isEmpty { body += HTML.table(["skipped file", "reason"], report.skipped.map { [$0.path, $0.reason] }) }
        for evaluation in report.models + (report.policy.map { [$0] } ?? []) {
            let scoreName = "P(\(evaluation.positiveLabel))"
            body += SummaryHTML.section(evaluation.overall, heading: evaluation.name, scoreName: scoreName)
            if evaluation.name.hasPrefix("policy"), let note = report.policyScoreNote {
                body += "<p class=\"note\">\(HTML.escape(note)); thresholds "
                    + evaluation.thresholds.keys.sorted().map { "\(HTML.escape($0)) \(evaluation.thresholds[$0]!)" }.joined(separator: ", ") + ".</p>\n"
            }
            if !evaluation.crossScores.isEmpty {
                body += "<h3>\(HTML.escape(evaluation.name)) on labels it was not trained on</h3>\n"
                body += HTML.table(["label", "images", "mean \(scoreName)", "Q1", "median", "Q3", "called \(evaluation.positiveLabel)"], evaluation.crossScores.map {
                    [$0.label, "\($0.scores.count)", HTML.number($0.scores.mean), HTML.number($0.scores.q1), HTML.number($0.scores.median),
                     HTML.number($0.scores.q3), HTML.number($0.fractionPositive)]
                })
            }
            for source in evaluation.bySource.keys.sorted() {
                body += "<details><summary>\(HTML.escape(evaluation.name)), source \(HTML.escape(source))</summary>\n"
                body += SummaryHTML.section(evaluation.bySource[source]!, heading: "\(evaluation.name): \(source)", scoreName: scoreName, listMisclassified: false)
                body += "</details>\n"
            }
        }
        return HTML.page(title: "Evaluation", body: body)
    }
}

/// The one-line-per-result table printed by `xraywatch evaluate` and shown atop the HTML page.
public enum EvaluationTable {
    static let header = ["model", "subset", "images", "accuracy", "sensitivity", "specificity", "precision", "F1", "ROC AUC"]

    static func rows(_ report: EvaluationReport) -> [[String]] {
        (report.models + (report.policy.map { [$0] } ?? [])).flatMap { evaluation in
            ([("all", evaluation.overall)] + evaluation.bySource.keys.sorted().map { ("source " + $0, evaluation.bySource[$0]!) }).map { subset, summary in
                [evaluation.name, subset, "\(summary.count)", HTML.number(summary.accuracy), HTML.number(summary.binary.sensitivity),
                 HTML.number(summary.binary.specificity), HTML.number(summary.binary.precision), HTML.number(summary.binary.f1),
                 HTML.number(summary.binary.rocAUC)]
            }
        }
    }

    /// Aligned plain text, plus cross-score lines.
    public static func text(_ report: EvaluationReport) -> String {
        let table = [header] + rows(report)
        let widths = header.indices.map { column in table.map { $0[column].count }.max()! }
        var lines = table.map { row in row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        for evaluation in report.models {
            for cross in evaluation.crossScores {
                lines.append("\(evaluation.name) on \(cross.label) (\(cross.scores.count) images): mean P(\(evaluation.positiveLabel)) \(HTML.number(cross.scores.mean)), median \(HTML.number(cross.scores.median)), called \(evaluation.positiveLabel) \(HTML.number(cross.fractionPositive))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
