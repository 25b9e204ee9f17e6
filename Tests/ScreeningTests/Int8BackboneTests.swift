import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport

/// The int8 backbone (oneDNN, blocks 3-4 in int8) against the fp32 reference.
@Suite(.enabled(if: BackbonePrecision.int8Supported, "skipped: this CPU has no AVX-512 VNNI or AVX-VNNI, so there is no int8 backbone"))
struct Int8BackboneTests {
    static let examples = ["IM-0199-0001.jpeg", "01E392EE-69F9-4E33-BFCE-E5C968654078.jpeg", "00001385_000.jpg"].map { Fixtures.packageRoot.appendingPathComponent("examples/\($0)").path }

    static func inputs(_ files: [String]) throws -> [[Float]] {
        try files.map { try Preprocessing().networkInput(for: ImageDecoder.decode(contentsOf: $0)) }
    }

    static func relativeError(_ reference: Tensor, _ other: Tensor) -> Double {
        var difference = 0.0, size = 0.0
        for (a, b) in zip(reference.values, other.values) { difference += Double((a - b) * (a - b)); size += Double(a * a) }
        return (difference / size).squareRoot()
    }

    /// Every map the program reads (block5_pool for the heads, block2-4_pool for the lungs) close to fp32's.
    @Test func mapsFollowTheFP32Backbone() throws {
        let weights = try SafeTensorsFile(contentsOf: Fixtures.backboneWeights)
        let fp32 = try VGG16Backbone(weights: weights), int8 = try VGG16Backbone(weights: weights, precision: .int8)
        #expect(int8.precision == .int8 && int8.engineDescription.hasPrefix("int8 on oneDNN"))
        let inputs = try Self.inputs(Self.examples.filter { FileManager.default.fileExists(atPath: $0) })
        try #require(!inputs.isEmpty, "examples/ has the bundled images")
        let reference = fp32.features(batch: inputs, output: .block5Pool, taps: [1, 2, 3])
        let quantized = int8.features(batch: inputs, output: .block5Pool, taps: [1, 2, 3])
        for (expected, got) in zip(reference, quantized) {
            #expect(got.output.shape == expected.output.shape)
            // Block 2 runs in fp32 on both engines; blocks 3-5 carry the int8 error (about 1-3 % measured).
            #expect(Self.relativeError(expected.taps[0], got.taps[0]) < 1e-4)
            for (map, tap) in zip([expected.taps[1], expected.taps[2], expected.output], [got.taps[1], got.taps[2], got.output]) {
                let error = Self.relativeError(map, tap)
                #expect(error > 0 && error < 0.05, "relative error \(error) of a \(map.shape) map")
            }
        }
    }

    /// A batch and each image alone give the same maps, after plans for other shapes and outputs were built in
    /// between: each image gets its own activation scales, and a cached plan does not leak between shapes.
    @Test func batchingAndPlansDoNotChangeTheMaps() throws {
        let int8 = try VGG16Backbone(weights: SafeTensorsFile(contentsOf: Fixtures.backboneWeights), precision: .int8)
        var random = SystemRandomNumberGenerator()
        let inputs = (0..<3).map { _ in (0..<(224 * 224 * 3)).map { _ in Float.random(in: -120...150, using: &random) } }
        let together = int8.features(batch: inputs, height: 224, width: 224)
        _ = int8.features(batch: [inputs[0]], height: 224, width: 224, output: .block4Pool, taps: [1])
        _ = int8.features(batch: [Array(inputs[0].prefix(64 * 64 * 3))], height: 64, width: 64)
        for (index, input) in inputs.enumerated() {
            let alone = int8.features(input, height: 224, width: 224)
            #expect(Self.relativeError(together[index], alone) < 1e-5)
        }
    }

    /// The accuracy bar on every test image through the whole screening path (both models, the lungs,
    /// the refusal check): verdicts agree on >= 99.5 %, mean |delta P| <= 0.005 and max <= 0.05 per model.
    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))
    func verdictsAndProbabilitiesMatchFP32OnTheTestImages() throws {
        let models = Fixtures.packageRoot.appendingPathComponent("models")
        func screener(_ precision: BackbonePrecisionChoice) throws -> Screener {
            try Screener.load(backbonePath: Fixtures.backboneWeights,
                              modelPaths: ["covid_normal.json", "covid_pneumo.json"].map { models.appendingPathComponent($0).path },
                              decision: Decision(policy: .both), segmenterPath: models.appendingPathComponent("lungs.json").path,
                              refusalPath: models.appendingPathComponent("refusal.json").path, precision: precision)
        }
        let fp32 = try screener(.fp32), int8 = try screener(.int8)
        #expect(int8.backbone.precision == .int8 && fp32.backbone.precision == .fp32)
        let folder = Fixtures.sharedFile("data/test")
        let files = try ["covid", "normal", "pneumonia"].flatMap { label in
            try FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(label)").sorted().map { "\(folder)/\(label)/\($0)" }
        }
        var agreeing = 0, deltas: [String: [Double]] = [:]
        for start in stride(from: 0, to: files.count, by: 16) {
            let images = try files[start..<min(start + 16, files.count)].map { try ImageDecoder.decode(contentsOf: $0) }
            for (reference, quantized) in zip(fp32.screen(images), int8.screen(images)) {
                if reference.result == quantized.result { agreeing += 1 }
                for (a, b) in zip(reference.scores, quantized.scores) { deltas[a.model, default: []].append(abs(a.probability - b.probability)) }
            }
        }
        #expect(files.count == 498)
        #expect(Double(agreeing) / Double(files.count) >= 0.995, "verdicts agree on \(agreeing) of \(files.count)")
        for (model, values) in deltas {
            let mean = values.reduce(0, +) / Double(values.count)
            #expect(mean <= 0.005, "\(model): mean |delta P| \(mean)")
            #expect(values.max()! <= 0.05, "\(model): max |delta P| \(values.max()!)")
        }
    }
}
