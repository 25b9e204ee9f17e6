import Foundation

/// The HTML page of a training run: data, recipe, loss and accuracy curves, validation results.
public enum TrainingReportHTML {
    public static func render(_ report: TrainingReport) -> String {
        var body = "<h2>Data</h2>\n"
        body += HTML.table(["label", "images", "training", "validation", "class weight"], report.labels.map { label in
            [label, "\(report.imagesByLabel[label] ?? 0)", "\(report.trainingByLabel[label] ?? 0)",
             "\(report.validationByLabel[label] ?? 0)", HTML.number(report.classWeights[label])]
        })
        let root = ReportPaths.commonRoot(report.skipped.map(\.path) + (report.validation?.misclassified.map(\.path) ?? []))
        body += "<p class=\"note\">Inputs: \(HTML.escape(report.inputs.joined(separator: ", "))); file paths below are relative to their common folder (\(HTML.escape(root.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "-"))). Skipped (undecodable): \(report.skipped.count).</p>\n"
        if !report.skipped.isEmpty {
            body += HTML.table(["skipped file", "reason"], report.skipped.map { [ReportPaths.relative($0.path, to: root), $0.reason] })
        }
        let recipe = report.recipe
        body += "<h2>Recipe</h2>\n"
        body += HTML.table(["setting", "value"], [
            ["head", "AvgPool \(recipe.pool)x\(recipe.pool), Flatten, Dense \(recipe.hidden) ReLU, Dropout \(recipe.dropout), Dense \(report.labels.count) softmax"],
            ["optimiser", "Adam lr \(recipe.learningRate), decay \(recipe.effectiveDecay), beta1 \(recipe.beta1), beta2 \(recipe.beta2), epsilon \(recipe.epsilon)"],
            ["epochs / batch", "\(recipe.epochs) / \(recipe.batchSize)"],
            ["class weighting", recipe.classWeighting.rawValue],
            ["seed", "\(recipe.seed)"],
            ["validation fraction", "\(report.validationFraction)"],
            ["preprocessing", "\(report.preprocessing.resize.rawValue), \(report.preprocessing.normalisation.rawValue), \(report.preprocessing.size) px, border \(report.preprocessing.border), intensity \(report.preprocessing.intensity.rawValue)"],
            ["augmentation", "\(report.augmentation.draws) draws; rotation +-\(report.augmentation.rotation) deg; contrast +-\(report.augmentation.contrast); brightness +-\(report.augmentation.brightness); scale +-\(report.augmentation.scale)"],
            ["backbone sha256", report.backboneSHA256],
            ["feature cache", "\(report.extraction.cacheHits) hits, \(report.extraction.computed) computed, \(report.extraction.recomputed) recomputed" + (report.extraction.imagesPerSecond.map { ", \(HTML.number($0, digits: 1)) images/s" } ?? "")],
            ["calibration", report.calibration.map { String(format: "temperature %.3f fitted on the validation set (folded into the output layer); loss %.4f -> %.4f, ECE %.4f -> %.4f; validation results below are calibrated and therefore slightly optimistic about calibration", $0.temperature, $0.lossBefore, $0.lossAfter, $0.calibrationErrorBefore, $0.calibrationErrorAfter) } ?? "none"],
            ["fine-tuning", report.fineTune.map { "block 5 and the head, \($0.epochs) epochs, Adam lr \($0.learningRate); epoch \(report.fineTuneBestEpoch ?? $0.epochs) kept (lowest validation loss)" } ?? "none (frozen backbone)"],
            ["training time", "\(HTML.number(report.headTrainingSeconds, digits: 1)) s"],
            ["command", report.commandLine],
        ])
        body += "<p class=\"note\">\(HTML.escape(report.augmentationNote))</p>\n"
        body += curves(report.history, heading: "Training curves")
        if let fineTuneHistory = report.fineTuneHistory {
            body += curves(fineTuneHistory, heading: "Fine-tuning block 5 (epoch \(report.fineTuneBestEpoch ?? fineTuneHistory.count) kept)")
        }
        if let validation = report.validation {
            body += SummaryHTML.section(validation, heading: "Validation", scoreName: "P(\(report.positiveLabel))", threshold: report.threshold,
                                        dataRoot: root)
        }
        if !report.validationBySource.isEmpty {
            body += "<h3>Validation per source</h3>\n"
            body += HTML.table(["source", "images", "accuracy", "sensitivity", "specificity", "ROC AUC"], report.validationBySource.keys.sorted().map { source in
                let summary = report.validationBySource[source]!
                return [source, "\(summary.count)", HTML.number(summary.accuracy), HTML.number(summary.binary.sensitivity),
                        HTML.number(summary.binary.specificity), HTML.number(summary.binary.rocAUC)]
            })
        }
        return HTML.page(title: "Training report: \(report.name)", body: body)
    }

    /// Loss and accuracy charts and the per-epoch table of one training stage.
    private static func curves(_ history: [EpochRecord], heading: String) -> String {
        var body = "<h2>\(HTML.escape(heading))</h2>\n<div class=\"plots\">\n"
        body += SVGChart.lines(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy", series: [
            SVGChart.Series(name: "train", values: history.map(\.loss)),
            SVGChart.Series(name: "validation", values: history.compactMap(\.validationLoss)),
        ].filter { !$0.values.isEmpty })
        body += SVGChart.lines(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy", series: [
            SVGChart.Series(name: "train", values: history.map(\.accuracy)),
            SVGChart.Series(name: "validation", values: history.compactMap(\.validationAccuracy)),
        ].filter { !$0.values.isEmpty })
        body += "</div>\n"
        body += HTML.table(["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning rate"], history.map {
            ["\($0.epoch)", HTML.number($0.loss, digits: 4), HTML.number($0.accuracy, digits: 4),
             HTML.number($0.validationLoss, digits: 4), HTML.number($0.validationAccuracy, digits: 4), String(format: "%.3g", $0.learningRate)]
        })
        return body
    }
}
