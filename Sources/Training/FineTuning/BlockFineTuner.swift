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
        let keepScale = Float(1 / (1 - recipe.dropout))
        var history: [EpochRecord] = []
        var best: (loss: Double, epoch: Int, values: [[Float]])?
        if !validation.isEmpty { best = (validationFigures(values, headCount: headCount, head: headShapes, block: blockShapes, validation).loss, 0, values) }

        for epoch in 1...fineTune.epochs {
            var random = SeededRandom(seed: recipe.seed, stream: 0xF17E_0000 + UInt64(epoch))
            var order = Array(examples.indices)
            random.shuffle(&order)
            let draws = order.map { random.index(below: examples[$0].draws.count) }
            let batches = (order.count + recipe.batchSize - 1) / recipe.batchSize
            var lossSum = 0.0, correct = 0
            for batch in 0..<batches {
                let positions = Array((batch * recipe.batchSize)..<min((batch + 1) * recipe.batchSize, order.count))
                let inputs = positions.map { examples[order[$0]].draws[draws[$0]] }
                let labels = positions.map { examples[order[$0]].label }
                let mask: [Float]? = recipe.dropout > 0
                    ? (0..<(labels.count * recipe.hidden)).map { _ in random.unitDouble() < recipe.dropout ? 0 : keepScale }
                    : nil
                let currentHead = headShapes.with(flat: Array(values[..<headCount]))
                let currentBlock = blockShapes.with(flat: Array(values[headCount...]))
                let step = batchStep(block: currentBlock, head: currentHead, inputs: inputs, labels: labels, mask: mask,
                                     weights: labels.map { classWeights[$0] })
                optimizer.step(&values, gradients: step.gradients)
                lossSum += step.loss * Double(labels.count)
                correct += step.correct
                onEvent(.batch(epoch: epoch, batch: batch + 1, batches: batches))
            }
            var record = EpochRecord(epoch: epoch, loss: lossSum / Double(order.count), accuracy: Double(correct) / Double(order.count),
                                     learningRate: optimizer.currentLearningRate)
            if !validation.isEmpty {
                let (loss, accuracy) = validationFigures(values, headCount: headCount, head: headShapes, block: blockShapes, validation)
                record.validationLoss = loss
                record.validationAccuracy = accuracy
                if best == nil || loss < best!.loss { best = (loss, epoch, values) }
            }
            history.append(record)
            onEvent(.epoch(record))
        }
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
        Parallel.map(inputs.count, workers: VGG16Backbone.workerCount) { index in
            let input = inputs[index]
            let output = ConvBlockNetwork.forward(block, input: input.values, height: input.shape[0], width: input.shape[1])
            return pooledVector(output)
        }
    }

    /// Loss, correct count and gradients (head then block, in optimiser order) of one mini-batch.
    private func batchStep(block: ConvBlockParameters, head: HeadParameters, inputs: [Tensor], labels: [Int],
                           mask: [Float]?, weights: [Float]) -> (loss: Double, correct: Int, gradients: [[Float]]) {
        let activations = Parallel.map(inputs.count, workers: VGG16Backbone.workerCount) { index in
            ConvBlockNetwork.forward(block, input: inputs[index].values, height: inputs[index].shape[0], width: inputs[index].shape[1])
        }
        let result = HeadNetwork.lossAndGradients(head, inputs: activations.flatMap(pooledVector), labels: labels,
                                                  keepMask: mask, weights: weights, withInputGradient: true)
        let inputGradient = result.inputGradient!
        let workers = VGG16Backbone.workerCount
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
