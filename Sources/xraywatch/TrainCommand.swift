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
    @OptionGroup var preprocessing: PreprocessingOptions
    @OptionGroup var head: HeadRecipeOptions
    @Option(help: "Fraction of each class held out for validation.") var validationFraction: Double = 0.2
    @Option(help: "Leave-one-source-out: validate on every image of this source (manifest source column) instead of a random split.") var holdoutSource: String?
    @Option(help: "Decision threshold on P(positive) stored in the manifest.") var threshold: Double = 0.5
    @Option(help: "Smallest number of images a class may have.") var minimumPerClass: Int = 10
    @OptionGroup var fineTuning: FineTuneOptions
    @Flag(help: "Fit a softmax temperature on the validation set (calibrated probabilities; same decisions).") var calibrate = false
    @OptionGroup var augmentation: AugmentationOptions
    @Flag(help: "Overwrite an existing model of this name even if its labels differ.") var force = false

    /// The run these options describe; option values the library cannot even represent are usage errors here.
    func trainingOptions() throws -> TrainingOptions {
        var options = TrainingOptions()
        options.source = dataset.source
        options.cacheFolder = dataset.cacheFolder
        options.positiveLabel = positive
        options.name = name
        options.version = modelVersion
        options.description = modelDescription
        options.outputFolder = outputFolder
        options.backbonePath = backbone
        options.preprocessing = try preprocessing.preprocessing()
        options.segmenterPath = preprocessing.segmenterPath(for: options.preprocessing)
        options.recipe = try head.recipe()
        options.fineTune = fineTuning.recipe
        options.augmentation = augmentation.settings
        options.validationFraction = validationFraction
        options.holdoutSource = holdoutSource
        options.threshold = threshold
        options.minimumPerClass = minimumPerClass
        options.calibrate = calibrate
        options.force = force
        options.commandLine = CommandLine.arguments.map(ShellText.quote).joined(separator: " ")
        return options
    }

    func run() async throws {
        let options = try trainingOptions()
        let console = ProgressReporter(title: "training")
        let report: TrainingReport
        do {
            report = try await TrainingRun(options: options).run(console: console, extractionProgress: ProgressReporter(title: "features"))
        } catch {
            throw RuntimeFailure(error)
        }
        print(Self.summary(report))
    }

    /// What `train` prints when it is done.
    static func summary(_ report: TrainingReport) -> String {
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
        return lines.joined(separator: "\n")
    }
}

