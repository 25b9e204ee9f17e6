import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
import TestSupport
@testable import Training

@Suite struct ModelWriterTests {
    @Test func writtenModelLoadsAndScoresFullFeatureMapsLikeTheTrainerOnPooledVectors() throws {
        let folder = try Fixtures.makeTemporaryDirectory("model-writer")
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = SeededRandom(seed: 21)
        var parameters = HeadParameters(inputs: 4608, hidden: 8, classes: 3, seed: 5)
        parameters.hiddenBias = (0..<8).map { _ in Float(random.uniform(-0.1, 0.1)) }
        parameters.outputBias = [0.1, -0.2, 0.05]
        let paths = ModelWriter.Paths(folder: folder.path, name: "three_way")
        let backboneSHA256 = String(repeating: "0f", count: 32)
        let written = try ModelWriter.write(
            parameters, dropout: 0.5, name: "three_way", version: "test", description: "test model",
            labels: ["covid", "normal", "pneumonia"], positiveLabel: "covid", threshold: 0.5, preprocessing: Preprocessing(),
            backboneSHA256: backboneSHA256, training: ["seed": "5"], to: paths)
        let text = try String(contentsOfFile: paths.manifest, encoding: .utf8)
        #expect(text.contains("\n  \"backbone\""))   // pretty-printed, sorted keys
        let model = try ScreeningModel.load(manifestAt: paths.manifest, backboneSHA256: backboneSHA256)
        #expect(model.manifest == written)
        #expect(model.manifest.head == LayerSpec.tutorialHead(hidden: 8, classes: 3, dropout: 0.5))
        #expect(throws: ModelLoadError.self) { try ScreeningModel.load(manifestAt: paths.manifest, backboneSHA256: String(repeating: "1e", count: 32)) }

        // The engine's head (AvgPool + Flatten + ...) on a 7x7x512 map must match the trainer on the pooled vector.
        let features = Tensor(shape: [7, 7, 512], values: (0..<(7 * 7 * 512)).map { _ in Float(random.uniform(0, 4)) })
        let engine = model.head.forward(features).values
        let trainer = HeadTrainer.predict(parameters, [FeaturePooling.averagePoolFlatten(features, size: 2)])[0]
        for (a, b) in zip(engine, trainer) { #expect(abs(a - b) < 1e-5) }
        #expect(abs(model.positiveProbability(features: features) - Double(trainer[0])) < 1e-5)
    }

    @Test func aFailedWriteNamesTheRealPathTheStepAndTheErrno() throws {
        let folder = try Fixtures.makeTemporaryDirectory("model-writer-fails")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let inside = file.appendingPathComponent("report.json").path
        let written = #expect(throws: WriteError.self) { try ModelWriter.writeText("{}", to: inside) }
        #expect(written?.path == inside && written?.step == .write)
        // Foundation reports the failed creation of its temporary file (ENOENT); the errno travels with the error.
        #expect(written?.errno == ENOENT || written?.errno == ENOTDIR, "\(String(describing: written))")
        let folderError = #expect(throws: WriteError.self) { try ModelWriter.createFolder(inside) }
        #expect(folderError?.path == inside && folderError?.step == .createFolder)
    }
}
