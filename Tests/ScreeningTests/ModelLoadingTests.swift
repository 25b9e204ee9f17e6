import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport

/// Loading a model manifest: every way it can be wrong is a clear error naming the file.
struct ModelLoadingTests {
    /// Writes a small valid model (tutorial head, hidden 4 units, 2 classes) and returns the manifest path.
    /// `extraTensors` go into the weights file too (a fine-tuned block 5); `name` names both files.
    func writeModel(in folder: URL, name: String = "m", labels: [String] = ["covid", "normal"], hidden: Int = 4,
                    extraTensors: [(name: String, tensor: Tensor)] = [],
                    edit: (inout ModelManifest) -> Void = { _ in }) throws -> String {
        let weightsPath = folder.appendingPathComponent("\(name).safetensors").path
        try SafeTensorsFile.write([
            ("dense.weight", Tensor(shape: [4608, hidden], values: (0..<(4608 * hidden)).map { Float($0 % 7) * 1e-3 })),
            ("dense.bias", Tensor(zeros: [hidden])),
            ("dense_1.weight", Tensor(shape: [hidden, labels.count], values: (0..<(hidden * labels.count)).map { Float($0) * 0.1 })),
            ("dense_1.bias", Tensor(zeros: [labels.count])),
        ] + extraTensors, to: weightsPath)
        var manifest = ModelManifest(
            name: name, version: "1", description: "test", labels: labels, positiveLabel: labels[0],
            preprocessing: Preprocessing(), backbone: BackboneReference(sha256: "b"),
            head: LayerSpec.tutorialHead(hidden: hidden, classes: labels.count),
            weights: FileReference(file: "\(name).safetensors", sha256: try FileDigest.sha256(ofFileAt: weightsPath)))
        edit(&manifest)
        let path = folder.appendingPathComponent("\(name).json").path
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aValidModelLoadsAndScores() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ScreeningModel.load(manifestAt: try writeModel(in: folder), backboneSHA256: "b")
        let p = model.positiveProbability(features: Tensor(shape: [7, 7, 512], values: (0..<25088).map { Float($0 % 11) }))
        #expect(p > 0 && p < 1)
        #expect(model.shortHash.count == 12)
    }

    @Test func corruptWeightsAreRefusedByHash() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try writeModel(in: folder)
        let weights = folder.appendingPathComponent("m.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: weights)
        let error = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: path, backboneSHA256: "b") }
        #expect(error?.file == weights.path)
        #expect(error?.reason.contains("sha256") == true)
    }

    @Test func aHeadTrainedOnAnotherBackboneIsRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try writeModel(in: folder)
        let error = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: path, backboneSHA256: "other") }
        #expect(error?.description.contains("backbone") == true)
    }

    @Test func mismatchedShapesAndLabelsAreRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wrongUnits = try writeModel(in: folder) { $0.head = LayerSpec.tutorialHead(hidden: 8, classes: 2) }
        #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: wrongUnits, backboneSHA256: "b") }
        let wrongPositive = try writeModel(in: folder) { $0.positiveLabel = "pneumonia" }
        let error = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: wrongPositive, backboneSHA256: "b") }
        #expect(error?.reason.contains("positiveLabel") == true)
    }

    @Test func missingAndMalformedManifestsNameTheFile() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("absent.json").path
        #expect((#expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: missing, backboneSHA256: nil) })?.file == missing)
        let malformed = folder.appendingPathComponent("bad.json")
        try Data(#"{"name": "x"}"#.utf8).write(to: malformed)
        let error = #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: malformed.path, backboneSHA256: nil) }
        #expect(error?.reason.contains("missing key") == true)
    }
}
