import ArgumentParser
import Foundation
import Imaging
import Training

/// `xraywatch train`: trains a classifier head on labelled images and writes a loadable model plus reports.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier head on labelled images.",
        discussion: """
        Inputs: --data FOLDER (one sub-folder per class, folder name = label) and/or --manifest CSV \
        (columns path,label and optionally source,patient; paths relative to the CSV). Writes \
        OUT/NAME.json (manifest), OUT/NAME.safetensors, OUT/NAME.report.json and OUT/NAME.report.html. \
        Defaults are the tutorial's recipe (frozen VGG16, AvgPool-Flatten-Dense128-Dropout0.5-Dense head, \
        Adam 1e-4 with decay lr/epochs, 20 epochs, batch 16, 80/20 stratified split, rotation 15). \
        Backbone features are cached (--cache), so later runs on the same images only train the head. \
        --fine-tune adds a second stage that trains VGG16 block 5 and the head together at a small learning rate.
        """)

    @OptionGroup var dataset: DatasetOptions
    @Option(help: "The label whose probability the model reports (default: the first label).")
    var positive: String?
    @Option(help: "Model name, e.g. covid_normal.")
    var name: String = "model"
    @Option(help: "Model version (default: today's date).")
    var modelVersion: String?
    @Option(help: "One-line description for the manifest.")
    var modelDescription: String?
    @Option(name: .customLong("out"), help: "Output folder.")
    var outputFolder: String = "models"
    @Option(help: "VGG16 backbone safetensors file.")
    var backbone: String = "models/vgg16_imagenet_notop.safetensors"
    @Option(help: "Resize mode: area or cv2-linear.")
    var resize: String = ResizeMode.area.rawValue
    @Option(help: "Normalisation: caffe (what VGG16 expects) or unit (the tutorial's RGB/255).")
    var normalisation: String = Normalisation.caffe.rawValue
    @Option(help: "Input size in pixels (a multiple of 32, at least 64).")
    var size: Int = 224
    @Option(help: "Fraction of width and height cut from each side before resizing (0...0.25).")
    var border: Double = 0
    @Option(help: "Intensity normalisation after resizing: none, stretch, equalise, or lung-stretch (the lungs' 2nd-98th brightness percentiles mapped to 40-200; needs the lung segmenter, --lungs).")
    var intensity: String = IntensityNormalisation.none.rawValue

    @Option(help: "Average pooling size on the 7x7 backbone output before the dense layers (2 as the tutorial; 7 = global average).") var pool: Int = 2
    @Option(help: "Hidden dense units.") var hidden: Int = 128
    @Option(help: "Dropout rate.") var dropout: Double = 0.5
    @Option(help: "Adam learning rate.") var learningRate: Double = 1e-4
    @Option(help: "Keras legacy decay (default: learning rate / epochs).") var decay: Double?
    @Option(help: "Epochs.") var epochs: Int = 20
    @Option(help: "Mini-batch size.") var batchSize: Int = 16
    @Option(help: "Class weights: none or balanced.") var classWeight: String = "none"
    @Option(help: "Seed for the split, initialisation, shuffling, dropout and draws.") var seed: UInt64 = 42
    @Option(help: "Fraction of each class held out for validation.") var validationFraction: Double = 0.2
    @Option(help: "Leave-one-source-out: validate on every image of this source (manifest source column) instead of a random split.") var holdoutSource: String?
    @Option(help: "Decision threshold on P(positive) stored in the manifest.") var threshold: Double = 0.5
    @Option(help: "Smallest number of images a class may have.") var minimumPerClass: Int = 10
    @Flag(help: "After training the head, fine-tune VGG16 block 5 together with it (features are cached at block4_pool; the model stores its own block 5).")
    var fineTune = false
    @Option(help: "Epochs of the fine-tuning stage (the one with the lowest validation loss is kept).") var fineTuneEpochs: Int = FineTuneRecipe().epochs
    @Option(help: "Adam learning rate of the fine-tuning stage.") var fineTuneLearningRate: Double = FineTuneRecipe().learningRate
    @Flag(help: "Fit a softmax temperature on the validation set (calibrated probabilities; same decisions).") var calibrate = false

    @Option(help: "Augmented versions per training image, including the original (1 = none).") var augmentDraws: Int = 4
    @Option(help: "Random rotation range in degrees.") var rotation: Double = 15
    @Option(help: "Random contrast factor range, e.g. 0.2 for 0.8...1.2 (0 = off).") var contrast: Double = 0
    @Option(help: "Random brightness shift range as a fraction of full scale, e.g. 0.1 (0 = off).") var brightness: Double = 0
    @Option(help: "Random zoom range, e.g. 0.1 for 0.9...1.1 (0 = off).") var scale: Double = 0
    @Option(help: "Processing shift: random gamma within 1/(1+G)...1+G (0 = off).") var gamma: Double = 0
    @Option(help: "Processing shift: Gaussian noise up to this many pixel levels (0 = off).") var noise: Double = 0
    @Option(help: "Processing shift: store each draw with its long side at a random size from this to 512 px (0 = off).") var smallestSide: Int = 0
    @Option(help: "Processing shift: re-encode each draw as JPEG at a random quality from this to 95 (0 = off).") var jpegQuality: Int = 0

    @Option(help: "Look only at the lungs: crop to them and replace what lies outside the mask with their mean colour (mean), black (black), or crop only (keep).")
    var lungField: LungFieldInput.Surround?
    @Option(help: "Margin around the lungs' box, as a share of its size.") var lungMargin: Double = LungFieldInput().margin
    @Option(help: "The lung segmenter's manifest (for --lung-field and --intensity lung-stretch).") var lungs: String = "models/lungs.json"

    @Flag(help: "Overwrite an existing model of this name even if its labels differ.") var force = false

    func run() async throws {
        var options = TrainingOptions()
        options.source = dataset.source
        options.positiveLabel = positive
        options.name = name
        options.version = modelVersion
        options.description = modelDescription
        options.outputFolder = outputFolder
        options.backbonePath = backbone
        options.cacheFolder = dataset.cacheFolder
        guard let resizeMode = ResizeMode(rawValue: resize) else { throw ValidationError("--resize must be one of \(ResizeMode.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard let normalisationMode = Normalisation(rawValue: normalisation) else { throw ValidationError("--normalisation must be one of \(Normalisation.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard size >= 64, size % 32 == 0 else { throw ValidationError("--size must be a multiple of 32 and at least 64 (the backbone output is size/32 and the head pools it by 2)") }
        guard (0...0.25).contains(border) else { throw ValidationError("--border must be within 0...0.25") }
        guard let intensityMode = IntensityNormalisation(rawValue: intensity) else { throw ValidationError("--intensity must be one of \(IntensityNormalisation.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard (0...0.5).contains(lungMargin) else { throw ValidationError("--lung-margin must be within 0...0.5") }
        options.preprocessing = Preprocessing(resize: resizeMode, normalisation: normalisationMode, size: size, border: border, intensity: intensityMode,
                                              lungField: lungField.map { LungFieldInput(margin: lungMargin, surround: $0) })
        options.segmenterPath = options.preprocessing.readsLungs ? lungs : nil
        guard let weighting = HeadRecipe.ClassWeighting(rawValue: classWeight) else { throw ValidationError("--class-weight must be none or balanced") }
        options.recipe.pool = pool
        options.recipe.hidden = hidden
        options.recipe.dropout = dropout
        options.recipe.learningRate = learningRate
        options.recipe.decay = decay
        options.recipe.epochs = epochs
        options.recipe.batchSize = batchSize
        options.recipe.classWeighting = weighting
        options.recipe.seed = seed
        options.validationFraction = validationFraction
        options.holdoutSource = holdoutSource
        options.threshold = threshold
        options.minimumPerClass = minimumPerClass
        options.calibrate = calibrate
        if fineTune {
            var recipe = FineTuneRecipe()
            recipe.epochs = fineTuneEpochs
            recipe.learningRate = fineTuneLearningRate
            options.fineTune = recipe
        }
        options.augmentation = AugmentationSettings(draws: augmentDraws, rotation: rotation, contrast: contrast, brightness: brightness, scale: scale,
                                                    gamma: gamma, noise: noise, smallestSide: smallestSide, jpegQuality: jpegQuality)
        options.force = force
        options.commandLine = CommandLine.arguments.map(ShellText.quote).joined(separator: " ")

        let console = ProgressReporter(title: "training")
        let report: TrainingReport
        do {
            try options.augmentation.validate()
            report = try await TrainingRun(options: options).run(console: console, extractionProgress: ProgressReporter(title: "features"))
        } catch {
            throw RuntimeFailure(error)
        }
        let extraction = report.extraction
        var lines = ["model \(report.model.manifest) (labels \(report.labels.joined(separator: ",")), positive \(report.positiveLabel))"]
        lines.append("features: \(extraction.cacheHits) cached, \(extraction.computed + extraction.recomputed) computed"
                     + (extraction.imagesPerSecond.map { String(format: " at %.1f images/s", $0) } ?? ""))
        lines.append(String(format: report.fineTune == nil ? "head training: %.1f s" : "training (head, then block 5 with the head): %.1f s", report.headTrainingSeconds))
        if let validation = report.validation {
            lines.append("validation: accuracy \(HTML.number(validation.accuracy)), sensitivity \(HTML.number(validation.binary.sensitivity)), specificity \(HTML.number(validation.binary.specificity)), ROC AUC \(HTML.number(validation.binary.rocAUC)) (\(validation.count) images)")
        }
        if !report.skipped.isEmpty { lines.append("skipped \(report.skipped.count) undecodable files (listed in the report)") }
        lines.append("report \(report.model.reportHTML)")
        print(lines.joined(separator: "\n"))
    }
}


extension LungFieldInput.Surround: ExpressibleByArgument {}
