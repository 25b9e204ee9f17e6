import ArgumentParser
import Foundation
import Training

/// `xraywatch train-refusal`: fits the check that makes images the models cannot judge INDETERMINATE.
struct TrainRefusal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-refusal",
        abstract: "Fit the refusal check (INDETERMINATE) on the training radiographs.",
        discussion: """
        Summarises the backbone's block4_pool maps of every training image (all classes, with processing-shift \
        draws: stored at 160-512 px, JPEG quality 50-95, gamma, rotation, contrast) as unit-length channel means, \
        keeps those of a patient-grouped 80 % as references and sets the refusal threshold at a quantile of the \
        held-out 20 %'s cosine distances to their nearest reference, times a margin. Images farther than that, or (unless \
        --keep-without-lungs) without a plausible pair of lungs, get INDETERMINATE. Writes OUT/NAME.json and \
        OUT/NAME.safetensors; measure with `evaluate` (coverage per source) and scripts/refusal-ood.sh.
        """)

    @OptionGroup var dataset: DatasetOptions
    @Option(help: "VGG16 backbone safetensors file.") var backbone = "models/vgg16_imagenet_notop.safetensors"
    @Option(help: "Lung segmenter manifest (its preprocessing is the check's; its lung figures decide with it).") var lungs = "models/lungs.json"
    @Option(name: .customLong("out"), help: "Output folder.") var outputFolder = "models"
    @Option(help: "Model name.") var name = "refusal"
    @Option(help: "Model version (default: today's date).") var modelVersion: String?
    @Option(help: "Versions per image, the original included.") var draws = 3
    @Option(help: "Quantile of the held-out distances the threshold starts from (0.99: about 1 % of unseen radiographs like the training ones refused).") var quantile = 0.99
    @Option(help: "Threshold = margin x that quantile.") var margin = 1.0
    @Flag(help: "Judge images without a plausible pair of lungs anyway (refuse only on feature distance).") var keepWithoutLungs = false
    @Option(help: "Seed for the split and the draws.") var seed: UInt64 = 42

    func validate() throws {
        if draws < 1 { throw ValidationError("--draws must be at least 1 (1 = the original images only)") }
        if !(quantile > 0.5 && quantile <= 1) { throw ValidationError("--quantile must be within (0.5, 1]") }
        if !(margin >= 1) { throw ValidationError("--margin must be at least 1") }
    }

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        do {
            let data = try dataset.source.load()
            var run = RefusalFittingRun(dataset: data, backbonePath: backbone, segmenterPath: lungs, outputFolder: outputFolder,
                                        name: name, version: modelVersion ?? TrainLungs.today,
                                        augmentation: AugmentationSettings(draws: draws, rotation: 10, contrast: 0.25, brightness: 0.1, scale: 0.1,
                                                                           gamma: 0.3, noise: 4, smallestSide: 160, jpegQuality: 50))
            run.quantile = quantile; run.margin = margin
            run.refuseWithoutLungs = !keepWithoutLungs; run.seed = seed
            run.commandLine = CommandLine.arguments.map(ShellText.quote).joined(separator: " ")
            run.cache = dataset.cacheFolder.map { FeatureCache(directory: URL(fileURLWithPath: $0)) }
            let outcome = try await run.run(log: log)
            for skipped in outcome.skipped { log("skipped \(skipped.path): \(skipped.reason)") }
        } catch {
            FileHandle.standardError.write(Data("xraywatch train-refusal: \(RuntimeFailure(error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
