import Foundation
import NeuralEngine
import Testing
import TestSupport

/// Parity with ONNX Runtime and Keras on the golden reference data in ../shared/golden.
@Suite(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))
struct BackboneParityTests {
    let golden: SafeTensorsFile
    init() throws { golden = try SafeTensorsFile(contentsOf: Fixtures.sharedFile("golden/golden.safetensors")) }

    @Test("block5_pool matches ONNX Runtime within 1e-4 relative error", arguments: 0..<3)
    func backboneMatchesOnnxRuntime(image: Int) throws {
        let backbone = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: Fixtures.backboneWeights))
        let input = try golden.tensor("img\(image).caffe_input")
        let reference = try golden.tensor("img\(image).block5_pool")
        let features = backbone.features(input.values)
        #expect(features.shape == [7, 7, 512])
        let error = features.relativeError(to: reference)
        print("block5_pool relative error against ONNX Runtime, image \(image): \(error)")
        #expect(error < 1e-4, "relative error \(error)")
    }

    /// 1 worker: one after the other; 2: a pair and an odd last image split between both; 3 and 5: side by
    /// side, and more workers than images.
    @Test("a batch gives the same features as single images, in order, whatever the worker count", arguments: [1, 2, 3, 5])
    func batchEqualsSingles(workers: Int) throws {
        let backbone = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: Fixtures.backboneWeights), workers: workers)
        #expect(backbone.workers == workers)
        let inputs = try (0..<3).map { try golden.tensor("img\($0).caffe_input").values }
        let batch = backbone.features(batch: inputs)
        #expect(batch.count == 3)
        for (index, input) in inputs.enumerated() {
            let single = backbone.features(input)
            #expect(batch[index].relativeError(to: single) < 1e-6, "image \(index)")
        }
    }

    @Test("the tutorial head matches Keras within 1e-5", arguments: 0..<3)
    func headMatchesKeras(image: Int) throws {
        let head = Head(layers: [
            .averagePool(size: 2), .flatten,
            .dense(weight: try golden.tensor("head.dense.weight"), bias: try golden.tensor("head.dense.bias")),
            .relu, .dropout(rate: 0.5),
            .dense(weight: try golden.tensor("head.dense_1.weight"), bias: try golden.tensor("head.dense_1.bias")),
            .softmax,
        ])
        let probabilities = head.forward(try golden.tensor("img\(image).block5_pool"))
        let reference = try golden.tensor("img\(image).head_probs")
        #expect(probabilities.shape == [2])
        for (ours, theirs) in zip(probabilities.values, reference.values) {
            #expect(abs(ours - theirs) < 1e-5, "ours \(probabilities.values), Keras \(reference.values)")
        }
    }
}
