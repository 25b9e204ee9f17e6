import ArgumentParser
import Foundation
import NeuralEngine
import Screening

/// `xraywatch bench`: backbone milliseconds per image at batch 1 and 16, end-to-end images/s, peak RSS.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure backbone speed, end-to-end throughput and peak memory.",
        discussion: "Prints figures to compare across runs; `make bench` also runs the TensorFlow and ONNX Runtime anchors in the same session and prints ratios.")

    @OptionGroup var engine: EngineOptions

    @Option(help: "Timed repetitions of the backbone (median reported).")
    var repetitions = 5

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    @Argument(help: "Image files or folders for the end-to-end figure (default: examples/).")
    var images: [String] = ["examples"]

    func run() async throws {
        let (configuration, screener) = try engine.load()
        let files = InputFiles.expand(images).files
        var report = try Benchmark(screener: screener, repetitions: repetitions)
            .run(imageFiles: files, limits: configuration.imageLimits)
        // The peak before a second backbone is loaded: with an int8 backbone, the fp32 one is timed too.
        report.peakResidentMegabytes = Self.peakResidentMegabytes()
        if screener.backbone.precision != .fp32 {
            let fp32 = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: configuration.backbonePath), precision: .fp32)
            let times = Benchmark(screener: screener, repetitions: repetitions).time(fp32, size: screener.models[0].manifest.preprocessing.size)
            (report.fp32BackboneMillisecondsBatch1, report.fp32BackboneMillisecondsPerImageBatch16) = (times.batch1, times.batch16)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("""
                BLAS                         \(BLASRuntime.kernelDescription)
                backbone                     \(screener.backbone.engineDescription)
                backbone, batch 1            \(String(format: "%.1f", report.backboneMillisecondsBatch1)) ms/image
                backbone, batch 16           \(String(format: "%.1f", report.backboneMillisecondsPerImageBatch16)) ms/image
                """)
            if let single = report.fp32BackboneMillisecondsBatch1, let batched = report.fp32BackboneMillisecondsPerImageBatch16 {
                print("""
                    fp32 backbone, batch 1       \(String(format: "%.1f", single)) ms/image
                    fp32 backbone, batch 16      \(String(format: "%.1f", batched)) ms/image
                    """)
            }
            print("""
                end to end (\(report.endToEndImages) files)       \(String(format: "%.2f", report.endToEndImagesPerSecond)) images/s (read, decode, preprocess, backbone, \(screener.models.count) heads\(screener.segmenter == nil ? "" : ", lungs"))
                """)
            if let lungs = report.lungSegmenterMillisecondsPerImage, let without = report.endToEndWithoutLungsImagesPerSecond {
                print("""
                    lung decoder + clean-up      \(String(format: "%.1f", lungs)) ms/image
                    end to end without lungs     \(String(format: "%.2f", without)) images/s; segmentation adds \(String(format: "%.1f", 100 * (without / report.endToEndImagesPerSecond - 1))) % per image
                    """)
            }
            if let explanation = report.explanationMillisecondsPerImage, report.endToEndImagesPerSecond > 0 {
                let perImage = 1000 / report.endToEndImagesPerSecond
                print("Grad-CAM + refusal check     \(String(format: "%.2f", explanation)) ms/image, \(String(format: "%.1f", 100 * explanation / (perImage - explanation))) % of the rest of the per-image cost")
            }
            print("peak RSS                     \(String(format: "%.0f", report.peakResidentMegabytes)) MB")
        }
    }

    /// VmHWM from /proc/self/status: the most memory this process has held resident.
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
        return kilobytes / 1024
    }
}
