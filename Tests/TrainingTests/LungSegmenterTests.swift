import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport
@testable import Training

/// The lung decoder: the engine's forward pass against the trainer's, gradients against finite
/// differences, and a tiny segmenter learning synthetic shapes through the real backbone.
@Suite struct LungSegmenterTests {
    /// Random tapped maps for a deepest map of `side x side` (block4_pool, block3_pool, block2_pool shapes).
    static func randomInput(side: Int, seed: UInt64) -> LungDecoderNetwork.Input {
        let maps = zip(LungDecoder.tappedChannels, [side, 2 * side, 4 * side]).enumerated().map { index, shape in
            FineTuningTests.randomValues(shape.1 * shape.1 * shape.0, seed: seed + UInt64(index), in: 0...2)
        }
        return LungDecoderNetwork.Input(maps: maps, side: side)
    }

    static func smallDecoder(seed: UInt64) -> LungDecoderParameters {
        var parameters = LungDecoderParameters(widths: [8, 6, 4], seed: seed, initialLogitBias: 0.1)
        // Positive biases keep most ReLUs open, so every weight matters in the checks below.
        for index in parameters.convs.indices { parameters.convs[index].bias = parameters.convs[index].bias.map { _ in 0.05 } }
        return parameters
    }

    /// The engine reads the backbone's maps as they are; the trainer reads them divided by the tap scales,
    /// which the written weights fold back in.
    @Test func engineDecoderMatchesTheTrainersForwardPass() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var parameters = Self.smallDecoder(seed: 7)
        parameters.tapScales = [2, 0.5, 4]
        let file = folder.appendingPathComponent("lungs.safetensors").path
        try SafeTensorsFile.write(parameters.namedTensors, to: file)
        let decoder = try LungDecoder(weights: SafeTensorsFile(contentsOf: file))
        #expect(decoder.widths == [8, 6, 4])

        let input = Self.randomInput(side: 4, seed: 11)
        let taps = zip(input.maps, [4, 8, 16]).enumerated().map { index, pair in
            Tensor(shape: [pair.1, pair.1, LungDecoder.tappedChannels[index]], values: pair.0)
        }
        let engine = decoder.logits(taps: taps)
        var normalised = input
        for tap in 0..<3 { normalised.maps[tap] = input.maps[tap].map { $0 / parameters.tapScales[tap] } }
        let trainer = LungDecoderNetwork.forward(parameters, normalised).logits
        #expect(engine.shape == [16, 16])
        let reference = Tensor(shape: [16, 16], values: trainer)
        // Winograd (engine, from 128 input channels) against im2col (trainer): rounding differences only.
        #expect(engine.relativeError(to: reference) < 1e-4)
        #expect(Set(trainer.map { $0 > 0 }).count == 2, "the check needs logits of both signs")
    }

    @Test func gradientsMatchFiniteDifferences() {
        let parameters = Self.smallDecoder(seed: 3)
        let input = Self.randomInput(side: 2, seed: 5)
        let target = FineTuningTests.randomValues(8 * 8, seed: 9).map { $0 > 0.5 ? Float(1) : 0 }
        func loss(_ p: LungDecoderParameters) -> Double {
            SegmentationLoss.evaluate(logits: LungDecoderNetwork.forward(p, input).logits, target: target).loss
        }
        let activations = LungDecoderNetwork.forward(parameters, input)
        let (_, logitGradient) = SegmentationLoss.evaluate(logits: activations.logits, target: target)
        var gradients = parameters.zeros()
        LungDecoderNetwork.backward(parameters, input, activations: activations, logitGradient: logitGradient, into: &gradients)

        let flat = parameters.flat
        var random = SeededRandom(seed: 21)
        var checked = 0
        for array in flat.indices {
            for _ in 0..<6 {
                let index = random.index(below: flat[array].count)
                let step: Float = 1e-2
                var plus = flat, minus = flat
                plus[array][index] += step
                minus[array][index] -= step
                let numeric = (loss(parameters.with(flat: plus)) - loss(parameters.with(flat: minus))) / Double(2 * step)
                let analytic = Double(gradients[array][index])
                #expect(abs(numeric - analytic) <= 2e-3 + 0.05 * abs(numeric), "parameter array \(array) index \(index)")
                checked += 1
            }
        }
        #expect(checked == 6 * flat.count)
    }

    @Test func upsamplingBackwardIsTheAdjointOfUpsampling() {
        let small = FineTuningTests.randomValues(3 * 3 * 2, seed: 4)
        let large = FineTuningTests.randomValues(6 * 6 * 5, seed: 6)     // 2 upsampled channels + 3 skip channels
        let up = LungDecoder.concatenate(LungDecoder.upsampled(small, height: 3, width: 3, channels: 2),
                                         [Float](repeating: 0, count: 36 * 3), pixels: 36)
        let left = zip(up, large).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let back = LungDecoderNetwork.upsamplingBackward(large, side: 6, channels: 5, kept: 2)
        let right = zip(small, back).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) < 1e-4)
    }

    /// Bright ellipses ("lungs") on a dark, noisy background: the decoder, on the real frozen backbone, learns
    /// to find them in images it was not trained on.
    @Test(.timeLimit(.minutes(5))) func aTinySegmenterLearnsSyntheticShapes() throws {
        let backbone = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: Fixtures.backboneWeights))
        func example(_ seed: UInt64) -> LungExample {
            var random = SeededRandom(seed: seed)
            let size = 224
            let (cx1, cx2) = (random.uniform(50, 90), random.uniform(134, 174))
            let (cy, ry) = (random.uniform(90, 130), random.uniform(45, 70))
            let (rx1, rx2) = (random.uniform(22, 34), random.uniform(22, 34))
            var pixels = [UInt8](repeating: 0, count: size * size * 3), mask = [Bool](repeating: false, count: size * size)
            for y in 0..<size {
                for x in 0..<size {
                    let inside = [(cx1, rx1), (cx2, rx2)].contains { cx, rx in
                        pow((Double(x) - cx) / rx, 2) + pow((Double(y) - cy) / ry, 2) <= 1
                    }
                    let value = UInt8(clamping: Int((inside ? 170 : 60) + random.uniform(-25, 25)))
                    pixels.replaceSubrange((y * size + x) * 3..<((y * size + x) * 3 + 3), with: [value, value, value])
                    mask[y * size + x] = inside
                }
            }
            return LungExample(pair: LungMaskPair(image: "synthetic-\(seed)", mask: "", split: "train", patient: nil),
                               image: RGBImage(width: size, height: size, pixels: pixels), mask: BinaryMask(width: size, height: size, pixels: mask))
        }
        var recipe = LungTrainingRecipe()
        recipe.epochs = 12; recipe.widths = [16, 16, 8]; recipe.batchSize = 4; recipe.augmentation.draws = 1
        let trainer = LungSegmenterTrainer(recipe: recipe, backbone: backbone, preprocessing: Preprocessing())
        let training = trainer.samples((1...16).map { example($0) }, draws: 1)
        let heldOut = (101...104).map { example($0) }
        let validation = trainer.samples(heldOut, draws: 1).map { $0[0] }
        let result = LungSegmenterTrainer.train(recipe: recipe, training: training, validation: validation)
        #expect(result.history.last!.trainingLoss < result.history.first!.trainingLoss)

        // Through the engine, as the program runs it, at full resolution.
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = ModelWriter.Paths(folder: folder.path, name: "tiny")
        let sha = try FileDigest.sha256(ofFileAt: Fixtures.backboneWeights)
        try LungSegmenterWriter.write(result.parameters, name: "tiny", version: "test", preprocessing: Preprocessing(), backboneSHA256: sha,
                                      plausibility: LungPlausibility(minimumAreaFraction: 0.05, maximumAreaFraction: 0.6, minimumRightToLeft: 0.3, maximumRightToLeft: 3),
                                      training: [:], to: paths)
        let segmenter = try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: sha)
        let findings = segmenter.segment(heldOut.map(\.image), backbone: backbone)
        for (example, found) in zip(heldOut, findings) {
            #expect(found.fields.mask.dice(with: example.mask) > 0.85, "held-out synthetic image \(example.pair.image)")
            #expect(found.figures.components == 2)
            #expect(found.found, "\(found.problem ?? "")")
        }
    }
}

/// A segmenter's files are checked like a classifier's: its backbone, its weights' hash and its shapes.
@Suite struct LungSegmenterLoadingTests {
    func writeSegmenter(in folder: URL, widths: [Int] = [8, 6, 4], backboneSHA256: String = String(repeating: "ab", count: 32)) throws -> ModelWriter.Paths {
        let paths = ModelWriter.Paths(folder: folder.path, name: "lungs")
        try LungSegmenterWriter.write(LungDecoderParameters(widths: widths, seed: 1), name: "lungs", version: "test", preprocessing: Preprocessing(),
                                      backboneSHA256: backboneSHA256,
                                      plausibility: LungPlausibility(minimumAreaFraction: 0.1, maximumAreaFraction: 0.6, minimumRightToLeft: 0.5, maximumRightToLeft: 2),
                                      training: [:], to: paths)
        return paths
    }

    @Test func aWrittenSegmenterLoads() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try writeSegmenter(in: folder)
        let segmenter = try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: String(repeating: "ab", count: 32))
        #expect(segmenter.decoder.widths == [8, 6, 4])
    }

    @Test func anotherBackboneIsRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try writeSegmenter(in: folder)
        let error = #expect(throws: ModelLoadError.self) {
            try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: String(repeating: "cd", count: 32))
        }
        #expect(error?.file == paths.manifest)
        #expect(error?.reason.contains("trained on backbone abababababab") == true)
    }

    @Test func widthsThatDisagreeWithTheWeightsAreRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try writeSegmenter(in: folder)
        var manifest = try JSONDecoder().decode(LungSegmenterManifest.self, from: Data(contentsOf: URL(fileURLWithPath: paths.manifest)))
        manifest.decoderWidths = [8, 6, 5]
        try ModelWriter.writeJSON(manifest, to: paths.manifest)
        let error = #expect(throws: ModelLoadError.self) { try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: nil) }
        #expect(error?.reason.contains("decoderWidths is [8, 6, 5], but the weights have [8, 6, 4]") == true)
    }

    @Test func weightsOfTheWrongShapeAreRefusedNamingTheLayer() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try writeSegmenter(in: folder)
        // Replace the weights with a decoder whose first layer reads 256 channels instead of block4_pool's 512.
        var tensors = LungDecoderParameters(widths: [8, 6, 4], seed: 1).namedTensors
        tensors[0] = ("lungs_dec4.weight", Tensor(zeros: [8, 256, 3, 3]))
        try SafeTensorsFile.write(tensors, to: paths.weights)
        var manifest = try JSONDecoder().decode(LungSegmenterManifest.self, from: Data(contentsOf: URL(fileURLWithPath: paths.manifest)))
        manifest.weights.sha256 = try FileDigest.sha256(ofFileAt: paths.weights)
        try ModelWriter.writeJSON(manifest, to: paths.manifest)
        let error = #expect(throws: ModelLoadError.self) { try LungSegmenter.load(manifestAt: paths.manifest, backboneSHA256: nil) }
        #expect(error?.file == paths.weights)
        #expect(error?.reason.contains("lungs_dec4 has weight [8, 256, 3, 3]") == true)
    }

    @Test func aMaskOfAnotherSizeOrNotBinaryIsAnErrorNamingIt() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        func png(_ width: Int, _ height: Int, value: UInt8, _ name: String) throws {
            let image = RGBImage(width: width, height: height, pixels: [UInt8](repeating: value, count: width * height * 3))
            try Data(PNGEncoder.encode(image)).write(to: folder.appendingPathComponent(name))
        }
        try png(40, 30, value: 90, "a.png"); try png(40, 30, value: 255, "a-mask.png")
        try png(40, 30, value: 90, "b.png"); try png(30, 30, value: 255, "b-mask.png")
        try png(40, 30, value: 90, "c.png"); try png(40, 30, value: 37, "c-mask.png")
        try "path,image,split\na-mask.png,a.png,train\nb-mask.png,b.png,train\nc-mask.png,c.png,train\n"
            .write(to: folder.appendingPathComponent("masks.csv"), atomically: true, encoding: .utf8)
        let dataset = try LungMaskDataset(root: folder.path, masksIndex: folder.appendingPathComponent("masks.csv").path)
        #expect(try dataset.load(dataset.pairs[0]).mask.area == 1200)
        let wrongSize = #expect(throws: DatasetError.self) { try dataset.load(dataset.pairs[1]) }
        #expect(wrongSize?.file.hasSuffix("b-mask.png") == true)
        #expect(wrongSize?.reason.contains("mask is 30x30 but its image b.png is 40x30") == true)
        let notBinary = #expect(throws: DatasetError.self) { try dataset.load(dataset.pairs[2]) }
        #expect(notBinary?.reason.contains("not binary (holds the value 37") == true)
    }
}
