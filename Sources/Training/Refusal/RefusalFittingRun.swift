import Foundation
import Imaging
import NeuralEngine
import Screening

/// `xraywatch train-refusal` as a library call: summarises the `block4_pool` maps of the training images (and
/// their processing-shift draws, so that a small JPEG copy of a radiograph is not refused), fits a Gaussian on a
/// patient-grouped 80 %, sets the distance threshold at a quantile of the held-out 20 % times a margin, and
/// writes `NAME.json` and `NAME.safetensors`. Measuring happens in `evaluate` and on `data/ood` (see README).
public struct RefusalFittingRun: Sendable {
    public var dataset: Dataset
    public var backbonePath: String
    public var segmenterPath: String
    public var outputFolder: String
    public var name: String
    public var version: String
    public var augmentation: AugmentationSettings
    public var shrinkage = 0.5
    public var quantile = 0.995
    public var margin = 1.25
    public var refuseWithoutLungs = true
    public var seed: UInt64 = 42
    public var cache: FeatureCache?

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

    public func run(log: @escaping @Sendable (String) -> Void) async throws(DatasetError) -> Outcome {
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
                                                  progress: progress, transform: FeatureSummary.meanAndDeviation)
        let heldOut = try await extractor.extract(split.validation.map(\.path), augmentation: augmentation, draws: augmentation.draws,
                                                  progress: progress, transform: FeatureSummary.meanAndDeviation)
        progress.finish()
        let samples = fitting.features.compactMap { $0 }.flatMap { $0 }
        guard samples.count >= 20 else {
            throw DatasetError(file: dataset.images.first?.path ?? "(no images)", reason: "only \(samples.count) usable training summaries; at least 20 are needed")
        }
        let started = Date()
        let fit = GaussianFit(samples: samples, shrinkage: shrinkage)
        let heldOutDistances = heldOut.features.compactMap { $0 }.flatMap { $0 }.map(fit.distance(of:)).sorted()
        guard !heldOutDistances.isEmpty else {
            throw DatasetError(file: dataset.images.first?.path ?? "(no images)", reason: "no held-out training image could be read")
        }
        let threshold = margin * Self.quantile(quantile, ofSorted: heldOutDistances)
        log(String(format: "fitted %d summaries of %d values in %.1f s; held-out distances median %.1f, %.1f %% quantile %.1f, max %.1f; threshold %.1f",
                   samples.count, fit.dimension, Date().timeIntervalSince(started), Self.quantile(0.5, ofSorted: heldOutDistances),
                   100 * quantile, Self.quantile(quantile, ofSorted: heldOutDistances), heldOutDistances.last!, threshold))

        let paths = ModelWriter.Paths(folder: outputFolder, name: name)
        let sha = try ModelWriter.writeWeights([("mean", Tensor(shape: [fit.dimension], values: fit.mean.map { Float($0) })),
                                                ("whitening", Tensor(shape: [fit.dimension, fit.dimension], values: fit.whitening.map { Float($0) }))],
                                               metadata: ["model": name, "format": "xraywatch refusal check"], to: paths)
        let manifest = RefusalManifest(
            name: name, version: version,
            description: "Refuses images unlike the training radiographs or without a plausible pair of lungs (INDETERMINATE)",
            preprocessing: preprocessing, backbone: BackboneReference(sha256: extractor.backboneSHA256, fineTunedLayers: nil),
            featureMap: VGG16Backbone.Output.block4Pool.rawValue, distanceThreshold: threshold, refuseWithoutLungs: refuseWithoutLungs,
            weights: FileReference(file: URL(fileURLWithPath: paths.weights).lastPathComponent, sha256: sha),
            training: [
                "data": "\(dataset.images.count) images (\(dataset.labels.joined(separator: ", "))), \(split.training.count) fitted, \(split.validation.count) held out by patient",
                "summary": "per-channel mean and standard deviation of block4_pool (\(fit.dimension) values)",
                "covariance": "sample covariance shrunk \(shrinkage) towards its diagonal",
                "threshold": String(format: "%.3f x the %.1f %% quantile of %d held-out distances (%.2f)", margin, 100 * quantile,
                                    heldOutDistances.count, Self.quantile(quantile, ofSorted: heldOutDistances)),
                "augmentation": "\(augmentation.draws) draws: rotation \(augmentation.rotation), contrast \(augmentation.contrast), brightness \(augmentation.brightness), scale \(augmentation.scale), gamma \(augmentation.gamma), noise \(augmentation.noise), smallest side \(augmentation.smallestSide), JPEG quality from \(augmentation.jpegQuality)",
                "seed": String(seed),
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
