import ArgumentParser
import Foundation
import Imaging
import Training

/// `xraywatch train-lungs`: trains the lung segmenter on image/mask pairs and writes a loadable model and report.
struct TrainLungs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-lungs",
        abstract: "Train the lung segmenter on radiographs with lung masks.",
        discussion: """
        Reads MASKS (a CSV with columns path,image,split; paths relative to --data), trains on the rows of split \
        train (a share of whole patients held out for choosing the epoch) and measures Dice on every split and the \
        lung figures of the other test/ images. Writes OUT/NAME.json, OUT/NAME.safetensors, OUT/NAME.report.json, \
        OUT/NAME.report.html and its contact sheets. A mask that is not its image's size or not binary stops the run \
        with its name.
        """)

    @Option(help: "Data root: images, INDEX.csv (path,label,source,patient) and the masks.") var data = "../shared/data"
    @Option(help: "Mask index CSV (default: DATA/lung_masks/INDEX.csv).") var masks: String?
    @Option(help: "VGG16 backbone safetensors file.") var backbone = "models/vgg16_imagenet_notop.safetensors"
    @Option(name: .customLong("out"), help: "Output folder.") var outputFolder = "models"
    @Option(help: "Model name.") var name = "lungs"
    @Option(help: "Model version (default: today's date).") var modelVersion: String?
    @Option(help: "Epochs.") var epochs = LungTrainingRecipe().epochs
    @Option(help: "Augmented versions per training image, the original included.") var draws = LungAugmentation().draws
    @Option(help: "Adam learning rate.") var learningRate = LungTrainingRecipe().learningRate
    @Option(help: "Mini-batch size.") var batchSize = LungTrainingRecipe().batchSize
    @Option(help: "Seed for the split, initialisation, shuffling and draws.") var seed: UInt64 = 42
    @Option(help: "Input size in pixels (a multiple of 32, at least 64): 224 shares the classifiers' backbone pass; smaller is cheaper when the classifiers read lung fields.")
    var size = 224
    @Flag(help: "Do not train: measure the existing OUT/NAME.json again and rewrite its report (without training curves).")
    var reportOnly = false

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if draws < 1 { throw ValidationError("--draws must be at least 1 (1 = no augmentation)") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if size < 64 || size % 32 != 0 { throw ValidationError("--size must be a multiple of 32 and at least 64") }
    }

    func run() async throws {
        var recipe = LungTrainingRecipe()
        recipe.epochs = epochs; recipe.augmentation.draws = draws; recipe.learningRate = learningRate
        recipe.batchSize = batchSize; recipe.seed = seed
        var run = LungTrainingRun(dataRoot: data, masksIndex: masks ?? URL(fileURLWithPath: data).appendingPathComponent("lung_masks/INDEX.csv").path,
                                  backbonePath: backbone, outputFolder: outputFolder, name: name,
                                  version: modelVersion ?? Self.today, recipe: recipe)
        run.preprocessing = Preprocessing(size: size)
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        do {
            if reportOnly {
                try run.evaluate(manifestPath: ModelWriter.Paths(folder: outputFolder, name: name).manifest, log: log)
            } else {
                try run.run(log: log)
            }
        } catch {
            FileHandle.standardError.write(Data("xraywatch train-lungs: \(RuntimeFailure(error))\n".utf8))
            throw ExitCode(1)
        }
    }

    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy.MM.dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
