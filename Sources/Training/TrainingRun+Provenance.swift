import Foundation

/// How a training run describes itself: console lines, the manifest's provenance and the version it defaults to.
extension TrainingRun {
    /// One epoch as the console shows it, Keras style.
    static func describe(_ record: EpochRecord, of epochs: Int) -> String {
        var line = String(format: "epoch %d/%d  loss %.4f  accuracy %.4f", record.epoch, epochs, record.loss, record.accuracy)
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            line += String(format: "  val_loss %.4f  val_accuracy %.4f", loss, accuracy)
        }
        return line
    }

    /// The manifest's `training` entries: data, counts, recipe, seed, date, command, and the results.
    func provenance(_ report: TrainingReport) -> [String: String] {
        var training: [String: String] = [
            "data": report.inputs.joined(separator: ", ") + (options.source.under.map { " (rows under \($0))" } ?? ""),
            "counts": report.labels.map { "\($0): \(report.trainingByLabel[$0] ?? 0) train + \(report.validationByLabel[$0] ?? 0) validation" }.joined(separator: "; "),
            "recipe": backboneDescription(report) + "; head AvgPool\(options.recipe.pool) Flatten Dense\(options.recipe.hidden) ReLU Dropout\(options.recipe.dropout) Dense\(report.labels.count) softmax; Adam lr \(options.recipe.learningRate) decay \(options.recipe.effectiveDecay); \(options.recipe.epochs) epochs, batch \(options.recipe.batchSize); class weights \(options.recipe.classWeighting.rawValue)\(consistencyDescription); augmentation \(options.augmentation.draws) draws, rotation \(options.augmentation.rotation), contrast \(options.augmentation.contrast), brightness \(options.augmentation.brightness), scale \(options.augmentation.scale)",
            "seed": "\(options.recipe.seed)",
            "date": report.createdAt,
            "command": report.commandLine,
            "skipped": "\(report.skipped.count)",
        ]
        if let calibration = report.calibration {
            training["calibration"] = String(format: "temperature %.4f fitted on the validation set and folded into dense_1", calibration.temperature)
        }
        if let validation = report.validation {
            training["validation"] = "accuracy \(HTML.number(validation.accuracy)), sensitivity \(HTML.number(validation.binary.sensitivity)), specificity \(HTML.number(validation.binary.specificity)), ROC AUC \(HTML.number(validation.binary.rocAUC)) on \(validation.count) images"
        }
        return training
    }

    private var consistencyDescription: String {
        options.recipe.consistency > 0 ? "; consistency \(options.recipe.consistency) between two draws of each image" : ""
    }

    private func backboneDescription(_ report: TrainingReport) -> String {
        guard let fineTune = report.fineTune else { return "frozen VGG16" }
        if report.fineTuneBestEpoch == 0 {
            return "frozen VGG16 (fine-tuning block 5 was tried for \(fineTune.epochs) epochs; none beat ImageNet's weights on validation)"
        }
        return "VGG16 with block 5 fine-tuned after the head (\(fineTune.epochs) epochs, Adam lr \(fineTune.learningRate), epoch \(report.fineTuneBestEpoch ?? fineTune.epochs) kept)"
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy.MM.dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
