import Imaging
import NeuralEngine

/// Runs the shared backbone once per image (once per distinct preprocessing) and every model's
/// head (and fine-tuned block 5, if it has one) on its features, then applies the decision.
public final class Screener: Sendable {
    public let backbone: VGG16Backbone
    public let models: [ScreeningModel]
    public let decision: Decision
    /// SHA-256 of the backbone weights file, for logs and provenance.
    public let backboneSHA256: String

    public init(backbone: VGG16Backbone, models: [ScreeningModel], decision: Decision, backboneSHA256: String) throws(ModelLoadError) {
        precondition(!models.isEmpty, "a screener needs at least one model")
        if case .only(let name) = decision.policy, !models.contains(where: { $0.name == name }) {
            throw ModelLoadError(file: name, reason: "decision policy names model \"\(name)\", but the loaded models are \(models.map(\.name).joined(separator: ", ")); use both, either or one of those names")
        }
        self.backbone = backbone
        self.models = models
        self.decision = decision
        self.backboneSHA256 = backboneSHA256
    }

    /// Per-model scores for a batch of decoded images, without the decision.
    public func scores(_ images: [RGBImage]) -> [[ModelScore]] {
        var result = [[ModelScore]](repeating: [], count: images.count)
        for preprocessing in Set(models.map(\.manifest.preprocessing)).sorted(by: { $0.identifier < $1.identifier }) {
            let group = ModelGroup(models: models.filter { $0.manifest.preprocessing == preprocessing }, sharedLastBlock: backbone.lastBlock)
            let inputs = images.map { preprocessing.networkInput(for: $0) }
            let features = backbone.features(batch: inputs, height: preprocessing.size, width: preprocessing.size, output: group.backboneOutput)
            for (index, probabilities) in group.probabilities(features).enumerated() {
                for model in group.models {
                    result[index].append(ModelScore(model: model.name, probability: Double(probabilities[model.name]![model.positiveIndex])))
                }
            }
        }
        // Keep the configured model order whatever order preprocessing groups ran in.
        let order = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        return result.map { $0.sorted { order[$0.model]! < order[$1.model]! } }
    }

    /// Verdicts for a batch of decoded images.
    public func screen(_ images: [RGBImage]) -> [Verdict] {
        scores(images).map(decision.decide)
    }
}
