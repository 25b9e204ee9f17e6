import Foundation
import Imaging
import NeuralEngine

/// How the lung segmenter is trained.
public struct LungTrainingRecipe: Sendable, Codable, Equatable {
    public var epochs = 30
    public var batchSize = 8
    public var learningRate = 1e-3
    /// Share of the training masks (whole patients) held out to choose the epoch.
    public var validationFraction = 0.15
    public var seed: UInt64 = 42
    /// Output channels of the decoder's three 3x3 layers, deepest first.
    public var widths = [64, 64, 32]
    public var augmentation = LungAugmentation()

    public init() {}
}

/// One training sample: the tapped backbone maps of one (augmented) image and its mask at the decoder's
/// output size, as the share of lung in each output pixel (area-averaged, so edges are soft).
public struct LungSample: Sendable {
    public var input: LungDecoderNetwork.Input
    public var target: [Float]
}

/// Figures of one epoch.
public struct LungEpochRecord: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainingLoss: Double
    public var validationLoss: Double
    /// Mean Dice of thresholded maps at the decoder's output size.
    public var validationDice: Double
}

/// Trains the lung decoder on a frozen VGG16 encoder: each training image's maps are extracted once per
/// augmentation draw, then every epoch uses one draw per image (mini-batch Adam, one share of each batch per core).
public struct LungSegmenterTrainer: Sendable {
    public let recipe: LungTrainingRecipe
    public let backbone: VGG16Backbone
    public let preprocessing: Preprocessing

    public init(recipe: LungTrainingRecipe, backbone: VGG16Backbone, preprocessing: Preprocessing) {
        self.recipe = recipe; self.backbone = backbone; self.preprocessing = preprocessing
    }

    /// Samples of every example, `draws` per example (draw 0 = the original), in batches through the backbone.
    public func samples(_ examples: [LungExample], draws: Int, progress: ProgressReporter? = nil) -> [[LungSample]] {
        let jobs = examples.indices.flatMap { example in (0..<draws).map { (example, $0) } }
        var result = examples.map { _ in [LungSample]() }
        let size = preprocessing.size, side = size / LungDecoder.outputStride
        for chunk in jobs.chunked(16) {
            let prepared = Parallel.map(chunk.count, workers: VGG16Backbone.defaultWorkerCount) { index in
                let (example, draw) = chunk[index]
                let (image, mask) = recipe.augmentation.apply(to: examples[example].image, mask: examples[example].mask,
                                                              key: examples[example].pair.image, draw: draw)
                let target = mask.asImage().resized(width: side, height: side, mode: .area).pixels
                return (preprocessing.networkInput(for: image), stride(from: 0, to: target.count, by: 3).map { Float(target[$0]) / 255 })
            }
            let outputs = backbone.features(batch: prepared.map(\.0), height: size, width: size, output: .block4Pool, taps: LungDecoder.tappedBlocks)
            for (index, output) in outputs.enumerated() {
                result[chunk[index].0].append(LungSample(input: .init(taps: output.taps), target: prepared[index].1))
            }
            progress?.advance(by: chunk.count)
        }
        return result
    }

    /// Root mean square of each tapped map over (at most 32 of) the samples: what the trainer divides them by.
    public static func tapScales(_ samples: [LungSample]) -> [Float] {
        (0..<3).map { tap in
            let values = samples.prefix(32).flatMap { $0.input.maps[tap] }
            return max(1e-6, (values.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(1, values.count))).squareRoot())
        }
    }

    /// Divides every sample's tapped maps by `scales`, in place.
    public static func normalise(_ samples: inout [LungSample], by scales: [Float]) {
        for index in samples.indices {
            for tap in 0..<3 { samples[index].input.maps[tap].withUnsafeMutableBufferPointer { map in for i in map.indices { map[i] /= scales[tap] } } }
        }
    }

    /// Trains from a seeded initialisation on samples already extracted (`training[i]` holds image i's draws),
    /// after dividing every tapped map by its scale over the training samples; keeps the epoch with the
    /// highest validation Dice.
    public static func train(recipe: LungTrainingRecipe, training: consuming [[LungSample]], validation: consuming [LungSample],
                             log: (String) -> Void = { _ in }) -> (parameters: LungDecoderParameters, history: [LungEpochRecord], bestEpoch: Int) {
        let scales = tapScales(training.map { $0[0] })
        for index in training.indices { normalise(&training[index], by: scales) }
        normalise(&validation, by: scales)
        var parameters = LungDecoderParameters(widths: recipe.widths, seed: recipe.seed, tapScales: scales)
        // Keras' legacy decay, so that the last epoch steps at a quarter of the first's rate.
        let steps = max(1, recipe.epochs * ((training.count + recipe.batchSize - 1) / recipe.batchSize))
        var optimiser = AdamOptimizer(learningRate: recipe.learningRate, decay: 3 / Double(steps))
        var random = SeededRandom(seed: recipe.seed, stream: 0x1A46_7000)
        var history: [LungEpochRecord] = []
        var best = (parameters, epoch: 0, dice: -1.0)
        for epoch in 1...max(1, recipe.epochs) {
            var order = Array(training.indices)
            random.shuffle(&order)
            let picks = order.map { training[$0][random.index(below: training[$0].count)] }
            var lossSum = 0.0
            for start in stride(from: 0, to: picks.count, by: recipe.batchSize) {
                let batch = Array(picks[start..<min(start + recipe.batchSize, picks.count)])
                let (gradients, loss) = Self.gradients(parameters, batch)
                lossSum += loss
                var flat = parameters.flat
                optimiser.step(&flat, gradients: gradients.map { $0.map { $0 / Float(batch.count) } })
                parameters = parameters.with(flat: flat)
            }
            let (validationLoss, dice) = Self.validate(parameters, validation)
            history.append(LungEpochRecord(epoch: epoch, trainingLoss: lossSum / Double(picks.count), validationLoss: validationLoss, validationDice: dice))
            log(String(format: "epoch %d/%d  loss %.4f  validation loss %.4f  Dice %.4f", epoch, recipe.epochs, lossSum / Double(picks.count), validationLoss, dice))
            if dice > best.dice || validation.isEmpty { best = (parameters, epoch, dice) }
        }
        return (best.0, history, best.epoch)
    }

    /// Summed gradients and loss of a batch, one share per core.
    static func gradients(_ parameters: LungDecoderParameters, _ batch: [LungSample]) -> ([[Float]], Double) {
        let workers = min(VGG16Backbone.defaultWorkerCount, batch.count)
        let shares = Parallel.map(workers, workers: workers) { worker in
            var gradients = parameters.zeros()
            var loss = 0.0
            for sample in stride(from: worker, to: batch.count, by: workers).map({ batch[$0] }) {
                let activations = LungDecoderNetwork.forward(parameters, sample.input)
                let (sampleLoss, logitGradient) = SegmentationLoss.evaluate(logits: activations.logits, target: sample.target)
                loss += sampleLoss
                LungDecoderNetwork.backward(parameters, sample.input, activations: activations, logitGradient: logitGradient, into: &gradients)
            }
            return (gradients, loss)
        }
        var total = shares[0].0
        for share in shares.dropFirst() {
            for index in total.indices { for i in total[index].indices { total[index][i] += share.0[index][i] } }
        }
        return (total, shares.reduce(0) { $0 + $1.1 })
    }

    /// Mean loss and mean Dice (maps at 0.5 against targets at 0.5) over validation samples.
    static func validate(_ parameters: LungDecoderParameters, _ samples: [LungSample]) -> (loss: Double, dice: Double) {
        guard !samples.isEmpty else { return (.nan, .nan) }
        let figures = Parallel.map(samples.count, workers: VGG16Backbone.defaultWorkerCount) { index in
            let logits = LungDecoderNetwork.forward(parameters, samples[index].input).logits
            let side = Int(Double(logits.count).squareRoot())
            let predicted = BinaryMask(width: side, height: side, pixels: logits.map { $0 >= 0 })
            let truth = BinaryMask(probabilities: samples[index].target, width: side, height: side)
            return (SegmentationLoss.evaluate(logits: logits, target: samples[index].target).loss, predicted.dice(with: truth))
        }
        let count = Double(samples.count)
        return (figures.reduce(0) { $0 + $1.0 } / count, figures.reduce(0) { $0 + $1.1 } / count)
    }
}
