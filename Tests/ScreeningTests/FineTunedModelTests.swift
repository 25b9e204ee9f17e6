import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport

/// Models that bring their own block 5: the shared backbone stops at block4_pool for them.
struct FineTunedModelTests {
    /// Block 5 of the shipped VGG16 weights, as a model's extra tensors.
    static func imageNetBlock5() throws -> [(name: String, tensor: Tensor)] {
        let weights = try SafeTensorsFile(contentsOf: Fixtures.backboneWeights)
        return try VGG16Backbone.layerNames.last!.flatMap { name in
            [("\(name).weight", try weights.tensor("\(name).weight")), ("\(name).bias", try weights.tensor("\(name).bias"))]
        }
    }

    /// A model whose "fine-tuned" block 5 is the ImageNet block 5 must score exactly like the same head on the
    /// frozen backbone, whichever order the models come in: this checks the routing of block4_pool and block5_pool.
    @Test func aModelWithTheImageNetBlock5ScoresLikeTheFrozenModel() throws {
        let folder = try Fixtures.makeTemporaryDirectory("fine-tuned")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = ModelLoadingTests()
        let backboneSHA256 = try FileDigest.sha256(ofFileAt: Fixtures.backboneWeights)
        let frozen = try writer.writeModel(in: folder, name: "frozen") { $0.backbone.sha256 = backboneSHA256 }
        let tuned = try writer.writeModel(in: folder, name: "tuned", extraTensors: try Self.imageNetBlock5()) {
            $0.backbone = BackboneReference(sha256: backboneSHA256, fineTunedLayers: VGG16Backbone.layerNames.last!)
        }
        let screener = try Screener.load(backbonePath: Fixtures.backboneWeights, modelPaths: [tuned, frozen],
                                         decision: Decision(policy: .both, thresholds: [:]))
        #expect(screener.models.map(\.backboneOutput) == [.block4Pool, .block5Pool])
        var random = SystemRandomNumberGenerator()
        let image = RGBImage(width: 300, height: 260, pixels: (0..<(300 * 260 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let scores = screener.scores([image])[0]
        #expect(scores.map(\.model) == ["tuned", "frozen"])
        #expect(abs(scores[0].probability - scores[1].probability) < 1e-5, "\(scores)")

        let alone = try Screener.load(backbonePath: Fixtures.backboneWeights, modelPaths: [frozen], decision: Decision(policy: .both, thresholds: [:]))
        #expect(abs(alone.scores([image])[0][0].probability - scores[1].probability) < 1e-5)
    }

    @Test func onlyTheWholeLastBlockCanBeReplaced() throws {
        let folder = try Fixtures.makeTemporaryDirectory("fine-tuned-wrong")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = ModelLoadingTests()
        let partial = try writer.writeModel(in: folder, name: "partial") {
            $0.backbone = BackboneReference(sha256: "b", fineTunedLayers: ["block5_conv3"])
        }
        let error = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: partial, backboneSHA256: "b") }
        #expect(error?.reason.contains("only the whole last block") == true)

        let missing = try writer.writeModel(in: folder, name: "missing") {
            $0.backbone = BackboneReference(sha256: "b", fineTunedLayers: VGG16Backbone.layerNames.last!)
        }
        let missingError = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: missing, backboneSHA256: "b") }
        #expect(missingError?.file.hasSuffix("missing.safetensors") == true)
        #expect(missingError?.reason.contains("block5_conv1") == true, "\(missingError?.reason ?? "")")
    }
}
