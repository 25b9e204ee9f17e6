import Foundation
import NeuralEngine

/// Why an image gets INDETERMINATE instead of a verdict, and how far it lies from the training images.
public struct Refusal: Sendable, Equatable {
    /// Plain words for the ledger and logs, e.g. `no plausible pair of lungs (1 lung region (2 expected))`.
    public let reason: String
    /// The image's feature distance from the training images as a share of the refusal threshold
    /// (above 1: farther than the held-out training images went).
    public let distanceRatio: Double

    public init(reason: String, distanceRatio: Double) { self.reason = reason; self.distanceRatio = distanceRatio }
}

/// Refuses images the models cannot judge: those whose backbone features lie far from every training image's
/// (Mahalanobis distance of `FeatureSummary` with a shrunk covariance) and, if the manifest says so, those
/// without a plausible pair of lungs. It reads the lung segmenter's backbone pass, so it costs one small
/// matrix-vector product per image.
public struct RefusalCheck: Sendable {
    public let manifest: RefusalManifest
    public let manifestPath: String
    /// Mean summary of the training images.
    public let mean: [Float]
    /// W with |W (x - mean)|^2 the squared Mahalanobis distance; d x d, row-major.
    public let whitening: [Float]

    public var dimension: Int { mean.count }

    public init(manifest: RefusalManifest, manifestPath: String, mean: [Float], whitening: [Float]) {
        precondition(whitening.count == mean.count * mean.count, "whitening must be d x d")
        self.manifest = manifest; self.manifestPath = manifestPath; self.mean = mean; self.whitening = whitening
    }

    /// Reads a manifest and its weights, checking hashes, backbone and shapes.
    public static func load(manifestAt path: String, backboneSHA256: String?) throws(ModelLoadError) -> RefusalCheck {
        let manifest = try ManifestFile.decode(RefusalManifest.self, at: path)
        try ManifestFile.checkBackbone(trainedOn: manifest.backbone.sha256, loaded: backboneSHA256, manifestPath: path)
        guard manifest.featureMap == VGG16Backbone.Output.block4Pool.rawValue else {
            throw ModelLoadError(file: path, reason: "featureMap is \"\(manifest.featureMap)\"; this version reads block4_pool")
        }
        guard manifest.distanceThreshold > 0, manifest.distanceThreshold.isFinite else {
            throw ModelLoadError(file: path, reason: "distanceThreshold must be a positive number")
        }
        let weights = try ManifestFile.verifiedWeights(manifest.weights, manifestPath: path)
        let mean: Tensor, whitening: Tensor
        do { (mean, whitening) = (try weights.tensor("mean"), try weights.tensor("whitening")) } catch {
            throw ModelLoadError(file: weights.path, reason: error.reason)
        }
        let d = mean.count
        guard mean.shape == [d], whitening.shape == [d, d] else {
            throw ModelLoadError(file: weights.path, reason: "mean is \(mean.shape) and whitening \(whitening.shape); expected [d] and [d, d]")
        }
        return RefusalCheck(manifest: manifest, manifestPath: path, mean: mean.values, whitening: whitening.values)
    }

    /// Mahalanobis distance of a `block4_pool` map's summary from the training images.
    public func distance(of map: Tensor) -> Double {
        distance(ofSummary: FeatureSummary.meanAndDeviation(of: map))
    }

    /// Mahalanobis distance of a summary (`FeatureSummary.meanAndDeviation`) from the training images.
    public func distance(ofSummary summary: [Float]) -> Double {
        precondition(summary.count == dimension, "summary has \(summary.count) values, the check \(dimension)")
        let centred = zip(summary, mean).map { Double($0 - $1) }
        var total = 0.0
        whitening.withUnsafeBufferPointer { rows in
            for row in 0..<dimension {
                var projection = 0.0
                let start = row * dimension
                for column in 0..<dimension { projection += Double(rows[start + column]) * centred[column] }
                total += projection * projection
            }
        }
        return total.squareRoot()
    }

    /// The refusal for an image at `distance` with these lungs, or nil when the models may judge it.
    /// The feature distance is checked first: an image unlike any training image is refused for that.
    public func refusal(distance: Double, lungs: LungFindings?) -> Refusal? {
        let ratio = distance / manifest.distanceThreshold
        if ratio > 1 {
            return Refusal(reason: String(format: "unlike the training radiographs (feature distance %.1fx the refusal threshold)", ratio),
                           distanceRatio: ratio)
        }
        if manifest.refuseWithoutLungs, let lungs, let problem = lungs.problem {
            return Refusal(reason: "no plausible pair of lungs (\(problem))", distanceRatio: ratio)
        }
        return nil
    }
}
