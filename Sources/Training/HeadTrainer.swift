import Foundation

/// One training image: its pooled feature vectors, one per augmentation draw (draw 0 = the original).
public struct TrainingExample: Sendable {
    public var draws: [[Float]]
    public var label: Int
    public init(draws: [[Float]], label: Int) { precondition(!draws.isEmpty); self.draws = draws; self.label = label }
}

/// One validation image: its pooled feature vector (original image) and label.
public struct ValidationExample: Sendable {
    public var features: [Float]
    public var label: Int
    public init(features: [Float], label: Int) { self.features = features; self.label = label }
}

/// Loss and accuracy after one epoch, as Keras prints them.
public struct EpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (training mode: dropout on, class weights applied).
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Learning rate at the end of the epoch (after decay).
    public var learningRate: Double
}

/// What a trainer reports while it runs.
public enum TrainingEvent: Sendable {
    case batch(epoch: Int, batch: Int, batches: Int)
    case epoch(EpochRecord)
}

/// The result of training: final parameters and the per-epoch history.
public struct TrainedHead: Sendable {
    public var parameters: HeadParameters
    public var history: [EpochRecord]
    /// Per-class loss weights used (all 1 without class weighting).
    public var classWeights: [Double]
}

/// Trains the tutorial head on pooled features with mini-batch Adam. Everything random (initialisation,
/// shuffling, dropout masks, which augmentation draw each example uses) derives from `recipe.seed`.
public struct HeadTrainer: Sendable {
    public let recipe: HeadRecipe
    public let classes: Int

    public init(recipe: HeadRecipe, classes: Int) {
        precondition(classes >= 2)
        self.recipe = recipe; self.classes = classes
    }

    /// Per-class loss weights for `labels` under the recipe's weighting.
    public func classWeights(for labels: [Int]) -> [Double] {
        switch recipe.classWeighting {
        case .none: return [Double](repeating: 1, count: classes)
        case .balanced:
            let counts = (0..<classes).map { c in labels.count { $0 == c } }
            return counts.map { $0 == 0 ? 0 : Double(labels.count) / Double(classes * $0) }
        }
    }

    public func train(_ examples: [TrainingExample], validation: [ValidationExample] = [],
                      onEvent: (TrainingEvent) -> Void = { _ in }) -> TrainedHead {
        precondition(!examples.isEmpty, "no training examples")
        let inputs = examples[0].draws[0].count
        let shapes = HeadParameters(inputs: inputs, hidden: recipe.hidden, classes: classes, seed: recipe.seed)
        // Held as plain arrays so the optimiser updates them in place (no copy-on-write per step).
        var values = shapes.flat
        var optimizer = AdamOptimizer(learningRate: recipe.learningRate, decay: recipe.effectiveDecay,
                                      beta1: recipe.beta1, beta2: recipe.beta2, epsilon: recipe.epsilon)
        let weights = classWeights(for: examples.map(\.label)).map(Float.init)
        var batchInputs: [Float] = []
        batchInputs.reserveCapacity(recipe.batchSize * inputs)
        var loop = EpochLoop(epochs: recipe.epochs, batchSize: recipe.batchSize, dropout: recipe.dropout, hidden: recipe.hidden, seed: recipe.seed)
        loop.withPartners = recipe.consistency > 0
        let history = loop.run(drawCounts: examples.map(\.draws.count), step: { batch in
            batchInputs.removeAll(keepingCapacity: true)
            for (example, draw) in zip(batch.examples, batch.draws) { batchInputs.append(contentsOf: examples[example].draws[draw]) }
            // With a consistency loss, each image's partner draw follows, under the same dropout mask.
            for (example, draw) in zip(batch.examples, batch.partners ?? []) { batchInputs.append(contentsOf: examples[example].draws[draw]) }
            let labels = batch.examples.map { examples[$0].label }
            let result = HeadNetwork.lossAndGradients(shapes.with(flat: values), inputs: batchInputs, labels: labels,
                                                      keepMask: batch.partners == nil ? batch.keepMask : batch.keepMask.map { $0 + $0 },
                                                      weights: labels.map { weights[$0] },
                                                      consistency: batch.partners == nil ? nil : Float(recipe.consistency))
            optimizer.step(&values, gradients: result.gradients.flat)
            return (result.loss, result.correct)
        }, endEpoch: { _ in
            EpochLoop.EpochEnd(learningRate: optimizer.currentLearningRate,
                               validation: validation.isEmpty ? nil : Self.evaluate(shapes.with(flat: values), validation))
        }, onEvent: onEvent)
        return TrainedHead(parameters: shapes.with(flat: values), history: history, classWeights: weights.map(Double.init))
    }

    /// Unweighted mean loss and accuracy in inference mode.
    public static func evaluate(_ parameters: HeadParameters, _ examples: [ValidationExample]) -> (loss: Double, accuracy: Double) {
        let probabilities = predict(parameters, examples.map(\.features))
        var loss = 0.0, correct = 0
        for (row, example) in examples.enumerated() {
            let p = probabilities[row]
            loss -= log(max(Double(p[example.label]), 1e-7))
            if p.indices.max(by: { p[$0] < p[$1] }) == example.label { correct += 1 }
        }
        return (loss / Double(examples.count), Double(correct) / Double(examples.count))
    }

    /// Class probabilities per feature vector, inference mode, in chunks to bound memory.
    public static func predict(_ parameters: HeadParameters, _ features: [[Float]]) -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(features.count)
        for start in stride(from: 0, to: features.count, by: 256) {
            let chunk = features[start..<min(start + 256, features.count)]
            let flat = HeadNetwork.probabilities(parameters, inputs: chunk.flatMap { $0 }, rows: chunk.count)
            for row in 0..<chunk.count {
                result.append(Array(flat[(row * parameters.classes)..<((row + 1) * parameters.classes)]))
            }
        }
        return result
    }
}
