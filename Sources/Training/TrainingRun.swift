import Foundation
import Imaging
import NeuralEngine
import Screening

/// Everything `xraywatch train` needs.
public struct TrainingOptions: Sendable {
    public var source = DatasetSource()
    /// Default: the first label.
    public var positiveLabel: String?
    public var name = "model"
    public var version: String?
    public var description: String?
    public var outputFolder = "models"
    public var backbonePath = "models/vgg16_imagenet_notop.safetensors"
    /// Nil disables the feature cache.
    public var cacheFolder: String? = ".xraywatch-cache"
    public var preprocessing = Preprocessing()
    /// The lung segmenter's manifest, needed when `preprocessing.lungField` is set.
    public var segmenterPath: String?
    public var recipe = HeadRecipe()
    /// Also fine-tune block 5 after training the head (nil: the backbone stays frozen).
    public var fineTune: FineTuneRecipe?
    public var augmentation = AugmentationSettings()
    public var validationFraction = 0.2
    /// Leave-one-source-out: validate on every image of this source instead of a random split.
    public var holdoutSource: String?
    public var threshold = 0.5
    /// Fit a temperature on the validation set and fold it into the output layer.
    public var calibrate = false
    public var minimumPerClass = 10
    /// Overwrite a model of the same name with another label set.
    public var force = false
    /// Recorded in the manifest and report.
    public var commandLine = ""

    public init() {}
}

/// The JSON report of a training run.
public struct TrainingReport: Sendable, Codable {
    public var name: String
    public var createdAt: String
    public var commandLine: String
    public var labels: [String]
    public var positiveLabel: String
    public var inputs: [String]
    public var imagesByLabel: [String: Int]
    public var trainingByLabel: [String: Int]
    public var validationByLabel: [String: Int]
    public var skipped: [SkippedImage]
    public var recipe: HeadRecipe
    public var augmentation: AugmentationSettings
    public var augmentationNote: String
    public var preprocessing: Preprocessing
    public var validationFraction: Double
    public var backboneSHA256: String
    public var classWeights: [String: Double]
    public var history: [EpochRecord]
    /// The second stage, when block 5 was fine-tuned: its recipe, epochs and the epoch kept.
    public var fineTune: FineTuneRecipe?
    public var fineTuneHistory: [EpochRecord]?
    public var fineTuneBestEpoch: Int?
    public var validation: ClassificationSummary?
    /// Validation results per manifest `source`.
    public var validationBySource: [String: ClassificationSummary]
    /// Temperature scaling fitted on the validation set (with `--calibrate`); validation results are after it.
    public var calibration: TemperatureScaling?
    public var extraction: ExtractionStatistics
    public var headTrainingSeconds: Double
    public var model: ModelWriter.Paths
    /// P(positive) at or above this is called positive (two classes); nil in reports written before 0.9.
    public var threshold: Double? = nil
}

/// `xraywatch train`: checks everything, extracts (cached) features, trains the head, writes the model
/// and its reports.
public struct TrainingRun: Sendable {
    public let options: TrainingOptions
    public init(options: TrainingOptions) { self.options = options }

    /// Every check of the settings alone.
    public func validate() throws(SettingError) {
        try options.recipe.validate()
        try options.augmentation.validate()
        try options.fineTune?.validate()
        let fraction = options.validationFraction, name = options.name
        try SettingError.check(fraction >= 0 && fraction < 1, .validationFraction, fraction, "in [0, 1)")
        try SettingError.check(!name.isEmpty && !name.contains("/"), .modelName, name, "a plain file name, e.g. covid_normal")
        let side = options.preprocessing.size / 32
        try SettingError.check(options.recipe.pool <= side, .pool, options.recipe.pool, "at most \(side), the side of the \(side)x\(side) backbone output")
    }

    /// Every check that can fail before any work starts: throws `SettingError` for a bad setting, `DatasetError`
    /// for unusable images, an existing model in the way or an unreadable backbone.
    public func prepare() throws -> (dataset: Dataset, positive: String, extractor: FeatureExtractor) {
        try validate()
        let dataset = try options.source.load()
        let origin = options.source.inputs.joined(separator: ", ")
        try dataset.validateForTraining(minimumPerClass: options.minimumPerClass, origin: origin)
        let positive = options.positiveLabel ?? dataset.labels[0]
        guard dataset.labels.contains(positive) else {
            throw DatasetError(file: origin, reason: "--positive \(positive) is not one of the labels \(dataset.labels.joined(separator: ", "))")
        }
        let paths = ModelWriter.Paths(folder: options.outputFolder, name: options.name)
        if !options.force, let data = FileManager.default.contents(atPath: paths.manifest) {
            guard let existing = try? JSONDecoder().decode(ModelManifest.self, from: data) else {
                throw DatasetError(file: paths.manifest, reason: "exists and is not a model manifest; choose another --name or --out, or pass --force")
            }
            guard existing.labels == dataset.labels else {
                throw DatasetError(file: paths.manifest, reason: "exists with labels \(existing.labels.joined(separator: ",")), but this run's labels are \(dataset.labels.joined(separator: ",")); pass --labels \(existing.labels.joined(separator: ",")), another --name, or --force")
            }
        }
        let cache = options.cacheFolder.map { FeatureCache(directory: URL(fileURLWithPath: $0)) }
        let extractor = try FeatureExtractor(backbonePath: options.backbonePath, preprocessing: options.preprocessing, cache: cache,
                                             output: options.fineTune == nil ? .block5Pool : .block4Pool, segmenterPath: options.segmenterPath)
        return (dataset, positive, extractor)
    }

    /// Runs the whole training; warnings and epoch lines go to `console`.
    public func run(console: ProgressReporter? = nil, extractionProgress: ProgressReporter? = nil) async throws -> TrainingReport {
        let (dataset, positive, extractor) = try prepare()
        let split = try options.holdoutSource.map { source throws(SettingError) in
            guard dataset.images.contains(where: { $0.source == source }) else {
                throw SettingError(.holdoutSource, value: source, requirement: "the source of some image (sources: \(Set(dataset.images.compactMap(\.source)).sorted().joined(separator: ", ")))")
            }
            return DataSplit(dataset, holdingOutSource: source)
        } ?? DataSplit(dataset, validationFraction: options.validationFraction, seed: options.recipe.seed)
        let labelIndex = Dictionary(uniqueKeysWithValues: dataset.labels.enumerated().map { ($1, $0) })
        let pool = options.recipe.pool
        let reduce: @Sendable (Tensor) -> [Float] = { FeaturePooling.averagePoolFlatten($0, size: pool) }

        // Fine-tuning keeps the block4_pool maps for the second stage; the first stage reads them through the
        // frozen block 5, exactly as if the backbone had run to block5_pool.
        var trainingMaps: [[Tensor]?] = [], validationMaps: [[Tensor]?] = []
        let trainingFeatures: ExtractionResult<[Float]>, validationFeatures: ExtractionResult<[Float]>
        if options.fineTune != nil {
            let training = try await extractor.extract(split.training.map(\.path), augmentation: options.augmentation,
                                                       draws: options.augmentation.draws, progress: extractionProgress) { $0 }
            let validation = try await extractor.extract(split.validation.map(\.path), augmentation: options.augmentation,
                                                         draws: 1, progress: extractionProgress) { $0 }
            let frozenBlock = try extractor.loadedBackbone().lastBlock
            (trainingMaps, validationMaps) = (training.features, validation.features)
            trainingFeatures = Self.pooled(training, through: frozenBlock, pool: pool)
            validationFeatures = Self.pooled(validation, through: frozenBlock, pool: pool)
        } else {
            trainingFeatures = try await extractor.extract(split.training.map(\.path), augmentation: options.augmentation,
                                                           draws: options.augmentation.draws, progress: extractionProgress, transform: reduce)
            validationFeatures = try await extractor.extract(split.validation.map(\.path), augmentation: options.augmentation,
                                                             draws: 1, progress: extractionProgress, transform: reduce)
        }
        let skipped = trainingFeatures.skipped + validationFeatures.skipped
        for image in skipped { console?.message("warning: skipping \(image.path): \(image.reason)") }

        let examples = zip(split.training, trainingFeatures.features).compactMap { image, draws in
            draws.map { TrainingExample(draws: $0, label: labelIndex[image.label]!) }
        }
        var validationImages = zip(split.validation, validationFeatures.features).compactMap { image, draws in draws.map { (image, $0[0]) } }
        for (index, label) in dataset.labels.enumerated() where !examples.contains(where: { $0.label == index }) {
            throw DatasetError(file: options.source.inputs.joined(separator: ", "), reason: "no usable training image is left for class \(label) after skipping undecodable files")
        }

        // The head's matrices are small (batch 16): the executable runs OpenBLAS on one thread, which measured
        // 3x faster here than handing work between threads on the loaded 2-core dev machine.
        let trainer = HeadTrainer(recipe: options.recipe, classes: dataset.labels.count)
        let started = Date()
        let batchesPerEpoch = (examples.count + options.recipe.batchSize - 1) / options.recipe.batchSize
        console?.start(total: batchesPerEpoch * options.recipe.epochs, unit: "batches")
        let trained = trainer.train(examples, validation: validationImages.map { ValidationExample(features: $1, label: labelIndex[$0.label]!) }) { event in
            switch event {
            case .batch: console?.advance()
            case .epoch(let record): console?.message(Self.describe(record, of: options.recipe.epochs))
            }
        }
        console?.finish()

        var parameters = trained.parameters
        var fineTuned: FineTunedModel?
        if let fineTune = options.fineTune {
            let tuner = BlockFineTuner(recipe: options.recipe, fineTune: fineTune)
            let tunedValidation = zip(split.validation, validationMaps).compactMap { image, maps in
                maps.map { (features: $0[0], label: labelIndex[image.label]!) }
            }
            let tunedExamples = zip(split.training, trainingMaps).compactMap { image, maps in
                maps.map { FineTuneExample(draws: $0, label: labelIndex[image.label]!) }
            }
            let result = try fineTuneBlock5(tuner, head: parameters, examples: tunedExamples, validation: tunedValidation,
                                            classWeights: trained.classWeights.map(Float.init), batchesPerEpoch: batchesPerEpoch, console: console)
            parameters = result.head
            let tunedFeatures = tuner.pooledFeatures(result.block, tunedValidation.map(\.features))
            validationImages = zip(validationImages, tunedFeatures).map { ($0.0, $1) }
            fineTuned = result
        }
        let headSeconds = Date().timeIntervalSince(started)

        var calibration: TemperatureScaling?
        if options.calibrate, validationImages.count < TemperatureScaling.minimumImages {
            console?.message("warning: --calibrate skipped: the validation set has \(validationImages.count) images, calibration needs at least \(TemperatureScaling.minimumImages)")
        } else if options.calibrate {
            let logits = HeadNetwork.logits(parameters, inputs: validationImages.flatMap(\.1), rows: validationImages.count)
            let fitted = TemperatureScaling(logits: logits, labels: validationImages.map { labelIndex[$0.0.label]! }, classes: dataset.labels.count)
            parameters = fitted.apply(to: parameters)
            calibration = fitted
            console?.message(String(format: "calibration: temperature %.3f, validation loss %.4f -> %.4f, ECE %.4f -> %.4f",
                                    fitted.temperature, fitted.lossBefore, fitted.lossAfter, fitted.calibrationErrorBefore, fitted.calibrationErrorAfter))
        }
        var validation: ClassificationSummary?
        var validationBySource: [String: ClassificationSummary] = [:]
        if !validationImages.isEmpty {
            let probabilities = HeadTrainer.predict(parameters, validationImages.map(\.1))
            let scored = zip(validationImages, probabilities).map { item, p in
                Self.scored(item.0, probabilities: p, labels: dataset.labels, positive: positive, threshold: options.threshold)
            }
            let make = { (images: [ScoredImage]) in
                ClassificationSummary(images, labels: dataset.labels, predictedLabels: dataset.labels, positiveLabel: positive)
            }
            validation = make(scored)
            validationBySource = ClassificationSummary.bySource(scored, make)
        }

        let paths = ModelWriter.Paths(folder: options.outputFolder, name: options.name)
        let counts = { (images: [LabelledImage]) in Dictionary(grouping: images, by: \.label).mapValues(\.count) }
        var extraction = trainingFeatures.statistics
        extraction.cacheHits += validationFeatures.statistics.cacheHits
        extraction.computed += validationFeatures.statistics.computed
        extraction.recomputed += validationFeatures.statistics.recomputed
        extraction.backboneSeconds += validationFeatures.statistics.backboneSeconds
        let report = TrainingReport(
            name: options.name, createdAt: ISO8601DateFormatter().string(from: Date()), commandLine: options.commandLine,
            labels: dataset.labels, positiveLabel: positive, inputs: options.source.inputs,
            imagesByLabel: counts(dataset.images), trainingByLabel: counts(split.training), validationByLabel: counts(split.validation),
            skipped: skipped, recipe: options.recipe, augmentation: options.augmentation,
            augmentationNote: "The backbone is frozen and too costly to run every epoch, so \(options.augmentation.draws) versions of each training image were extracted once (version 0 the original, the others randomly rotated within +-\(options.augmentation.rotation) degrees, nearest fill, plus the contrast/brightness/scale jitter set here); each epoch uses one version per image, drawn from the seed. Validation uses originals.",
            preprocessing: options.preprocessing, validationFraction: options.validationFraction,
            backboneSHA256: extractor.backboneSHA256,
            classWeights: Dictionary(uniqueKeysWithValues: zip(dataset.labels, trained.classWeights)),
            history: trained.history, fineTune: options.fineTune, fineTuneHistory: fineTuned?.history, fineTuneBestEpoch: fineTuned?.bestEpoch,
            validation: validation, validationBySource: validationBySource, calibration: calibration, extraction: extraction, headTrainingSeconds: headSeconds, model: paths,
            threshold: dataset.labels.count == 2 ? options.threshold : nil)

        try ModelWriter.write(
            parameters, block: fineTuned.flatMap { $0.bestEpoch == 0 ? nil : $0.block }, pool: options.recipe.pool, dropout: options.recipe.dropout, name: options.name,
            version: options.version ?? Self.today(), description: options.description ?? "\(dataset.labels.joined(separator: " vs ")) (positive: \(positive))",
            labels: dataset.labels, positiveLabel: positive, threshold: options.threshold, preprocessing: options.preprocessing,
            backboneSHA256: extractor.backboneSHA256, training: provenance(report), to: paths)
        try ModelWriter.writeJSON(report, to: paths.reportJSON)
        try ModelWriter.writeText(TrainingReportHTML.render(report), to: paths.reportHTML)
        return report
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

    static func describe(_ record: EpochRecord, of epochs: Int) -> String {
        var line = String(format: "epoch %d/%d  loss %.4f  accuracy %.4f", record.epoch, epochs, record.loss, record.accuracy)
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            line += String(format: "  val_loss %.4f  val_accuracy %.4f", loss, accuracy)
        }
        return line
    }

    private func provenance(_ report: TrainingReport) -> [String: String] {
        var training: [String: String] = [
            "data": report.inputs.joined(separator: ", ") + (options.source.under.map { " (rows under \($0))" } ?? ""),
            "counts": report.labels.map { "\($0): \(report.trainingByLabel[$0] ?? 0) train + \(report.validationByLabel[$0] ?? 0) validation" }.joined(separator: "; "),
            "recipe": backboneDescription(report) + "; head AvgPool\(options.recipe.pool) Flatten Dense\(options.recipe.hidden) ReLU Dropout\(options.recipe.dropout) Dense\(report.labels.count) softmax; Adam lr \(options.recipe.learningRate) decay \(options.recipe.effectiveDecay); \(options.recipe.epochs) epochs, batch \(options.recipe.batchSize); class weights \(options.recipe.classWeighting.rawValue); augmentation \(options.augmentation.draws) draws, rotation \(options.augmentation.rotation), contrast \(options.augmentation.contrast), brightness \(options.augmentation.brightness), scale \(options.augmentation.scale)",
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

    /// The second stage: block 5 (from the backbone's ImageNet weights) and the head trained together.
    private func fineTuneBlock5(_ tuner: BlockFineTuner, head: HeadParameters, examples: [FineTuneExample],
                                validation: [(features: Tensor, label: Int)], classWeights: [Float], batchesPerEpoch: Int,
                                console: ProgressReporter?) throws(DatasetError) -> FineTunedModel {
        let start: ConvBlockParameters
        do {
            start = try ConvBlockParameters(weights: SafeTensorsFile(contentsOf: options.backbonePath), layerNames: VGG16Backbone.layerNames.last!)
        } catch {
            throw DatasetError(file: options.backbonePath, reason: "block 5 cannot be loaded for fine-tuning (\(error.reason))")
        }
        let epochs = tuner.fineTune.epochs
        console?.message("fine-tuning block 5 and the head (\(epochs) epochs, learning rate \(tuner.fineTune.learningRate))")
        console?.start(total: batchesPerEpoch * epochs, unit: "batches")
        let result = tuner.train(block: start, head: head, examples: examples, validation: validation, classWeights: classWeights) { event in
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
        return result
    }

    private func backboneDescription(_ report: TrainingReport) -> String {
        guard let fineTune = report.fineTune else { return "frozen VGG16" }
        if report.fineTuneBestEpoch == 0 {
            return "frozen VGG16 (fine-tuning block 5 was tried for \(fineTune.epochs) epochs; none beat ImageNet's weights on validation)"
        }
        return "VGG16 with block 5 fine-tuned after the head (\(fineTune.epochs) epochs, Adam lr \(fineTune.learningRate), epoch \(report.fineTuneBestEpoch ?? fineTune.epochs) kept)"
    }

    /// Runs block 5 on extracted `block4_pool` maps and pools them for the head, keeping the extraction's shape.
    static func pooled(_ maps: ExtractionResult<Tensor>, through block: ConvBlock, pool: Int) -> ExtractionResult<[Float]> {
        let flat = maps.features.compactMap { $0 }.flatMap { $0 }
        var vectors = block.forward(batch: flat).map { FeaturePooling.averagePoolFlatten($0, size: pool) }.makeIterator()
        let features = maps.features.map { draws in draws.map { $0.map { _ in vectors.next()! } } }
        return ExtractionResult(features: features, skipped: maps.skipped, statistics: maps.statistics)
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy.MM.dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
