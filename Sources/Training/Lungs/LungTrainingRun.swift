import Foundation
import Imaging
import NeuralEngine
import Screening

/// `xraywatch train-lungs` as a library call: loads the image/mask pairs, splits off validation by patient,
/// extracts the backbone maps of every augmentation draw, trains the decoder, writes `NAME.json` and
/// `NAME.safetensors`, then measures the result (`LungEvaluation`) into `NAME.report.json` and `.html`.
public struct LungTrainingRun: Sendable {
    public var dataRoot: String
    public var masksIndex: String
    public var backbonePath: String
    public var outputFolder: String
    public var name: String
    public var version: String
    public var recipe: LungTrainingRecipe
    public var preprocessing = Preprocessing()

    public init(dataRoot: String, masksIndex: String, backbonePath: String, outputFolder: String, name: String,
                version: String, recipe: LungTrainingRecipe) {
        self.dataRoot = dataRoot; self.masksIndex = masksIndex; self.backbonePath = backbonePath
        self.outputFolder = outputFolder; self.name = name; self.version = version; self.recipe = recipe
    }

    /// Runs everything; `log` gets one line per stage and epoch. Returns the manifest path.
    @discardableResult
    public func run(log: @escaping @Sendable (String) -> Void) throws -> String {
        let dataset = try LungMaskDataset(root: dataRoot, masksIndex: masksIndex)
        let (backbone, backboneSHA256) = try Self.loadBackbone(backbonePath)
        var examples: [LungExample] = []
        for pair in dataset.pairs(in: "train") { examples.append(try dataset.load(pair)) }
        guard examples.count >= 4 else { throw DatasetError(file: masksIndex, reason: "lists \(examples.count) training masks; at least 4 are needed") }
        let (training, validation) = Self.split(examples, fraction: recipe.validationFraction, seed: recipe.seed)
        log("\(training.count) training and \(validation.count) validation images with masks (split by patient, seed \(recipe.seed)); \(recipe.augmentation.draws) draws each")

        let trainer = LungSegmenterTrainer(recipe: recipe, backbone: backbone, preprocessing: preprocessing)
        let progress = ProgressReporter(title: "extracting")
        progress.start(total: training.count * recipe.augmentation.draws + validation.count, unit: "images")
        let started = Date()
        let trainingSamples = trainer.samples(training, draws: recipe.augmentation.draws, progress: progress)
        let validationSamples = trainer.samples(validation, draws: 1, progress: progress).map { $0[0] }
        progress.finish()
        log(String(format: "backbone maps extracted in %.0f s", Date().timeIntervalSince(started)))

        let trainingStarted = Date()
        let result = LungSegmenterTrainer.train(recipe: recipe, training: consume trainingSamples, validation: consume validationSamples, log: log)
        let trainingSeconds = Date().timeIntervalSince(trainingStarted)
        log(String(format: "trained in %.0f s; kept epoch %d (validation Dice %.4f)", trainingSeconds, result.bestEpoch,
                   result.history.first { $0.epoch == result.bestEpoch }?.validationDice ?? .nan))

        let plausibility = Self.plausibility(of: examples)
        let paths = ModelWriter.Paths(folder: outputFolder, name: name)
        try LungSegmenterWriter.write(result.parameters, name: name, version: version, preprocessing: preprocessing,
                                      backboneSHA256: backboneSHA256, plausibility: plausibility,
                                      training: provenance(training: training.count, validation: validation.count, bestEpoch: result.bestEpoch,
                                                           seconds: trainingSeconds),
                                      to: paths)
        log("wrote \(paths.manifest) and \(paths.weights)")
        let segmenter: LungSegmenter
        do { segmenter = try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: backboneSHA256) } catch {
            throw DatasetError(file: error.file, reason: "the segmenter just written does not load: \(error.reason)")
        }
        let evaluation = try LungEvaluation.run(segmenter: segmenter, backbone: backbone, dataset: dataset,
                                                validationImages: Set(validation.map(\.pair.image)))
        try LungReport(name: name, version: version, recipe: recipe, history: result.history, bestEpoch: result.bestEpoch,
                       plausibility: plausibility, evaluation: evaluation)
            .write(to: paths, dataRoot: dataRoot)
        log("wrote \(paths.reportJSON) and \(paths.reportHTML)")
        return paths.manifest
    }

    /// Measures a written segmenter again and rewrites its report (without training curves): the same
    /// validation images as its training run (same seed and fraction), Dice per split, figures per class and source.
    public func evaluate(manifestPath: String, log: @escaping @Sendable (String) -> Void) throws {
        let dataset = try LungMaskDataset(root: dataRoot, masksIndex: masksIndex)
        let (backbone, backboneSHA256) = try Self.loadBackbone(backbonePath)
        let segmenter: LungSegmenter
        do { segmenter = try LungSegmenter.load(manifestAt: manifestPath, backboneSHA256: backboneSHA256) } catch {
            throw DatasetError(file: error.file, reason: error.reason)
        }
        var examples: [LungExample] = []
        for pair in dataset.pairs(in: "train") { examples.append(try dataset.load(pair)) }
        let validation = Self.split(examples, fraction: recipe.validationFraction, seed: recipe.seed).1
        let evaluation = try LungEvaluation.run(segmenter: segmenter, backbone: backbone, dataset: dataset,
                                                validationImages: Set(validation.map(\.pair.image)))
        let base = URL(fileURLWithPath: manifestPath).deletingPathExtension()
        let paths = ModelWriter.Paths(folder: base.deletingLastPathComponent().path, name: base.lastPathComponent)
        try LungReport(name: segmenter.name, version: segmenter.manifest.version, recipe: recipe, history: [],
                       bestEpoch: Int(segmenter.manifest.training["bestEpoch"] ?? "") ?? 0,
                       plausibility: segmenter.manifest.plausibility, evaluation: evaluation)
            .write(to: paths, dataRoot: dataRoot)
        log("wrote \(paths.reportJSON) and \(paths.reportHTML)")
    }

    private func provenance(training: Int, validation: Int, bestEpoch: Int, seconds: Double) -> [String: String] {
        ["data": "lung masks listed in \(URL(fileURLWithPath: masksIndex).lastPathComponent), split train",
         "images": "\(training) training, \(validation) validation (by patient)",
         "recipe": "frozen VGG16 taps block2-4_pool, decoder \(recipe.widths), BCE + soft Dice, Adam \(recipe.learningRate), batch \(recipe.batchSize), \(recipe.epochs) epochs, \(recipe.augmentation.draws) draws",
         "seed": "\(recipe.seed)", "bestEpoch": "\(bestEpoch)", "trainingSeconds": String(format: "%.0f", seconds)]
    }

    static func loadBackbone(_ path: String) throws(DatasetError) -> (VGG16Backbone, String) {
        do {
            let sha = try FileDigest.sha256(ofFileAt: path)
            return (try VGG16Backbone(weights: SafeTensorsFile(contentsOf: path)), sha)
        } catch let error as SafeTensorsError {
            throw DatasetError(file: path, reason: error.reason)
        } catch {
            throw DatasetError(file: path, reason: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// Whole patients to validation in seeded order until about `fraction` of the images are there.
    static func split(_ examples: [LungExample], fraction: Double, seed: UInt64) -> ([LungExample], [LungExample]) {
        var groups: [String: [LungExample]] = [:]
        for example in examples { groups[example.pair.patient ?? "file:\(example.pair.image)", default: []].append(example) }
        var keys = groups.keys.sorted()
        var random = SeededRandom(seed: seed, stream: 0x1A46_5B17)
        random.shuffle(&keys)
        let target = Int((fraction * Double(examples.count)).rounded())
        var (training, validation): ([LungExample], [LungExample]) = ([], [])
        for key in keys {
            if validation.count < target { validation += groups[key]! } else { training += groups[key]! }
        }
        return (training, validation)
    }

    /// Ranges of the training masks' own figures, widened: area between half the 1st percentile and 1.25x
    /// the 99th, right/left ratio between 0.7x the 1st and 1.4x the 99th percentile.
    static func plausibility(of examples: [LungExample]) -> LungPlausibility {
        let figures = examples.map { example in
            LungFields(probabilities: example.mask.pixels.map { $0 ? 1 : 0 }, mapWidth: example.mask.width, mapHeight: example.mask.height,
                       imageWidth: example.mask.width, imageHeight: example.mask.height).figures
        }
        func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(p * Double(sorted.count - 1)))]
        }
        let areas = figures.map(\.areaFraction), ratios = figures.compactMap(\.rightToLeftRatio)
        return LungPlausibility(minimumAreaFraction: 0.5 * percentile(areas, 0.01), maximumAreaFraction: min(0.95, 1.25 * percentile(areas, 0.99)),
                                minimumRightToLeft: 0.7 * percentile(ratios, 0.01), maximumRightToLeft: 1.4 * percentile(ratios, 0.99))
    }
}

/// Writes a trained decoder as a loadable segmenter: weights first, then the manifest pinning their hash.
public enum LungSegmenterWriter {
    public static func write(_ parameters: LungDecoderParameters, name: String, version: String, preprocessing: Preprocessing,
                             backboneSHA256: String, plausibility: LungPlausibility, training: [String: String],
                             to paths: ModelWriter.Paths) throws(WriteError) {
        let sha = try ModelWriter.writeWeights(parameters.namedTensors, metadata: ["model": name, "format": "xraywatch lung segmenter"], to: paths)
        let manifest = LungSegmenterManifest(
            name: name, version: version,
            description: "Lung fields of a frontal chest radiograph (U-Net-style decoder on the VGG16 encoder)",
            preprocessing: preprocessing, backbone: BackboneReference(sha256: backboneSHA256), decoderWidths: parameters.widths,
            weights: FileReference(file: URL(fileURLWithPath: paths.weights).lastPathComponent, sha256: sha),
            plausibility: plausibility, training: training)
        try ModelWriter.writeJSON(manifest, to: paths.manifest)
    }
}
