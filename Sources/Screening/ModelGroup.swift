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
        let needsSharedBlock = backboneOutput == .block4Pool && models.contains { $0.backboneOutput == .block5Pool }
        let frozen = needsSharedBlock ? sharedLastBlock.forward(batch: features) : features
        var result = [[String: [Float]]](repeating: [:], count: features.count)
        for model in models {
            let own = model.tunedBlock.map { $0.forward(batch: features) } ?? frozen
            for (index, map) in own.enumerated() { result[index][model.name] = model.head.forward(map).values }
        }
        return result
    }
}
