import NeuralEngine

/// Models that share one preprocessing, and what they need from the backbone: `block5_pool` when all are
/// frozen-backbone models, `block4_pool` when any brings its own fine-tuned block 5 (the frozen ones then get
/// `block5_pool` from the shared block 5). The backbone's first four blocks run once per image either way.
public struct ModelGroup: Sendable {
    public let models: [ScreeningModel]
    /// The shared backbone's block 5, for frozen-backbone models in a group that stops at `block4_pool`.
    public let sharedLastBlock: ConvBlock

    public init(models: [ScreeningModel], sharedLastBlock: ConvBlock) {
        precondition(!models.isEmpty, "a group needs at least one model")
        self.models = models; self.sharedLastBlock = sharedLastBlock
    }

    /// Where the shared backbone stops for this group.
    public var backboneOutput: VGG16Backbone.Output {
        models.contains { $0.backboneOutput == .block4Pool } ? .block4Pool : .block5Pool
    }

    /// Class probabilities of every model (by name) for each map of `backboneOutput`; one image per core.
    public func probabilities(_ features: [Tensor]) -> [[String: [Float]]] {
        headInputs(features).map { $0.mapValues { $0.model.head.forward($0.map).values } }
    }

    /// One model's output and Grad-CAM heatmap for one image.
    public struct Explained: Sendable {
        public var probabilities: [Float]
        public var heatmaps: ModelHeatmaps
    }

    /// Class probabilities and the Grad-CAM heatmap of every model (by name) for each map of `backboneOutput`.
    public func explained(_ features: [Tensor]) -> [[String: Explained]] {
        headInputs(features).map {
            $0.mapValues { Explained(probabilities: $0.model.head.forward($0.map).values, heatmaps: GradCAM.heatmaps(of: $0.model, headInput: $0.map)) }
        }
    }

    /// What each model's head reads, per image: the shared block 5's output, or the model's own block 5's.
    private func headInputs(_ features: [Tensor]) -> [[String: (model: ScreeningModel, map: Tensor)]] {
        let needsSharedBlock = backboneOutput == .block4Pool && models.contains { $0.backboneOutput == .block5Pool }
        let frozen = needsSharedBlock ? sharedLastBlock.forward(batch: features) : features
        var result = [[String: (model: ScreeningModel, map: Tensor)]](repeating: [:], count: features.count)
        for model in models {
            let own = model.tunedBlock.map { $0.forward(batch: features) } ?? frozen
            for (index, map) in own.enumerated() { result[index][model.name] = (model, map) }
        }
        return result
    }
}
