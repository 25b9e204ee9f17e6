import Foundation
import Imaging
import NeuralEngine
import Screening

/// `xraywatch train`: checks everything, extracts (cached) features, trains the head (and, when asked, block 5
/// with it), calibrates, measures on the validation images, and writes the model and its reports.
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
        try SettingError.check(options.recipe.consistency == 0 || options.augmentation.draws >= 2, .consistency, options.recipe.consistency,
                               "0 with one augmentation draw (it compares two draws of each image)")
        try SettingError.check(options.recipe.pool <= side, .pool, options.recipe.pool, "at most \(side), the side of the \(side)x\(side) backbone output")
    }

    /// Every check that can fail before any work starts: throws `SettingError` for a bad setting (a positive
    /// label that is not a label included), `DatasetError` for unusable images or an unreadable backbone, and
    /// `ExistingModelError` for another model in the way (unless `force`).
    public func prepare() throws -> (dataset: Dataset, positive: String, extractor: FeatureExtractor) {
        try validate()
        let dataset = try options.source.load()
        let origin = options.source.inputs.joined(separator: ", ")
        try dataset.validateForTraining(minimumPerClass: options.minimumPerClass, origin: origin)
        let positive = options.positiveLabel ?? dataset.labels[0]
        try SettingError.check(dataset.labels.contains(positive), .positiveLabel, positive, "one of the labels \(dataset.labels.joined(separator: ", "))")
        if !options.force { try checkNoOtherModel(labels: dataset.labels) }
        let cache = options.cacheFolder.map { FeatureCache(directory: URL(fileURLWithPath: $0)) }
        let extractor = try FeatureExtractor(backbonePath: options.backbonePath, preprocessing: options.preprocessing, cache: cache,
                                             output: options.fineTune == nil ? .block5Pool : .block4Pool, segmenterPath: options.segmenterPath)
        return (dataset, positive, extractor)
    }

    /// Refuses to replace a file at the model's path that is not a model manifest or has other labels.
    private func checkNoOtherModel(labels: [String]) throws(ExistingModelError) {
        let path = ModelWriter.Paths(folder: options.outputFolder, name: options.name).manifest
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let existing = try? JSONDecoder().decode(ModelManifest.self, from: data)
        guard existing?.labels != labels else { return }
        throw ExistingModelError(manifestPath: path, existingLabels: existing?.labels, runLabels: labels)
    }

    /// Runs the whole training, one named step after another; warnings and epoch lines go to `console`. Throws
    /// what `prepare` throws, and `WriteError` when the model or its reports cannot be written.
    public func run(console: ProgressReporter? = nil, extractionProgress: ProgressReporter? = nil) async throws -> TrainingReport {
        let (dataset, positive, extractor) = try prepare()
        let split = try split(dataset)
        let features = try await extractFeatures(split, with: extractor, progress: extractionProgress)
        for image in features.skipped { console?.message("warning: skipping \(image.path): \(image.reason)") }
        let examples = try TrainingSet(split: split, features: features, labels: dataset.labels, origin: options.source.inputs)

        let started = Date()
        var model = trainHead(examples, console: console)
        if let fineTune = options.fineTune {
            model = try fineTuneBlock5(model, recipe: fineTune, examples: examples, console: console)
        }
        let trainingSeconds = Date().timeIntervalSince(started)
        if options.calibrate { model = calibrated(model, examples: examples, console: console) }

        let report = makeReport(dataset: dataset, positive: positive, split: split, features: features, model: model,
                                trainingSeconds: trainingSeconds, backboneSHA256: extractor.backboneSHA256)
        try write(model, report: report)
        return report
    }
}
