import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport
@testable import Training

/// The second training stage: gradients of a VGG block, the fine-tuner, and the written model.
@Suite struct FineTuningTests {
    /// A block of `channels.count - 1` conv layers with small random weights and positive biases.
    static func randomBlock(channels: [Int], seed: UInt64, names: [String]? = nil) -> ConvBlockParameters {
        var random = SeededRandom(seed: seed)
        let layers = (0..<(channels.count - 1)).map { index in
            let (inputs, outputs) = (channels[index], channels[index + 1])
            let limit = (6.0 / Double(9 * (inputs + outputs))).squareRoot()
            return ConvBlockParameters.Layer(
                name: names?[index] ?? "conv\(index + 1)", inputChannels: inputs, outputChannels: outputs,
                kernel: (0..<(9 * inputs * outputs)).map { _ in Float(random.uniform(-limit, limit)) },
                bias: (0..<outputs).map { _ in Float(random.uniform(0.02, 0.1)) })
        }
        return ConvBlockParameters(layers: layers)
    }

    static func randomValues(_ count: Int, seed: UInt64, in range: ClosedRange<Double> = 0...1) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float(random.uniform(range.lowerBound, range.upperBound)) }
    }

    @Test func kernelLayoutsConvertBothWays() {
        let oihw = Self.randomValues(9 * 3 * 5, seed: 1)
        let tapMajor = ConvKernelLayout.tapMajor(fromOIHW: oihw, inputChannels: 3, outputChannels: 5)
        #expect(tapMajor != oihw)
        // Output 2, input 1, tap (ky 1, kx 2) = 5.
        #expect(tapMajor[(5 * 3 + 1) * 5 + 2] == oihw[(2 * 3 + 1) * 9 + 5])
        #expect(ConvKernelLayout.oihw(fromTapMajor: tapMajor, inputChannels: 3, outputChannels: 5) == oihw)
    }

    @Test func averagePoolBackwardIsTheAdjointOfPooling() {
        let map = Self.randomValues(7 * 7 * 4, seed: 2)
        let gradient = Self.randomValues(3 * 3 * 4, seed: 3, in: -1...1)
        let pooled = FeaturePooling.averagePoolFlatten(Tensor(shape: [7, 7, 4], values: map), size: 2)
        let back = FeaturePooling.averagePoolFlattenBackward(gradient, height: 7, width: 7, channels: 4, size: 2)
        let left = zip(pooled, gradient).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let right = zip(map, back).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(left - right) < 1e-4)
        #expect(back[(6 * 7 + 6) * 4] == 0)   // the last row and column are outside every window
    }

    /// Loss = sum(pooled output * r): its gradient with respect to the pooled output is r.
    @Test func blockGradientsMatchFiniteDifferences() {
        let block = Self.randomBlock(channels: [3, 4, 5], seed: 4)
        let input = Self.randomValues(6 * 6 * 3, seed: 5)
        let r = Self.randomValues(3 * 3 * 5, seed: 6, in: -1...1)
        func loss(_ parameters: ConvBlockParameters) -> Double {
            let pooled = ConvBlockNetwork.forward(parameters, input: input, height: 6, width: 6).pooled
            return zip(pooled, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var gradients = block.zeros()
        ConvBlockNetwork.backward(block, input: input, activations: ConvBlockNetwork.forward(block, input: input, height: 6, width: 6),
                                  pooledGradient: r, into: &gradients)
        var flat = block.flat
        var checked = 0, worst = 0.0
        for array in flat.indices {
            for index in stride(from: array % 3, to: flat[array].count, by: 7) {
                let h: Float = 1e-3
                let original = flat[array][index]
                flat[array][index] = original + h
                let plus = loss(block.with(flat: flat))
                flat[array][index] = original - h
                let minus = loss(block.with(flat: flat))
                flat[array][index] = original
                let numeric = (plus - minus) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(gradients[array][index])) / max(1, abs(numeric)))
                checked += 1
            }
        }
        #expect(checked > 30)
        #expect(worst < 2e-2, "largest relative gradient error \(worst)")
        // Backward accumulates: a second call doubles the gradients.
        let once = gradients
        ConvBlockNetwork.backward(block, input: input, activations: ConvBlockNetwork.forward(block, input: input, height: 6, width: 6),
                                  pooledGradient: r, into: &gradients)
        #expect(abs(gradients[0][5] - 2 * once[0][5]) <= 1e-6 * max(1, abs(once[0][5])))
    }

    @Test func fineTuningLearnsASeparableProblemAndKeepsTheBestEpoch() {
        // Class 0 maps are bright in channel 0, class 1 maps in channel 1.
        func example(_ label: Int, seed: UInt64) -> Tensor {
            var values = Self.randomValues(4 * 4 * 3, seed: seed, in: 0...0.5)
            for pixel in 0..<16 { values[pixel * 3 + label] += 0.6 }
            return Tensor(shape: [4, 4, 3], values: values)
        }
        let examples = (0..<24).map { FineTuneExample(draws: [example($0 % 2, seed: UInt64($0) + 100)], label: $0 % 2) }
        let validation = (0..<8).map { (features: example($0 % 2, seed: UInt64($0) + 500), label: $0 % 2) }
        var recipe = HeadRecipe()
        recipe.hidden = 8
        recipe.batchSize = 4
        recipe.dropout = 0
        recipe.pool = 2
        var fineTune = FineTuneRecipe()
        fineTune.epochs = 15
        fineTune.learningRate = 3e-2
        let block = Self.randomBlock(channels: [3, 6], seed: 7)
        let head = HeadParameters(inputs: 6, hidden: 8, classes: 2, seed: 8)
        let tuner = BlockFineTuner(recipe: recipe, fineTune: fineTune)
        var epochs = 0
        let result = tuner.train(block: block, head: head, examples: examples, validation: validation, classWeights: [1, 1]) { event in
            if case .epoch = event { epochs += 1 }
        }
        #expect(epochs == 15 && result.history.count == 15)
        #expect(result.history.last!.loss < result.history.first!.loss / 2, "\(result.history.map(\.loss))")
        #expect(result.block != block, "the block's weights must be trained too")
        let losses = result.history.compactMap(\.validationLoss)
        #expect(result.bestEpoch >= 1, "training must beat the random starting block")
        #expect(losses[result.bestEpoch - 1] == losses.min())
        let predictions = HeadTrainer.predict(result.head, tuner.pooledFeatures(result.block, validation.map(\.features)))
        #expect(zip(predictions, validation).allSatisfy { $0[$1.label] > 0.5 })

        // Without validation images the last epoch is kept.
        let unvalidated = tuner.train(block: block, head: head, examples: examples, validation: [], classWeights: [1, 1])
        #expect(unvalidated.bestEpoch == 15 && unvalidated.history.allSatisfy { $0.validationLoss == nil })
        #expect(tuner.pooledFeatures(block, []).isEmpty)
    }

    /// What the trainer computes (unfolded products) and what the program runs (the engine's `ConvBlock`,
    /// Winograd from 128 channels) must agree on a full-size block 5 written by `ModelWriter`.
    @Test func aWrittenFineTunedModelScoresLikeTheTrainer() throws {
        let folder = try Fixtures.makeTemporaryDirectory("fine-tuned-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let block = Self.randomBlock(channels: [512, 512, 512, 512], seed: 9, names: VGG16Backbone.layerNames.last!)
        let head = HeadParameters(inputs: 4608, hidden: 16, classes: 2, seed: 10)
        let paths = ModelWriter.Paths(folder: folder.path, name: "tuned")
        let manifest = try ModelWriter.write(head, block: block, dropout: 0.5, name: "tuned", version: "test", description: "test",
                                             labels: ["covid", "normal"], positiveLabel: "covid", threshold: 0.5,
                                             preprocessing: Preprocessing(), backboneSHA256: "b", training: [:], to: paths)
        #expect(manifest.backbone.fineTunedLayers == VGG16Backbone.layerNames.last!)
        let model = try ScreeningModel.load(manifestAt: paths.manifest, backboneSHA256: "b")
        #expect(model.backboneOutput == .block4Pool)
        let maps = (0..<2).map { Tensor(shape: [14, 14, 512], values: Self.randomValues(14 * 14 * 512, seed: 11 + UInt64($0), in: 0...2)) }
        let tuner = BlockFineTuner(recipe: HeadRecipe(), fineTune: FineTuneRecipe())
        let expected = HeadTrainer.predict(head, tuner.pooledFeatures(block, maps))
        for (map, reference) in zip(maps, expected) {
            let probabilities = model.probabilities(features: map)
            #expect(abs(probabilities[0] - reference[0]) < 1e-4, "program \(probabilities), trainer \(reference)")
        }
    }
}
