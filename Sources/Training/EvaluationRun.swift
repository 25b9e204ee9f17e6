import Foundation
import Imaging
import NeuralEngine
import Screening

/// Everything `xraywatch evaluate` needs.
public struct EvaluationOptions: Sendable {
    public var source = DatasetSource()
    public var modelPaths: [String] = []
    public var backbonePath = "models/vgg16_imagenet_notop.safetensors"
    /// The lung segmenter's manifest, for models that read lung fields.
    public var segmenterPath: String? = "models/lungs.json"
    /// Also evaluate the decision over all models: `both`, `either` or a model name.
    public var policy: String?
    /// Per-model threshold overrides (default: each manifest's threshold).
    public var thresholds: [String: Double] = [:]
    public var cacheFolder: String? = ".xraywatch-cache"
    public var reportFolder = "evaluation"
    public var commandLine = ""
    /// Also run the shortcut probes (storage variants, lungs removed) through the screening path.
    public var probes = false
    /// The refusal check's manifest: also report how many images it refuses and the policy on the judged share.
    public var refusalPath: String?
    public var imageLimits = ImageLimits()
    public init() {}
}

/// How a model scores images of a label it was not trained on (e.g. covid_normal on pneumonia).
public struct CrossScore: Sendable, Codable, Equatable {
    public var label: String
    public var scores: ScoreSummary
    /// Fraction at or above the model's threshold, i.e. called positive.
    public var fractionPositive: Double
}

/// Results of one model, or of the decision policy.
public struct ModelEvaluation: Sendable, Codable {
    public var name: String
    public var labels: [String]
    public var positiveLabel: String
    public var thresholds: [String: Double]
    public var overall: ClassificationSummary
    public var bySource: [String: ClassificationSummary]
    public var crossScores: [CrossScore]
}

public struct EvaluationReport: Sendable, Codable {
    public var createdAt: String
    public var commandLine: String
    public var inputs: [String]
    public var imagesByLabel: [String: Int]
    public var skipped: [SkippedImage]
    public var models: [ModelEvaluation]
    /// The decision over all models, when `--policy` was given.
    public var policy: ModelEvaluation?
    /// What the policy's score is.
    public var policyScoreNote: String?
    public var extraction: ExtractionStatistics
    /// With `--probes`.
    public var probes: ProbeReport?
    /// With `--refusal`.
    public var refusal: RefusalReport?
}

/// `xraywatch evaluate`: scores labelled images with each model (one backbone pass, through the
/// feature cache) and optionally the decision policy over all of them.
public struct EvaluationRun: Sendable {
    public let options: EvaluationOptions
    public init(options: EvaluationOptions) { self.options = options }

    /// Throws `SettingError` for a bad setting, `DatasetError` for unusable images or models.
    public func run(progress: ProgressReporter? = nil, console: ProgressReporter? = nil) async throws -> EvaluationReport {
        try SettingError.check(!options.modelPaths.isEmpty, .models, "", "at least one model manifest")
        let dataset = try options.source.load()
        let cache = options.cacheFolder.map { FeatureCache(directory: URL(fileURLWithPath: $0)) }
        // The extractor hashes the backbone; models are checked against that hash.
        let probe = try FeatureExtractor(backbonePath: options.backbonePath, preprocessing: Preprocessing(), cache: cache)
        var models: [ScreeningModel] = []
        for path in options.modelPaths {
            do { models.append(try ScreeningModel.load(manifestAt: path, backboneSHA256: probe.backboneSHA256)) } catch {
                throw DatasetError(file: error.file, reason: error.reason)
            }
        }
        guard Set(models.map(\.name)).count == models.count else {
            throw DatasetError(file: options.modelPaths.joined(separator: ", "), reason: "model names must be unique")
        }
        var decision: Decision?
        if let policyText = options.policy {
            let policy = DecisionPolicy(policyText)
            if case .only(let name) = policy, !models.contains(where: { $0.name == name }) {
                throw SettingError(.policy, value: policyText, requirement: "both, either or a loaded model (\(models.map(\.name).joined(separator: ", ")))")
            }
            guard Set(models.map(\.manifest.positiveLabel)).count == 1 else {
                throw SettingError(.policy, value: policyText, requirement: "used with models of one positive label; these have \(models.map { "\($0.name): \($0.manifest.positiveLabel)" }.joined(separator: ", "))")
            }
            decision = Decision(policy: policy, thresholds: Dictionary(uniqueKeysWithValues: models.map { ($0.name, threshold(for: $0)) }))
        }

        // One backbone pass per distinct preprocessing; every model reads the same cached features.
        var probabilities = [[String: [Float]]?](repeating: [:], count: dataset.images.count)
        var skipped: [SkippedImage] = []
        var statistics = ExtractionStatistics()
        for preprocessing in Set(models.map(\.manifest.preprocessing)).sorted(by: { $0.identifier < $1.identifier }) {
            let members = models.filter { $0.manifest.preprocessing == preprocessing }
            let group = ModelGroup(models: members, sharedLastBlock: try probe.loadedBackbone().lastBlock)
            let extractor = try FeatureExtractor(backbonePath: options.backbonePath, preprocessing: preprocessing, cache: cache,
                                                 output: group.backboneOutput, segmenterPath: options.segmenterPath)
            // Each map is scored as it arrives, so memory stays flat however many images there are.
            let result = try await extractor.extract(dataset.images.map(\.path), augmentation: AugmentationSettings(draws: 1, rotation: 0),
                                                     draws: 1, progress: progress) { group.probabilities([$0])[0] }
            for (index, value) in result.features.enumerated() {
                if let value { probabilities[index]?.merge(value[0]) { a, _ in a } } else { probabilities[index] = nil }
            }
            skipped += result.skipped.filter { item in !skipped.contains(where: { $0.path == item.path }) }
            statistics = statistics + result.statistics
        }
        for image in skipped { console?.message("warning: skipping \(image.path): \(image.reason)") }
        let usable = zip(dataset.images, probabilities).compactMap { image, p in p.map { (image, $0) } }

        let evaluations = models.map { evaluate($0, usable, datasetLabels: dataset.labels) }
        let policyEvaluation = decision.map { evaluatePolicy($0, models: models, usable, labels: dataset.labels) }
        var probes: ProbeReport?
        if options.probes {
            let screener = try screeningPath(models: models, decision: decision, refusal: nil)
            probes = ShortcutProbes.run(screener: screener, images: usable.map(\.0), limits: options.imageLimits, progress: ProgressReporter(title: "probes"))
        }
        var refusal: RefusalReport?
        if let refusalPath = options.refusalPath {
            let screener = try screeningPath(models: models, decision: decision, refusal: refusalPath)
            refusal = RefusalEvaluation.run(screener: screener, images: usable.map(\.0), limits: options.imageLimits, progress: ProgressReporter(title: "refusal"))
        }
        return EvaluationReport(
            createdAt: ISO8601DateFormatter().string(from: Date()), commandLine: options.commandLine,
            inputs: options.source.inputs,
            imagesByLabel: Dictionary(grouping: dataset.images, by: \.label).mapValues(\.count),
            skipped: skipped, models: evaluations, policy: policyEvaluation,
            policyScoreNote: decision.map { Self.policyScoreNote($0.policy) }, extraction: statistics, probes: probes, refusal: refusal)
    }

    /// The screening path the watcher runs (segmenter, and the refusal check when given), for the probes and the
    /// refusal figures; without a policy the first model decides.
    private func screeningPath(models: [ScreeningModel], decision: Decision?, refusal: String?) throws(DatasetError) -> Screener {
        let segmenter = options.segmenterPath.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        do {
            return try Screener.load(backbonePath: options.backbonePath, modelPaths: options.modelPaths,
                                     decision: decision ?? Decision(policy: .only(models[0].name), thresholds: Dictionary(uniqueKeysWithValues: models.map { ($0.name, threshold(for: $0)) })),
                                     segmenterPath: segmenter, refusalPath: refusal)
        } catch { throw DatasetError(file: error.file, reason: error.reason) }
    }

    /// Writes `evaluation.json` and `evaluation.html` into the report folder.
    public func write(_ report: EvaluationReport) throws(WriteError) -> (json: String, html: String) {
        try ModelWriter.createFolder(options.reportFolder)
        let folder = URL(fileURLWithPath: options.reportFolder)
        let json = folder.appendingPathComponent("evaluation.json").path, html = folder.appendingPathComponent("evaluation.html").path
        try ModelWriter.writeJSON(report, to: json)
        try ModelWriter.writeText(EvaluationReportHTML.render(report), to: html)
        return (json, html)
    }

    private func threshold(for model: ScreeningModel) -> Double { options.thresholds[model.name] ?? model.manifest.threshold }

    /// One model on the images whose label it knows, plus cross scores on the others.
    func evaluate(_ model: ScreeningModel, _ images: [(LabelledImage, [String: [Float]])], datasetLabels: [String]) -> ModelEvaluation {
        let labels = model.manifest.labels, positive = model.manifest.positiveLabel, cut = threshold(for: model)
        var known: [ScoredImage] = []
        var foreign: [String: [Double]] = [:]
        for (image, probabilities) in images {
            let p = probabilities[model.name]!
            if labels.contains(image.label) {
                known.append(TrainingRun.scored(image, probabilities: p, labels: labels, positive: positive, threshold: cut))
            } else {
                foreign[image.label, default: []].append(Double(p[model.positiveIndex]))
            }
        }
        let crossScores = datasetLabels.compactMap { label -> CrossScore? in
            guard let scores = foreign[label], let summary = ScoreSummary(scores) else { return nil }
            return CrossScore(label: label, scores: summary, fractionPositive: Double(scores.count { $0 >= cut }) / Double(scores.count))
        }
        let (overall, bySource) = summaries(known) { ClassificationSummary($0, labels: labels, predictedLabels: labels, positiveLabel: positive) }
        return ModelEvaluation(name: model.name, labels: labels, positiveLabel: positive, thresholds: [model.name: cut],
                               overall: overall, bySource: bySource, crossScores: crossScores)
    }

    /// The decision over all models on every image: positive label versus everything else.
    func evaluatePolicy(_ decision: Decision, models: [ScreeningModel], _ images: [(LabelledImage, [String: [Float]])], labels: [String]) -> ModelEvaluation {
        let positive = models[0].manifest.positiveLabel
        let negative = "not \(positive)"
        let scored = images.map { image, probabilities in
            let scores = models.map { ModelScore(model: $0.name, probability: Double(probabilities[$0.name]![$0.positiveIndex])) }
            let verdict = decision.decide(scores)
            return ScoredImage(path: image.path, label: image.label, source: image.source, score: Self.policyScore(decision.policy, scores),
                               predicted: verdict.result == .positive ? positive : negative,
                               modelScores: Dictionary(uniqueKeysWithValues: scores.map { ($0.model, $0.probability) }))
        }
        let (overall, bySource) = summaries(scored) {
            ClassificationSummary($0, labels: labels, predictedLabels: [positive, negative], positiveLabel: positive, negativeLabel: negative)
        }
        return ModelEvaluation(name: "policy \(decision.policy)", labels: labels, positiveLabel: positive,
                               thresholds: decision.thresholds, overall: overall, bySource: bySource, crossScores: [])
    }

    /// A single score ranking images as the policy does (exact when all thresholds are equal).
    static func policyScore(_ policy: DecisionPolicy, _ scores: [ModelScore]) -> Double {
        switch policy {
        case .both: scores.map(\.probability).min()!
        case .either: scores.map(\.probability).max()!
        case .only(let name): scores.first { $0.model == name }!.probability
        }
    }

    static func policyScoreNote(_ policy: DecisionPolicy) -> String {
        switch policy {
        case .both: "score = the lowest model P(positive) (POSITIVE needs every model at or above its threshold)"
        case .either: "score = the highest model P(positive) (POSITIVE when any model is at or above its threshold)"
        case .only(let name): "score = \(name)'s P(positive)"
        }
    }

    private func summaries(_ images: [ScoredImage], _ make: ([ScoredImage]) -> ClassificationSummary) -> (ClassificationSummary, [String: ClassificationSummary]) {
        (make(images), ClassificationSummary.bySource(images, make))
    }
}
