import Foundation
import Imaging
import NeuralEngine
import Screening

/// The steps of `TrainingRun.run`, in the order it takes them.
extension TrainingRun {
    /// Step 1: the validation images, held out by source (leave-one-source-out) or drawn at random per class.
    func split(_ dataset: Dataset) throws(SettingError) -> DataSplit {
        guard let source = options.holdoutSource else {
            return DataSplit(dataset, validationFraction: options.validationFraction, seed: options.recipe.seed)
        }
        guard dataset.images.contains(where: { $0.source == source }) else {
            throw SettingError(.holdoutSource, value: source, requirement: "the source of some image (sources: \(Set(dataset.images.compactMap(\.source)).sorted().joined(separator: ", ")))")
        }
        return DataSplit(dataset, holdingOutSource: source)
    }

    /// Step 2: backbone features of every draw of the training images and of the validation originals. With
    /// fine-tuning the `block4_pool` maps are kept for the second stage, and the first stage reads them through
    /// the frozen block 5, exactly as if the backbone had run to `block5_pool`.
    func extractFeatures(_ split: DataSplit, with extractor: FeatureExtractor, progress: ProgressReporter?) async throws(DatasetError) -> SplitFeatures {
        let augmentation = options.augmentation, pool = options.recipe.pool
        if options.fineTune != nil {
            let training = try await extractor.extract(split.training.map(\.path), augmentation: augmentation,
                                                       draws: augmentation.draws, progress: progress) { $0 }
            let validation = try await extractor.extract(split.validation.map(\.path), augmentation: augmentation,
                                                         draws: 1, progress: progress) { $0 }
            let frozenBlock = try extractor.loadedBackbone().lastBlock
            return SplitFeatures(training: Self.pooled(training, through: frozenBlock, pool: pool),
                                 validation: Self.pooled(validation, through: frozenBlock, pool: pool),
                                 trainingMaps: training.features, validationMaps: validation.features)
        }
        let reduce: @Sendable (Tensor) -> [Float] = { FeaturePooling.averagePoolFlatten($0, size: pool) }
        return SplitFeatures(
            training: try await extractor.extract(split.training.map(\.path), augmentation: augmentation,
                                                  draws: augmentation.draws, progress: progress, transform: reduce),
            validation: try await extractor.extract(split.validation.map(\.path), augmentation: augmentation,
                                                    draws: 1, progress: progress, transform: reduce))
    }

    /// Step 3: the head on the frozen backbone's features. Its matrices are small (batch 16): the executable runs
    /// OpenBLAS on one thread, which measured 3x faster here than handing work between threads on the loaded
    /// 2-core dev machine.
    func trainHead(_ examples: TrainingSet, console: ProgressReporter?) -> TrainedModel {
        let trainer = HeadTrainer(recipe: options.recipe, classes: examples.labels.count)
        console?.start(total: examples.batchesPerEpoch(batchSize: options.recipe.batchSize) * options.recipe.epochs, unit: "batches")
        let validation = examples.validation.map { ValidationExample(features: $0.features, label: examples.labelIndex[$0.image.label]!) }
        let trained = trainer.train(examples.examples, validation: validation) { event in
            switch event {
            case .batch: console?.advance()
            case .epoch(let record): console?.message(Self.describe(record, of: options.recipe.epochs))
            }
        }
        console?.finish()
        return TrainedModel(parameters: trained.parameters, head: trained, validation: examples.validation)
    }

    /// Step 4 (with fine-tuning): block 5, from the backbone's ImageNet weights, and the head trained together;
    /// the validation vectors are then recomputed through the block kept.
    func fineTuneBlock5(_ model: TrainedModel, recipe: FineTuneRecipe, examples: TrainingSet,
                        console: ProgressReporter?) throws(DatasetError) -> TrainedModel {
        let tuner = BlockFineTuner(recipe: options.recipe, fineTune: recipe)
        let validation = examples.tunedValidation
        let start: ConvBlockParameters
        do {
            start = try ConvBlockParameters(weights: SafeTensorsFile(contentsOf: options.backbonePath), layerNames: VGG16Backbone.layerNames.last!)
        } catch {
            throw DatasetError(file: options.backbonePath, reason: "block 5 cannot be loaded for fine-tuning (\(error.reason))")
        }
        let epochs = tuner.fineTune.epochs
        console?.message("fine-tuning block 5 and the head (\(epochs) epochs, learning rate \(tuner.fineTune.learningRate))")
        console?.start(total: examples.batchesPerEpoch(batchSize: options.recipe.batchSize) * epochs, unit: "batches")
        let result = tuner.train(block: start, head: model.parameters, examples: examples.tunedExamples, validation: validation,
                                 classWeights: model.head.classWeights.map(Float.init)) { event in
            switch event {
            case .batch: console?.advance()
            case .epoch(let record): console?.message("fine-tune " + Self.describe(record, of: epochs))
            }
        }
        console?.finish()
        if !validation.isEmpty {
            console?.message(result.bestEpoch == 0
                ? "fine-tune: keeping the starting weights (no epoch lowered the validation loss; block 5 stays ImageNet's, so the model is written as a frozen-backbone model)"
                : "fine-tune: keeping epoch \(result.bestEpoch) (lowest validation loss)")
        }
        var tuned = model
        tuned.parameters = result.head
        let tunedFeatures = tuner.pooledFeatures(result.block, validation.map(\.features))
        tuned.validation = zip(model.validation, tunedFeatures).map { ($0.image, $1) }
        tuned.fineTuned = result
        return tuned
    }

    /// Step 5 (with `calibrate`): a softmax temperature fitted on the validation images and folded into the head;
    /// skipped, with a warning, when there are too few of them.
    func calibrated(_ model: TrainedModel, examples: TrainingSet, console: ProgressReporter?) -> TrainedModel {
        let validation = model.validation
        guard validation.count >= TemperatureScaling.minimumImages else {
            console?.message("warning: calibration skipped: the validation set has \(validation.count) images, calibration needs at least \(TemperatureScaling.minimumImages)")
            return model
        }
        let logits = HeadNetwork.logits(model.parameters, inputs: validation.flatMap(\.features), rows: validation.count)
        let fitted = TemperatureScaling(logits: logits, labels: validation.map { examples.labelIndex[$0.image.label]! }, classes: examples.labels.count)
        console?.message(String(format: "calibration: temperature %.3f, validation loss %.4f -> %.4f, ECE %.4f -> %.4f",
                                fitted.temperature, fitted.lossBefore, fitted.lossAfter, fitted.calibrationErrorBefore, fitted.calibrationErrorAfter))
        var calibrated = model
        calibrated.parameters = fitted.apply(to: model.parameters)
        calibrated.calibration = fitted
        return calibrated
    }

    /// Step 6: the final model's results on the validation images, overall and per source (nil without any).
    func validationResults(_ model: TrainedModel, labels: [String], positive: String) -> (overall: ClassificationSummary, bySource: [String: ClassificationSummary])? {
        guard !model.validation.isEmpty else { return nil }
        let probabilities = HeadTrainer.predict(model.parameters, model.validation.map(\.features))
        let scored = zip(model.validation, probabilities).map { item, p in
            Self.scored(item.image, probabilities: p, labels: labels, positive: positive, threshold: options.threshold)
        }
        let summary = { (images: [ScoredImage]) in
            ClassificationSummary(images, labels: labels, predictedLabels: labels, positiveLabel: positive)
        }
        return (summary(scored), ClassificationSummary.bySource(scored, summary))
    }

    /// The validation image's score and prediction: for two classes P(positive) >= threshold means
    /// positive; for more, the arg-max.
    static func scored(_ image: LabelledImage, probabilities p: [Float], labels: [String], positive: String, threshold: Double) -> ScoredImage {
        let positiveIndex = labels.firstIndex(of: positive)!
        let score = Double(p[positiveIndex])
        let predicted: String
        if labels.count == 2 {
            predicted = score >= threshold ? positive : labels[1 - positiveIndex]
        } else {
            predicted = labels[p.indices.max { p[$0] < p[$1] }!]
        }
        return ScoredImage(path: image.path, label: image.label, source: image.source, score: score, predicted: predicted)
    }

    /// Step 7: the report of everything above.
    func makeReport(dataset: Dataset, positive: String, split: DataSplit, features: SplitFeatures, model: TrainedModel,
                    trainingSeconds: Double, backboneSHA256: String) -> TrainingReport {
        let counts = { (images: [LabelledImage]) in Dictionary(grouping: images, by: \.label).mapValues(\.count) }
        let validation = validationResults(model, labels: dataset.labels, positive: positive)
        return TrainingReport(
            name: options.name, createdAt: ISO8601DateFormatter().string(from: Date()), commandLine: options.commandLine,
            labels: dataset.labels, positiveLabel: positive, inputs: options.source.inputs,
            imagesByLabel: counts(dataset.images), trainingByLabel: counts(split.training), validationByLabel: counts(split.validation),
            skipped: features.skipped, recipe: options.recipe, augmentation: options.augmentation,
            augmentationNote: TrainingReport.augmentationNote(options.augmentation),
            preprocessing: options.preprocessing, validationFraction: options.validationFraction,
            backboneSHA256: backboneSHA256,
            classWeights: Dictionary(uniqueKeysWithValues: zip(dataset.labels, model.head.classWeights)),
            history: model.head.history, fineTune: options.fineTune, fineTuneHistory: model.fineTuned?.history, fineTuneBestEpoch: model.fineTuned?.bestEpoch,
            validation: validation?.overall, validationBySource: validation?.bySource ?? [:], calibration: model.calibration,
            extraction: features.statistics, headTrainingSeconds: trainingSeconds,
            model: ModelWriter.Paths(folder: options.outputFolder, name: options.name),
            threshold: dataset.labels.count == 2 ? options.threshold : nil)
    }

    /// Step 8: the model (weights, then the manifest) and its JSON and HTML reports. A fine-tuning stage that
    /// kept the starting weights writes a frozen-backbone model.
    func write(_ model: TrainedModel, report: TrainingReport) throws(WriteError) {
        let keptBlock = model.fineTuned.flatMap { $0.bestEpoch == 0 ? nil : $0.block }
        try ModelWriter.write(
            model.parameters, block: keptBlock, pool: options.recipe.pool, dropout: options.recipe.dropout, name: options.name,
            version: options.version ?? Self.today(), description: options.description ?? "\(report.labels.joined(separator: " vs ")) (positive: \(report.positiveLabel))",
            labels: report.labels, positiveLabel: report.positiveLabel, threshold: options.threshold, preprocessing: options.preprocessing,
            backboneSHA256: report.backboneSHA256, training: provenance(report), to: report.model)
        try ModelWriter.writeJSON(report, to: report.model.reportJSON)
        try ModelWriter.writeText(TrainingReportHTML.render(report), to: report.model.reportHTML)
    }

    /// Runs block 5 on extracted `block4_pool` maps and pools them for the head, keeping the extraction's shape.
    static func pooled(_ maps: ExtractionResult<Tensor>, through block: ConvBlock, pool: Int) -> ExtractionResult<[Float]> {
        let flat = maps.features.compactMap { $0 }.flatMap { $0 }
        var vectors = block.forward(batch: flat).map { FeaturePooling.averagePoolFlatten($0, size: pool) }.makeIterator()
        let features = maps.features.map { draws in draws.map { $0.map { _ in vectors.next()! } } }
        return ExtractionResult(features: features, skipped: maps.skipped, statistics: maps.statistics)
    }
}
