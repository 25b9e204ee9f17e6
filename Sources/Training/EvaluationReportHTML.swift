import Foundation

/// The HTML page and the compact stdout table of an evaluation.
public enum EvaluationReportHTML {
    public static func render(_ report: EvaluationReport) -> String {
        let allPaths = (report.models + (report.policy.map { [$0] } ?? [])).flatMap { $0.overall.misclassified.map(\.path) }
            + report.skipped.map(\.path) + (report.refusal?.refused.map(\.path) ?? [])
        let root = ReportPaths.commonRoot(allPaths)
        var body = "<p class=\"note\">Inputs: \(HTML.escape(report.inputs.joined(separator: ", "))); file paths below are relative to their common folder (\(HTML.escape(root.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "-"))). Images: "
            + report.imagesByLabel.keys.sorted().map { "\(HTML.escape($0)) \(report.imagesByLabel[$0]!)" }.joined(separator: ", ")
            + ". Skipped (undecodable): \(report.skipped.count).</p>\n"
        body += "<h2>Summary</h2>\n" + HTML.table(EvaluationTable.header, EvaluationTable.rows(report))
        if !report.skipped.isEmpty { body += HTML.table(["skipped file", "reason"], report.skipped.map { [ReportPaths.relative($0.path, to: root), $0.reason] }) }
        if let probes = report.probes {
            body += "<h2>Shortcut probes</h2>\n<p class=\"note\">The same images stored differently (verdict agreement with 95 % Wilson interval, mean |delta P|), and whole-image models with the lung fields filled with the image's mean: a model that still separates the classes without the lungs is reading something else.</p>\n"
            body += HTML.table(ProbeTable.header, ProbeTable.rows(probes).dropFirst().map { $0 })
        }
        if let refusal = report.refusal {
            body += "<h2>Refusal (INDETERMINATE)</h2>\n<p class=\"note\">Images the refusal check \(HTML.escape(refusal.check)) refuses (feature distance beyond \(String(format: "%.1f", refusal.distanceThreshold)), or no plausible pair of lungs), and the policy's sensitivity and specificity on the images it lets the models judge.</p>\n"
            body += HTML.table(RefusalTable.header, RefusalTable.rows(refusal).dropFirst().map { $0 })
            body += "<h3>Where the deciding model looked</h3>\n<p class=\"note\">Share of the deciding model's Grad-CAM heatmap inside the lungs found (judged images with plausible lungs). A model whose saliency sits outside the lungs is reading something else.</p>\n"
            body += HTML.table(SaliencyTable.header, SaliencyTable.rows(refusal).dropFirst().map { $0 })
            if !refusal.refused.isEmpty {
                body += HTML.table(["refused file", "label", "source", "reason"], refusal.refused.map { [ReportPaths.relative($0.path, to: root), $0.label, $0.source ?? "", $0.reason] })
            }
        }
        for evaluation in report.models + (report.policy.map { [$0] } ?? []) {
            let scoreName = "P(\(evaluation.positiveLabel))"
            let threshold = evaluation.name.hasPrefix("policy") ? nil : evaluation.thresholds[evaluation.name]
            body += SummaryHTML.section(evaluation.overall, heading: evaluation.name, scoreName: scoreName, threshold: threshold, dataRoot: root)
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
                body += SummaryHTML.section(evaluation.bySource[source]!, heading: "\(evaluation.name): \(source)", scoreName: scoreName,
                                            threshold: threshold, listMisclassified: false)
                body += "</details>\n"
            }
        }
        return HTML.page(title: "Evaluation", body: body)
    }
}

/// The one-line-per-result table printed by `xraywatch evaluate` and shown atop the HTML page.
public enum EvaluationTable {
    static let header = ["model", "subset", "images", "sensitivity [95 % CI] (TP/P)", "specificity [95 % CI] (TN/N)", "accuracy", "ROC AUC"]

    /// Sensitivity and specificity with their counts and Wilson intervals (no bare figure under 10 images);
    /// accuracy and ROC AUC only from 10 images of each class present.
    static func rows(_ report: EvaluationReport) -> [[String]] {
        (report.models + (report.policy.map { [$0] } ?? [])).flatMap { evaluation in
            ([("all", evaluation.overall)] + evaluation.bySource.keys.sorted().map { ("source " + $0, evaluation.bySource[$0]!) }).map { subset, summary in
                let b = summary.binary
                let (positives, negatives) = (b.truePositives + b.falseNegatives, b.trueNegatives + b.falsePositives)
                let enough = summary.count >= Proportion.minimumCount
                return [evaluation.name, subset, "\(summary.count)",
                        positives == 0 ? "n/a (0/0)" : Proportion(b.truePositives, of: positives).text,
                        negatives == 0 ? "n/a (0/0)" : Proportion(b.trueNegatives, of: negatives).text,
                        enough ? HTML.number(summary.accuracy) : "n<10",
                        positives >= Proportion.minimumCount && negatives >= Proportion.minimumCount ? HTML.number(b.rocAUC) : "n/a"]
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
        if let probes = report.probes {
            lines.append("")
            lines += ProbeTable.rows(probes).map { $0.joined(separator: "  ") }
        }
        if let refusal = report.refusal {
            lines.append("")
            lines += RefusalTable.rows(refusal).map { $0.joined(separator: "  ") }
            lines += refusal.refused.map { "refused \($0.path) (\($0.label), \($0.source ?? "no source")): \($0.reason)" }
            lines.append("")
            lines += SaliencyTable.rows(refusal).map { $0.joined(separator: "  ") }
        }
        return lines.joined(separator: "\n")
    }
}

/// The probes' figures as table rows (the first row is the header).
public enum ProbeTable {
    static let header = ["probe", "model", "images from", "verdict agreement [95 % CI] (n)", "mean |delta P|", "ROC AUC with / without lungs"]

    public static func rows(_ probes: ProbeReport) -> [[String]] {
        var rows = [header]
        for figure in probes.invariance {
            rows.append([figure.variant.rawValue, figure.model, figure.group, figure.agreement.text,
                         figure.meanAbsoluteDelta.map { String(format: "%.3f", $0) } ?? "n/a", ""])
        }
        for figure in probes.lungsRemoved {
            rows.append(["lungs removed", figure.model, "all (own classes, \(figure.count))", "", "",
                         figure.note ?? "\(HTML.number(figure.aucWithLungs)) / \(HTML.number(figure.aucWithoutLungs))"])
        }
        return rows
    }
}
