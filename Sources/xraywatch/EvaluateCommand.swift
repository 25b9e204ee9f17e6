import ArgumentParser
import Foundation
import Training
import Watcher

/// `xraywatch evaluate`: metrics of one or more models, and optionally of the decision policy, on labelled images.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a model or the decision policy on labelled images.",
        discussion: """
        Scores every image once through the backbone (using the feature cache) with every --model, and with \
        --policy also the decision over all models (positive label versus every other label). Prints a table; \
        writes REPORT/evaluation.json and REPORT/evaluation.html with confusion matrices, sensitivity, \
        specificity, precision, F1, ROC AUC, score distributions, misclassified files, per-source results \
        (manifest `source` column) and how each model scores labels it was not trained on.
        """)

    @OptionGroup var dataset: DatasetOptions
    @Option(name: .customLong("model"), help: "Model manifest (repeatable).")
    var models: [String] = []
    @Option(name: .customLong("models"), help: "Model manifests, comma-separated.")
    var modelList: String?
    @Option(help: "Watcher configuration: evaluates its models, backbone, policy and thresholds (without --model: the one `classify` would use).")
    var config: String?
    @Option(help: "VGG16 backbone safetensors file (default: the configuration's, else models/vgg16_imagenet_notop.safetensors).")
    var backbone: String?
    @Option(help: "Also evaluate the decision over all models: both, either or a model name (default: the configuration's).")
    var policy: String?
    @Option(name: .customLong("threshold"), help: "Threshold override as NAME=VALUE (repeatable; default: each manifest's).")
    var thresholds: [String] = []
    @Option(help: "The lung segmenter's manifest, for models that read lung fields (default: the configuration's, else models/lungs.json).")
    var lungs: String?
    @Flag(help: "Also run the shortcut probes: the images stored at 224 px as RGB JPEG q75 and upscaled to 1024 px (verdict agreement, mean |delta P|), and whole-image models with the lungs removed (ROC AUC).")
    var probes = false
    @Option(help: "Also measure the refusal check (this manifest; default: the configuration's refusal key): the share of images judged and the policy on that share, per source.")
    var refusal: String?
    @Option(help: "Folder for evaluation.json and evaluation.html.")
    var report: String = "evaluation"

    func run() async throws {
        var options = EvaluationOptions()
        options.source = dataset.source
        options.modelPaths = models + (modelList.map { $0.split(separator: ",").map(String.init) } ?? [])
        options.backbonePath = backbone ?? "models/vgg16_imagenet_notop.safetensors"
        options.policy = policy
        options.segmenterPath = lungs ?? "models/lungs.json"
        if config != nil || options.modelPaths.isEmpty {
            // --config, or without any --model the configuration found as `classify` finds it.
            let configuration = try ConfigurationLoader.load(file: config, overrides: ConfigurationOverrides(policy: policy))
            options.modelPaths += configuration.modelPaths
            options.backbonePath = backbone ?? configuration.backbonePath
            options.segmenterPath = lungs ?? configuration.lungsPath ?? options.segmenterPath
            options.policy = configuration.decision.policy.description
            options.refusalPath = configuration.refusalPath
            options.thresholds = configuration.decision.thresholds
        } else if let found = try? ConfigurationLoader.load(file: nil) {
            // Models named on the command line: the backbone and segmenter default to the bundled ones.
            options.backbonePath = backbone ?? found.backbonePath
            options.segmenterPath = lungs ?? found.lungsPath ?? options.segmenterPath
        }
        for item in thresholds {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1]), value >= 0, value <= 1 else {
                throw ValidationError("--threshold \(item): expected NAME=VALUE with VALUE in 0...1, e.g. covid_normal=0.6")
            }
            options.thresholds[String(parts[0])] = value
        }
        options.cacheFolder = dataset.cacheFolder
        options.reportFolder = report
        options.probes = probes
        if let refusal { options.refusalPath = refusal }
        options.commandLine = CommandLine.arguments.map(ShellText.quote).joined(separator: " ")
        let run = EvaluationRun(options: options)
        do {
            let result = try await run.run(progress: ProgressReporter(title: "features"), console: ProgressReporter(title: "evaluate"))
            let files = try run.write(result)
            print(EvaluationTable.text(result))
            if !result.skipped.isEmpty { print("skipped \(result.skipped.count) undecodable files (listed in the report)") }
            print("report \(files.html)")
        } catch {
            throw RuntimeFailure(error)
        }
    }
}
