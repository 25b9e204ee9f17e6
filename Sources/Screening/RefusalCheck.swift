import Foundation
import NeuralEngine

/// Why an image gets INDETERMINATE instead of a verdict, and how far it lies from the training images.
public struct Refusal: Sendable, Equatable {
    /// Plain words for the ledger and logs, e.g. `no plausible pair of lungs (1 lung region (2 expected))`.
    public let reason: String
    /// The image's distance to the nearest training image as a share of the refusal threshold (above 1:
    /// farther than all but 0.5 % of held-out training images).
    public let distanceRatio: Double

    public init(reason: String, distanceRatio: Double) { self.reason = reason; self.distanceRatio = distanceRatio }
}

/// Refuses images the models cannot judge: those whose backbone features are unlike every training image's
/// (cosine distance of `FeatureSummary` to the nearest training summary, as in Sun et al. 2022, "Out-of-
/// distribution detection with deep nearest neighbors") and, if the manifest says so, those without a
/// plausible pair of lungs. It reads the lung segmenter's backbone pass, so it costs one matrix-vector product.
public struct RefusalCheck: Sendable {
    public let manifest: RefusalManifest
    public let manifestPath: String
    /// Unit-length training summaries, n x d row-major.
    public let references: [Float]
    public let dimension: Int

    public var referenceCount: Int { references.count / dimension }

    public init(manifest: RefusalManifest, manifestPath: String, references: [Float], dimension: Int) {
        precondition(dimension > 0 && !references.isEmpty && references.count % dimension == 0, "references must be n x d with n >= 1")
        self.manifest = manifest; self.manifestPath = manifestPath; self.references = references; self.dimension = dimension
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
        let references: Tensor
        do { references = try weights.tensor("references") } catch { throw ModelLoadError(file: weights.path, reason: error.reason) }
        guard references.shape.count == 2, references.shape[0] >= 1, references.shape[1] == 512 else {
            throw ModelLoadError(file: weights.path, reason: "references has shape \(references.shape); expected [n, 512] (block4_pool channels)")
        }
        return RefusalCheck(manifest: manifest, manifestPath: path, references: references.values, dimension: references.shape[1])
    }

    /// Distance of a `block4_pool` map to the nearest training image (0 = same direction, 1 = orthogonal).
    public func distance(of map: Tensor) -> Double {
        distance(ofSummary: FeatureSummary.unitChannelMeans(of: map))
    }

    /// Cosine distance of a unit-length summary to the nearest reference.
    public func distance(ofSummary summary: [Float]) -> Double {
        Self.cosineDistance(of: summary, toNearestOf: references, dimension: dimension)
    }

    /// 1 - the largest dot product of a unit-length `summary` with the unit-length rows of `references` (n x d).
    public static func cosineDistance(of summary: [Float], toNearestOf references: [Float], dimension: Int) -> Double {
        precondition(summary.count == dimension, "summary has \(summary.count) values, the references \(dimension)")
        let count = references.count / dimension
        var similarities = [Float](repeating: 0, count: count)
        references.withUnsafeBufferPointer { references in
            summary.withUnsafeBufferPointer { summary in
                similarities.withUnsafeMutableBufferPointer { similarities in
                    LinearAlgebra.gemm(transposeB: true, m: 1, n: count, k: dimension, a: summary.baseAddress!, lda: dimension,
                                       b: references.baseAddress!, ldb: dimension, c: similarities.baseAddress!, ldc: count)
                }
            }
        }
        return 1 - Double(similarities.max()!)
    }

    /// The refusal for an image at `distance` with these lungs, or nil when the models may judge it.
    /// The feature distance is checked first: an image unlike any training image is refused for that.
    public func refusal(distance: Double, lungs: LungFindings?) -> Refusal? {
        let ratio = distance / manifest.distanceThreshold
        if ratio > 1 {
            return Refusal(reason: String(format: "unlike the training radiographs (distance to the nearest %.1fx the refusal threshold)", ratio),
                           distanceRatio: ratio)
        }
        if manifest.refuseWithoutLungs, let lungs, let problem = lungs.problem {
            return Refusal(reason: "no plausible pair of lungs (\(problem))", distanceRatio: ratio)
        }
        return nil
    }
}
