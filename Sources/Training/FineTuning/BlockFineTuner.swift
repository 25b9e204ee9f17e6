import Foundation
import NeuralEngine

/// One training image for fine-tuning: its `block4_pool` maps, one per augmentation draw (draw 0 = the original).
public struct FineTuneExample: Sendable {
    public var draws: [Tensor]
    public var label: Int
    public init(draws: [Tensor], label: Int) { precondition(!draws.isEmpty); self.draws = draws; self.label = label }
}

/// The result of fine-tuning: the block and head of the best epoch, and every epoch's figures.
public struct FineTunedModel: Sendable {
    public var block: ConvBlockParameters
    public var head: HeadParameters
    public var history: [EpochRecord]
    /// The epoch kept: the one with the lowest validation loss, 0 when none beat the starting weights (the
    /// last epoch without validation images).
    public var bestEpoch: Int
}

/// Trains a VGG block and the head on top of it together, by mini-batch Adam, starting from given weights
/// (block 5's ImageNet weights and a head already trained on the frozen backbone). The head's pooling,
/// dropout, class weights, batch size and seed come from the head recipe; randomness derives from the seed.
public struct BlockFineTuner: Sendable {
    public let recipe: HeadRecipe
    public let fineTune: FineTuneRecipe

    public init(recipe: HeadRecipe, fineTune: FineTuneRecipe) {
        self.recipe = recipe; self.fineTune = fineTune
    }

    /// Average pool size between the block and the head's first dense layer.
    private var pool: Int { recipe.pool }

    public func train(block: ConvBlockParameters, head: HeadParameters, examples: [FineTuneExample],
                      validation: [(features: Tensor, label: Int)], classWeights: [Float],
                      onEvent: (TrainingEvent) -> Void = { _ in }) -> FineTunedModel {
        precondition(!examples.isEmpty, "no training examples")
        let headShapes = head, blockShapes = block
        var values = head.flat + block.flat
        let headCount = head.flat.count
        var optimizer = AdamOptimizer(learningRate: fineTune.learningRate, decay: fineTune.learningRate / Double(fineTune.epochs),
                                      beta1: recipe.beta1, beta2: recipe.beta2, epsilon: recipe.epsilon)
        var best: (loss: Double, epoch: Int, values: [[Float]])?
        if !validation.isEmpty { best = (validationFigures(values, headCount: headCount, head: headShapes, block: blockShapes, validation).loss, 0, values) }

        let loop = EpochLoop(epochs: fineTune.epochs, batchSize: recipe.batchSize, dropout: recipe.dropout, hidden: recipe.hidden,
                             seed: recipe.seed, streamBase: 0xF17E_0000)
        let history = loop.run(drawCounts: examples.map(\.draws.count), step: { batch in
            let inputs = zip(batch.examples, batch.draws).map { examples[$0].draws[$1] }
            let labels = batch.examples.map { examples[$0].label }
            let currentHead = headShapes.with(flat: Array(values[..<headCount]))
            let currentBlock = blockShapes.with(flat: Array(values[headCount...]))
            let step = batchStep(block: currentBlock, head: currentHead, inputs: inputs, labels: labels, mask: batch.keepMask,
                                 weights: labels.map { classWeights[$0] })
            optimizer.step(&values, gradients: step.gradients)
            return (step.loss, step.correct)
        }, endEpoch: { epoch in
            guard !validation.isEmpty else { return EpochLoop.EpochEnd(learningRate: optimizer.currentLearningRate) }
            let figures = validationFigures(values, headCount: headCount, head: headShapes, block: blockShapes, validation)
            if best == nil || figures.loss < best!.loss { best = (figures.loss, epoch, values) }
            return EpochLoop.EpochEnd(learningRate: optimizer.currentLearningRate, validation: figures)
        }, onEvent: onEvent)
        let kept = best?.values ?? values
        return FineTunedModel(block: blockShapes.with(flat: Array(kept[headCount...])), head: headShapes.with(flat: Array(kept[..<headCount])),
                              history: history, bestEpoch: best?.epoch ?? fineTune.epochs)
    }

    /// Unweighted validation loss and accuracy of the parameters in optimiser order (head, then block).
    private func validationFigures(_ values: [[Float]], headCount: Int, head: HeadParameters, block: ConvBlockParameters,
                                   _ validation: [(features: Tensor, label: Int)]) -> (loss: Double, accuracy: Double) {
        let pooled = pooledFeatures(block.with(flat: Array(values[headCount...])), validation.map(\.features))
        return HeadTrainer.evaluate(head.with(flat: Array(values[..<headCount])),
                                    zip(pooled, validation).map { ValidationExample(features: $0, label: $1.label) })
    }

    /// The head's input vectors for `inputs`: the block, then average pooling and flattening; one image per core.
    public func pooledFeatures(_ block: ConvBlockParameters, _ inputs: [Tensor]) -> [[Float]] {
        Parallel.map(inputs.count, workers: VGG16Backbone.defaultWorkerCount) { index in
            let input = inputs[index]
            let output = ConvBlockNetwork.forward(block, input: input.values, height: input.shape[0], width: input.shape[1])
            return pooledVector(output)
        }
    }

    /// Loss, correct count and gradients (head then block, in optimiser order) of one mini-batch.
    private func batchStep(block: ConvBlockParameters, head: HeadParameters, inputs: [Tensor], labels: [Int],
                           mask: [Float]?, weights: [Float]) -> (loss: Double, correct: Int, gradients: [[Float]]) {
        let activations = Parallel.map(inputs.count, workers: VGG16Backbone.defaultWorkerCount) { index in
            ConvBlockNetwork.forward(block, input: inputs[index].values, height: inputs[index].shape[0], width: inputs[index].shape[1])
        }
        let result = HeadNetwork.lossAndGradients(head, inputs: activations.flatMap(pooledVector), labels: labels,
                                                  keepMask: mask, weights: weights, withInputGradient: true)
        let inputGradient = result.inputGradient!
        let workers = VGG16Backbone.defaultWorkerCount
        // Each worker sums the gradients of its own images; the sums are added at the end.
        let partial = Parallel.map(workers, workers: workers) { worker -> [[Float]] in
            var sums = block.zeros()
            for index in stride(from: worker, to: inputs.count, by: workers) {
                let output = activations[index]
                let (outHeight, outWidth) = (output.height / 2, output.width / 2)
                let rowGradient = Array(inputGradient[(index * head.inputs)..<((index + 1) * head.inputs)])
                let pooledGradient = FeaturePooling.averagePoolFlattenBackward(rowGradient, height: outHeight, width: outWidth,
                                                                               channels: block.outputChannels, size: pool)
                ConvBlockNetwork.backward(block, input: inputs[index].values, activations: output, pooledGradient: pooledGradient, into: &sums)
            }
            return sums
        }
        var blockGradients = partial[0]
        for other in partial.dropFirst() {
            for array in blockGradients.indices {
                for i in blockGradients[array].indices { blockGradients[array][i] += other[array][i] }
            }
        }
        return (result.loss, result.correct, result.gradients.flat + blockGradients)
    }

    private func pooledVector(_ activations: ConvBlockNetwork.Activations) -> [Float] {
        let shape = [activations.height / 2, activations.width / 2, activations.pooled.count / (activations.height / 2 * (activations.width / 2))]
        return FeaturePooling.averagePoolFlatten(Tensor(shape: shape, values: activations.pooled), size: pool)
    }

}
