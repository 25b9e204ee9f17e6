import Foundation
import Imaging
import NeuralEngine
import Screening

/// `xraywatch train-refusal` as a library call: summarises the `block4_pool` maps of the training images (and
/// their processing-shift draws, so that a small JPEG copy of a radiograph is not refused), keeps those of a
/// patient-grouped 80 % as the references, sets the threshold at a quantile of the held-out 20 %'s distances to
/// their nearest reference times a margin, and writes `NAME.json` and `NAME.safetensors` (the references).
/// Measuring happens in `evaluate --refusal` and on `data/ood` (see README).
public struct RefusalFittingRun: Sendable {
    public var dataset: Dataset
    public var backbonePath: String
    public var segmenterPath: String
    public var outputFolder: String
    public var name: String
    public var version: String
    public var augmentation: AugmentationSettings
    public var quantile = 0.99
    public var margin = 1.0
    public var refuseWithoutLungs = true
    public var seed: UInt64 = 42
    public var cache: FeatureCache?
    /// The command that ran the fit, recorded in the manifest.
    public var commandLine = ""

    public init(dataset: Dataset, backbonePath: String, segmenterPath: String, outputFolder: String, name: String, version: String,
                augmentation: AugmentationSettings) {
        self.dataset = dataset; self.backbonePath = backbonePath; self.segmenterPath = segmenterPath
        self.outputFolder = outputFolder; self.name = name; self.version = version; self.augmentation = augmentation
    }

    /// What the fit found, for the log and the manifest.
    public struct Outcome: Sendable {
        public var manifestPath: String
        public var threshold: Double
        public var heldOutDistances: [Double]
        public var fitted: Int
        public var skipped: [SkippedImage]
    }

    public func run(log: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let segmenter: LungSegmenter
        do { segmenter = try LungSegmenter.load(manifestAt: segmenterPath, backboneSHA256: nil) } catch {
            throw DatasetError(file: error.file, reason: error.reason)
        }
        let preprocessing = segmenter.manifest.preprocessing
        let extractor = try FeatureExtractor(backbonePath: backbonePath, preprocessing: preprocessing, cache: cache, output: .block4Pool)
        guard extractor.backboneSHA256 == segmenter.manifest.backbone.sha256 else {
            throw DatasetError(file: segmenterPath, reason: "the lung segmenter was trained on another backbone than \(backbonePath)")
        }
        let split = DataSplit(dataset, validationFraction: 0.2, seed: seed)
        log("\(split.training.count) images to fit (\(augmentation.draws) draws each), \(split.validation.count) held out (split by patient, seed \(seed))")
        let progress = ProgressReporter(title: "summarising")
        progress.start(total: split.training.count * augmentation.draws + split.validation.count * augmentation.draws, unit: "images")
        let fitting = try await extractor.extract(split.training.map(\.path), augmentation: augmentation, draws: augmentation.draws,
                                                  progress: progress, transform: FeatureSummary.unitChannelMeans)
        let heldOut = try await extractor.extract(split.validation.map(\.path), augmentation: augmentation, draws: augmentation.draws,
                                                  progress: progress, transform: FeatureSummary.unitChannelMeans)
        progress.finish()
        let samples = fitting.features.compactMap { $0 }.flatMap { $0 }
        guard samples.count >= 20 else {
            throw DatasetError(file: dataset.images.first?.path ?? "(no images)", reason: "only \(samples.count) usable training summaries; at least 20 are needed")
        }
        let started = Date()
        let dimension = samples[0].count
        let references = Tensor(shape: [samples.count, dimension], values: samples.flatMap { $0 })
        let heldOutDistances = heldOut.features.compactMap { $0 }.flatMap { $0 }
            .map { RefusalCheck.cosineDistance(of: $0, toNearestOf: references.values, dimension: dimension) }.sorted()
        guard !heldOutDistances.isEmpty else {
            throw DatasetError(file: dataset.images.first?.path ?? "(no images)", reason: "no held-out training image could be read")
        }
        let threshold = margin * Self.quantile(quantile, ofSorted: heldOutDistances)
        log(String(format: "%d references of %d values; held-out distances (%.1f s) median %.4f, %.1f %% quantile %.4f, max %.4f; threshold %.4f",
                   samples.count, dimension, Date().timeIntervalSince(started), Self.quantile(0.5, ofSorted: heldOutDistances),
                   100 * quantile, Self.quantile(quantile, ofSorted: heldOutDistances), heldOutDistances.last!, threshold))

        let paths = ModelWriter.Paths(folder: outputFolder, name: name)
        let sha = try ModelWriter.writeWeights([("references", references)], metadata: ["model": name, "format": "xraywatch refusal check"], to: paths)
        let manifest = RefusalManifest(
            name: name, version: version,
            description: "Refuses images unlike the training radiographs or without a plausible pair of lungs (INDETERMINATE)",
            preprocessing: preprocessing, backbone: BackboneReference(sha256: extractor.backboneSHA256, fineTunedLayers: nil),
            featureMap: VGG16Backbone.Output.block4Pool.rawValue, distanceThreshold: threshold, refuseWithoutLungs: refuseWithoutLungs,
            weights: FileReference(file: URL(fileURLWithPath: paths.weights).lastPathComponent, sha256: sha),
            training: [
                "data": "\(dataset.images.count) images (\(dataset.labels.joined(separator: ", "))), \(split.training.count) fitted, \(split.validation.count) held out by patient",
                "summary": "per-channel mean of block4_pool (\(dimension) values), unit length; distance: 1 - cosine similarity to the nearest of \(samples.count) references",
                "threshold": String(format: "%.3f x the %.1f %% quantile of %d held-out distances (%.4f)", margin, 100 * quantile,
                                    heldOutDistances.count, Self.quantile(quantile, ofSorted: heldOutDistances)),
                "augmentation": "\(augmentation.draws) draws: rotation \(augmentation.rotation), contrast \(augmentation.contrast), brightness \(augmentation.brightness), scale \(augmentation.scale), gamma \(augmentation.gamma), noise \(augmentation.noise), smallest side \(augmentation.smallestSide), JPEG quality from \(augmentation.jpegQuality)",
                "seed": String(seed),
                "command": commandLine,
                "date": ISO8601DateFormatter().string(from: Date()),
            ])
        try ModelWriter.writeJSON(manifest, to: paths.manifest)
        log("wrote \(paths.manifest) and \(paths.weights)")
        return Outcome(manifestPath: paths.manifest, threshold: threshold, heldOutDistances: heldOutDistances,
                       fitted: samples.count, skipped: fitting.skipped + heldOut.skipped)
    }

    /// Linear-interpolated quantile of ascending values.
    static func quantile(_ q: Double, ofSorted values: [Double]) -> Double {
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, values.count - 1)
        return values[lower] + (position - Double(lower)) * (values[upper] - values[lower])
    }
}
