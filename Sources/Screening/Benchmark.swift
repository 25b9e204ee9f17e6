import Foundation
import Imaging
import NeuralEngine

/// Speed and memory figures of the inference path, as `xraywatch bench` prints them.
public struct BenchmarkReport: Codable, Sendable {
    public var kernel: String
    public var blasThreads: Int
    /// The precision of the backbone measured below and used end to end (`fp32` or `int8`).
    public var backbonePrecision: String
    public var backboneMillisecondsBatch1: Double
    public var backboneMillisecondsPerImageBatch16: Double
    /// When the screener's backbone is int8: the fp32 backbone measured alike, for comparison (filled in by the
    /// program after the peak RSS was read, as it loads a second backbone).
    public var fp32BackboneMillisecondsBatch1: Double?
    public var fp32BackboneMillisecondsPerImageBatch16: Double?
    public var endToEndImages: Int
    public var endToEndImagesPerSecond: Double
    /// With a lung segmenter loaded: the decoder and clean-up per image (on 224 px taps, image of 512 px)...
    public var lungSegmenterMillisecondsPerImage: Double?
    /// ...and the same end-to-end run without the segmenter, to show what segmentation adds.
    public var endToEndWithoutLungsImagesPerSecond: Double?
    /// Grad-CAM of every model plus the refusal check's distance, per image (both part of the end-to-end figure).
    public var explanationMillisecondsPerImage: Double?
    /// Filled in by the program (process facts are the executable's business, not the library's).
    public var peakResidentMegabytes: Double
}

/// Times the backbone on synthetic input and the whole path (read, decode, preprocess, backbone, every
/// head, decision) on real image files. Figures are medians over repeated runs, after a warm-up run.
public struct Benchmark: Sendable {
    public let screener: Screener
    public let repetitions: Int

    public init(screener: Screener, repetitions: Int = 5) {
        self.screener = screener
        self.repetitions = max(1, repetitions)
    }

    /// Median milliseconds per image of `backbone` at batch 1 and at batch 16, on random `size` x `size` input.
    public func time(_ backbone: VGG16Backbone, size: Int) -> (batch1: Double, batch16: Double) {
        var generator = SystemRandomNumberGenerator()
        return time(backbone, input: (0..<(size * size * 3)).map { _ in Float.random(in: -120...150, using: &generator) }, size: size)
    }

    private func time(_ backbone: VGG16Backbone, input: [Float], size: Int) -> (batch1: Double, batch16: Double) {
        _ = backbone.features(input, height: size, width: size)
        let single = median((0..<repetitions).map { _ in
            seconds { _ = backbone.features(input, height: size, width: size) }
        })
        let batch = [[Float]](repeating: input, count: 16)
        let batched = median((0..<max(1, repetitions / 2)).map { _ in
            seconds { _ = backbone.features(batch: batch, height: size, width: size) }
        }) / 16
        return (1000 * single, 1000 * batched)
    }

    public func run(imageFiles: [String], limits: ImageLimits) throws(ImageDecodeError) -> BenchmarkReport {
        let size = screener.models[0].manifest.preprocessing.size
        var generator = SystemRandomNumberGenerator()
        let input = (0..<(size * size * 3)).map { _ in Float.random(in: -120...150, using: &generator) }

        let backbone = time(screener.backbone, input: input, size: size)

        // Decode every file once up front, so that a bad file fails before any timing.
        for path in imageFiles { _ = try ImageDecoder.decode(contentsOf: path, limits: limits) }
        func endToEnd(_ screener: Screener) -> Double {
            seconds {
                for start in stride(from: 0, to: imageFiles.count, by: 8) {
                    let images = imageFiles[start..<min(start + 8, imageFiles.count)]
                        .compactMap { try? ImageDecoder.decode(contentsOf: $0, limits: limits) }
                    _ = screener.screen(images)
                }
            }
        }
        var withLungs = endToEnd(screener), withoutLungs: Double?
        var lungMilliseconds: Double?
        if let segmenter = screener.segmenter {
            // Models that read the lungs cannot run without the segmenter: no comparison for them.
            if let plain = try? Screener(backbone: screener.backbone, models: screener.models, decision: screener.decision,
                                         backboneSHA256: screener.backboneSHA256) {
                // Interleaved, best of two each: the machine's drift hits both alike.
                withoutLungs = min(endToEnd(plain), endToEnd(plain))
                withLungs = min(withLungs, endToEnd(screener))
            }
            let taps = screener.backbone.features(batch: [input], height: size, width: size, output: .block4Pool,
                                                  taps: LungSegmenter.tappedBlocks)[0].taps
            lungMilliseconds = 1000 * median((0..<repetitions).map { _ in
                seconds { _ = segmenter.findings(taps: taps, imageWidth: 512, imageHeight: 512) }
            })
        }

        let blocks = screener.backbone.features(batch: [input], height: size, width: size, output: .block5Pool,
                                                taps: [VGG16Backbone.layerNames.count - 2])[0]
        let explanationMilliseconds = 1000 * median((0..<repetitions).map { _ in
            seconds {
                for model in screener.models where model.tunedBlock == nil { _ = GradCAM.heatmaps(of: model, headInput: blocks.output) }
                _ = screener.refusal?.distance(of: blocks.taps[0])
            }
        })

        return BenchmarkReport(
            kernel: BLASRuntime.kernelName, blasThreads: BLASRuntime.threadCount,
            backbonePrecision: screener.backbone.precision.rawValue,
            backboneMillisecondsBatch1: backbone.batch1,
            backboneMillisecondsPerImageBatch16: backbone.batch16,
            fp32BackboneMillisecondsBatch1: nil, fp32BackboneMillisecondsPerImageBatch16: nil,
            endToEndImages: imageFiles.count,
            endToEndImagesPerSecond: imageFiles.isEmpty ? 0 : Double(imageFiles.count) / withLungs,
            lungSegmenterMillisecondsPerImage: lungMilliseconds,
            endToEndWithoutLungsImagesPerSecond: withoutLungs.map { imageFiles.isEmpty ? 0 : Double(imageFiles.count) / $0 },
            explanationMillisecondsPerImage: explanationMilliseconds,
            peakResidentMegabytes: 0)
    }
}

private func seconds(_ work: () -> Void) -> Double {
    let start = ContinuousClock.now
    work()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
