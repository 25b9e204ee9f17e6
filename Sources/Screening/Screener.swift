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
    /// Finds the lungs on the classifiers' own backbone pass; nil: no lung figures.
    public let segmenter: LungSegmenter?

    public init(backbone: VGG16Backbone, models: [ScreeningModel], decision: Decision, backboneSHA256: String,
                segmenter: LungSegmenter? = nil) throws(ModelLoadError) {
        precondition(!models.isEmpty, "a screener needs at least one model")
        if case .only(let name) = decision.policy, !models.contains(where: { $0.name == name }) {
            throw ModelLoadError(file: name, reason: "decision policy names model \"\(name)\", but the loaded models are \(models.map(\.name).joined(separator: ", ")); use both, either or one of those names")
        }
        if segmenter == nil, let reader = models.first(where: { $0.manifest.preprocessing.lungField != nil }) {
            throw ModelLoadError(file: reader.manifestPath, reason: "reads lung fields (preprocessing.lungField), which needs the lung segmenter; set \"lungs\" in the configuration")
        }
        self.backbone = backbone
        self.models = models
        self.decision = decision
        self.backboneSHA256 = backboneSHA256
        self.segmenter = segmenter
    }

    /// Per-model scores (in the configured model order) and the lungs, for a batch of decoded images.
    ///
    /// Whole-image models run first, and the segmenter reads their backbone pass when it shares their
    /// preprocessing; models that read lung fields run after the lungs are known (a second backbone pass on
    /// the cropped, masked images).
    public func analyse(_ images: [RGBImage]) -> [(scores: [ModelScore], lungs: LungFindings?)] {
        var scores = [[ModelScore]](repeating: [], count: images.count)
        var lungs = [LungFindings?](repeating: nil, count: images.count)
        var segmented = segmenter == nil
        let groups = Set(models.map(\.manifest.preprocessing)).sorted {
            ($0.lungField == nil ? 0 : 1, $0.identifier) < ($1.lungField == nil ? 0 : 1, $1.identifier)
        }
        for preprocessing in groups {
            if preprocessing.lungField != nil, !segmented, let segmenter {
                lungs = segmenter.segment(images, backbone: backbone)
                segmented = true
            }
            let group = ModelGroup(models: models.filter { $0.manifest.preprocessing == preprocessing }, sharedLastBlock: backbone.lastBlock)
            let inputs = images.indices.map { preprocessing.networkInput(for: images[$0], lungs: lungs[$0]?.fields.mask) }
            let segmentsHere = !segmented && segmenter?.manifest.preprocessing == preprocessing
            let outputs = backbone.features(batch: inputs, height: preprocessing.size, width: preprocessing.size, output: group.backboneOutput,
                                            taps: segmentsHere ? LungSegmenter.tappedBlocks : [])
            if segmentsHere, let segmenter {
                for (index, output) in outputs.enumerated() {
                    lungs[index] = segmenter.findings(taps: output.taps, imageWidth: images[index].width, imageHeight: images[index].height)
                }
                segmented = true
            }
            for (index, probabilities) in group.probabilities(outputs.map(\.output)).enumerated() {
                for model in group.models {
                    scores[index].append(ModelScore(model: model.name, probability: Double(probabilities[model.name]![model.positiveIndex])))
                }
            }
        }
        if !segmented, let segmenter { lungs = segmenter.segment(images, backbone: backbone) }
        // Keep the configured model order whatever order preprocessing groups ran in.
        let order = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1.name, $0) })
        return zip(scores, lungs).map { ($0.sorted { order[$0.model]! < order[$1.model]! }, $1) }
    }

    /// Per-model scores for a batch of decoded images, without the decision.
    public func scores(_ images: [RGBImage]) -> [[ModelScore]] {
        analyse(images).map(\.scores)
    }

    /// Verdicts for a batch of decoded images, with the lungs found where a segmenter is loaded.
    public func screen(_ images: [RGBImage]) -> [Verdict] {
        analyse(images).map { decision.decide($0.scores).with(lungs: $0.lungs) }
    }
}
