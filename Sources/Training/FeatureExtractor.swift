import Foundation
import Imaging
import NeuralEngine
import Screening

/// An image that could not be used (unreadable or undecodable), with the reason; skipped, not fatal.
public struct SkippedImage: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
}

/// Cache counters of one extraction.
public struct ExtractionStatistics: Sendable, Codable, Equatable {
    public var cacheHits = 0
    /// Entries computed because none existed.
    public var computed = 0
    /// Entries computed because the stored one was corrupt or stale.
    public var recomputed = 0
    /// Wall-clock seconds spent running the backbone (decode and preprocessing included).
    public var backboneSeconds = 0.0
    /// Backbone throughput over the computed entries.
    public var imagesPerSecond: Double? { computed + recomputed > 0 && backboneSeconds > 0 ? Double(computed + recomputed) / backboneSeconds : nil }

    /// The figures of two extractions together.
    public static func + (a: ExtractionStatistics, b: ExtractionStatistics) -> ExtractionStatistics {
        ExtractionStatistics(cacheHits: a.cacheHits + b.cacheHits, computed: a.computed + b.computed,
                             recomputed: a.recomputed + b.recomputed, backboneSeconds: a.backboneSeconds + b.backboneSeconds)
    }
}

/// Backbone features of image files, per augmentation draw, through the feature cache.
///
/// Each file is read once to hash it; cached draws are read back, missing ones are decoded, augmented,
/// preprocessed and run through the backbone in batches, with the next batch decoded while the
/// backbone runs on the current one. The backbone is loaded only when something must be computed.
public final class FeatureExtractor: Sendable {
    public let backbonePath: String
    public let backboneSHA256: String
    public let preprocessing: Preprocessing
    public let cache: FeatureCache?
    public let batchSize: Int
    /// Where the backbone stops: `block5_pool` for frozen-backbone heads, `block4_pool` for fine-tuning block 5.
    public let output: VGG16Backbone.Output
    /// Finds the lungs of each (augmented) image when the preprocessing reads lung fields.
    public let segmenter: LungSegmenter?
    private let backbone = LazyBackbone()

    /// Hashes the backbone file; fails (naming the file) when it cannot be read. Lung-field preprocessing
    /// needs the segmenter's manifest, `segmenterPath`.
    public init(backbonePath: String, preprocessing: Preprocessing, cache: FeatureCache?, output: VGG16Backbone.Output = .block5Pool,
                batchSize: Int = 8, segmenterPath: String? = nil) throws(DatasetError) {
        do { backboneSHA256 = try FileDigest.sha256(ofFileAt: backbonePath) } catch {
            throw DatasetError(file: backbonePath, reason: "backbone weights cannot be read; name the VGG16 conv base's safetensors file")
        }
        if preprocessing.readsLungs {
            guard let segmenterPath else {
                throw DatasetError(file: backbonePath, reason: "preprocessing that reads the lungs needs the lung segmenter's manifest")
            }
            do { segmenter = try LungSegmenter.load(manifestAt: segmenterPath, backboneSHA256: backboneSHA256) } catch {
                throw DatasetError(file: error.file, reason: error.reason)
            }
        } else {
            segmenter = nil
        }
        self.backbonePath = backbonePath
        self.preprocessing = preprocessing
        self.cache = cache
        self.batchSize = batchSize
        self.output = output
    }

    /// Features of `draws` draws of every image, each reduced by `transform` (e.g. pooling) to keep
    /// memory small. `result.features[i]` is nil for a skipped image, else one value per draw.
    public func extract<T: Sendable>(_ paths: [String], augmentation: AugmentationSettings, draws: Int,
                                     progress: ProgressReporter? = nil,
                                     transform: @escaping @Sendable (Tensor) -> T) async throws(DatasetError) -> ExtractionResult<T> {
        var features = [[T?]](repeating: [T?](repeating: nil, count: draws), count: paths.count)
        var skipped: [Int: String] = [:]
        var statistics = ExtractionStatistics()
        var jobs: [Job] = []
        for (index, path) in paths.enumerated() {
            guard let data = FileManager.default.contents(atPath: path) else { skipped[index] = "cannot be read"; continue }
            let hash = FileDigest.sha256(of: data)
            for draw in 0..<draws {
                let key = FeatureKey(imageSHA256: hash, draw: draw, augmentation: augmentation.cacheDescription(draw: draw),
                                     backboneSHA256: backboneSHA256, preprocessing: preprocessing, output: output,
                                     segmenterSHA256: segmenter?.manifest.weights.sha256)
                switch cache?.read(key) ?? .missing {
                case .hit(let tensor) where tensor.shape == expectedShape:
                    features[index][draw] = transform(tensor)
                    statistics.cacheHits += 1
                case .hit, .invalid:
                    jobs.append(Job(index: index, path: path, key: key, transform: augmentation.transform(imageSHA256: hash, draw: draw), stale: true))
                case .missing:
                    jobs.append(Job(index: index, path: path, key: key, transform: augmentation.transform(imageSHA256: hash, draw: draw), stale: false))
                }
            }
        }
        progress?.start(total: jobs.count, unit: "images")
        let started = Date()
        let batches = stride(from: 0, to: jobs.count, by: batchSize).map { Array(jobs[$0..<min($0 + batchSize, jobs.count)]) }
        if !batches.isEmpty {
            let network = try backbone.get(path: backbonePath)
            let (preprocessing, output, segmenter) = (self.preprocessing, self.output, self.segmenter)
            var prepared = Self.prepare(batches[0])
            for (number, batch) in batches.enumerated() {
                async let upcoming = number + 1 < batches.count ? Self.prepare(batches[number + 1]) : []
                let ready = zip(batch, prepared).compactMap { job, input -> (Job, RGBImage)? in
                    switch input {
                    case .success(let image): return (job, image)
                    case .failure(let error): skipped[job.index] = error.description; return nil
                    }
                }
                // Lung fields come from the segmenter's own pass on each augmented image, as at screening time.
                let lungs = segmenter.map { $0.segment(ready.map(\.1), backbone: network).map { $0.fields.mask } }
                let inputs = ready.indices.map { preprocessing.networkInput(for: ready[$0].1, lungs: lungs?[$0]) }
                let outputs = ready.isEmpty ? [] : network.features(batch: inputs, height: preprocessing.size, width: preprocessing.size, output: output)
                for ((job, _), tensor) in zip(ready, outputs) {
                    try cache?.write(tensor, for: job.key)
                    features[job.index][job.key.draw] = transform(tensor)
                    if job.stale { statistics.recomputed += 1 } else { statistics.computed += 1 }
                }
                progress?.advance(by: batch.count)
                prepared = await upcoming
            }
        }
        progress?.finish()
        statistics.backboneSeconds = Date().timeIntervalSince(started)
        let skippedImages = skipped.keys.sorted().map { SkippedImage(path: paths[$0], reason: skipped[$0]!) }
        for index in skipped.keys { features[index] = [] }
        return ExtractionResult(features: features.map { $0.isEmpty ? nil : $0.map { $0! } },
                                skipped: skippedImages, statistics: statistics)
    }

    /// The backbone (loaded on first use), e.g. for its block 5 when features stop at `block4_pool`.
    public func loadedBackbone() throws(DatasetError) -> VGG16Backbone { try backbone.get(path: backbonePath) }

    private var expectedShape: [Int] { [preprocessing.size / output.stride, preprocessing.size / output.stride, 512] }

    private struct Job: Sendable {
        var index: Int
        var path: String
        var key: FeatureKey
        var transform: AugmentationTransform
        var stale: Bool
    }

    /// Decodes and augments one batch; an image decoded for one draw is reused for the next.
    private static func prepare(_ batch: [Job]) -> [Result<RGBImage, ImageDecodeError>] {
        var last: (path: String, image: Result<RGBImage, ImageDecodeError>)?
        return batch.map { job in
            let decoded: Result<RGBImage, ImageDecodeError>
            if let last, last.path == job.path { decoded = last.image } else {
                decoded = Result { () throws(ImageDecodeError) in try ImageDecoder.decode(contentsOf: job.path) }
                last = (job.path, decoded)
            }
            return decoded.map { job.transform.apply(to: $0) }
        }
    }
}

/// Features per image (nil = skipped) and per draw, plus what was skipped and cache counters.
public struct ExtractionResult<T: Sendable>: Sendable {
    public var features: [[T]?]
    public var skipped: [SkippedImage]
    public var statistics: ExtractionStatistics
}

/// Loads the backbone on first use only, so fully cached runs never read its 58 MB of weights.
private final class LazyBackbone: @unchecked Sendable {
    private let lock = NSLock()
    private var backbone: VGG16Backbone?

    func get(path: String) throws(DatasetError) -> VGG16Backbone {
        lock.lock(); defer { lock.unlock() }
        if let backbone { return backbone }
        do {
            let loaded = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: path))
            backbone = loaded
            return loaded
        } catch {
            throw DatasetError(file: path, reason: "backbone weights cannot be loaded (\(error.reason))")
        }
    }
}
