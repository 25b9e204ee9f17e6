import Foundation
import Testing
import TestSupport

/// Runs the built `xraywatch` binary: `train` on a few real radiographs, then `evaluate` the model it
/// wrote, checking every output file and that the numbers are in range.
@Suite(.serialized) struct TrainEvaluateEndToEndTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in folder: URL) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.binary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        // Files, not pipes: a chatty child can never block on a full pipe.
        let outURL = folder.appendingPathComponent(".stdout-\(UUID().uuidString)"), errURL = folder.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
                   stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// A manifest of the first `perClass` rows per label under `prefix` of ../shared/data/INDEX.csv.
    static func manifest(prefix: String, labels: [String], perClass: Int, to path: URL) throws {
        let index = Fixtures.sharedFile("data/INDEX.csv")
        let lines = try String(contentsOfFile: index, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        var rows = [lines[0]]
        for label in labels {
            rows += lines.dropFirst().filter { $0.hasPrefix("\(prefix)\(label)/") }.prefix(perClass)
                .map { URL(fileURLWithPath: index).deletingLastPathComponent().path + "/" + $0 }
        }
        try (rows.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
    }

    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))
    func trainWritesALoadableModelAndEvaluateReportsMetrics() throws {
        let folder = try Fixtures.makeTemporaryDirectory("train-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.manifest(prefix: "train/", labels: ["covid", "normal"], perClass: 12, to: folder.appendingPathComponent("train.csv"))
        // A file that is not an image is skipped with a warning, not fatal.
        let broken = folder.appendingPathComponent("broken.png")
        try Data("not an image".utf8).write(to: broken)
        var manifest = try String(contentsOf: folder.appendingPathComponent("train.csv"), encoding: .utf8)
        manifest += "\(broken.path),normal,,\n"
        try manifest.write(to: folder.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)

        let train = try Self.run([
            "train", "--manifest", "train.csv", "--labels", "covid,normal", "--positive", "covid", "--name", "covid_normal",
            "--out", "models", "--backbone", Fixtures.backboneWeights, "--cache", "cache",
            "--epochs", "2", "--augment-draws", "1", "--seed", "7",
        ], in: folder)
        #expect(train.status == 0, "train failed: \(train.stderr)")
        #expect(train.stderr.contains("warning: skipping \(broken.path)"))
        #expect(train.stderr.contains("epoch 2/2"))
        let models = folder.appendingPathComponent("models")
        for name in ["covid_normal.json", "covid_normal.safetensors", "covid_normal.report.json", "covid_normal.report.html"] {
            #expect(FileManager.default.fileExists(atPath: models.appendingPathComponent(name).path), "missing \(name)")
        }
        let manifestJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: models.appendingPathComponent("covid_normal.json"))) as? [String: Any]
        #expect(manifestJSON?["labels"] as? [String] == ["covid", "normal"])
        #expect(manifestJSON?["positiveLabel"] as? String == "covid")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: models.appendingPathComponent("covid_normal.report.json"))) as? [String: Any]
        #expect((report?["skipped"] as? [Any])?.count == 1)
        #expect((report?["history"] as? [Any])?.count == 2)
        let html = try String(contentsOf: models.appendingPathComponent("covid_normal.report.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<svg ").count - 1 == 6, "curves (2), confusion, histograms, ROC, calibration")

        // A second run reads every feature from the cache.
        let again = try Self.run([
            "train", "--manifest", "train.csv", "--labels", "covid,normal", "--name", "covid_normal", "--out", "models",
            "--backbone", Fixtures.backboneWeights, "--cache", "cache", "--epochs", "2", "--augment-draws", "1", "--seed", "7",
        ], in: folder)
        #expect(again.status == 0, "second train failed: \(again.stderr)")
        #expect(again.stdout.contains("0 computed"), "\(again.stdout)")

        // Evaluate on a few test images of all three labels: pneumonia is scored as a cross label.
        try Self.manifest(prefix: "test/", labels: ["covid", "normal", "pneumonia"], perClass: 3, to: folder.appendingPathComponent("test.csv"))
        let evaluate = try Self.run([
            "evaluate", "--manifest", "test.csv", "--model", "models/covid_normal.json", "--backbone", Fixtures.backboneWeights,
            "--cache", "cache", "--report", "evaluation",
        ], in: folder)
        #expect(evaluate.status == 0, "evaluate failed: \(evaluate.stderr)")
        #expect(evaluate.stdout.contains("covid_normal on pneumonia (3 images)"))
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("evaluation/evaluation.json"))) as? [String: Any]
        let model = try #require((evaluation?["models"] as? [[String: Any]])?.first)
        let overall = try #require(model["overall"] as? [String: Any])
        #expect(overall["count"] as? Int == 6)
        let accuracy = try #require(overall["accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        let auc = try #require((overall["binary"] as? [String: Any])?["rocAUC"] as? Double)
        #expect((0...1).contains(auc))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("evaluation/evaluation.html").path))

        // Retraining the same name with another label set is refused before any work.
        let clash = try Self.run([
            "train", "--manifest", "train.csv", "--labels", "normal,covid", "--name", "covid_normal", "--out", "models",
            "--backbone", Fixtures.backboneWeights, "--cache", "cache",
        ], in: folder)
        #expect(clash.status != 0)
        #expect(clash.stderr.contains("--force"))
    }

    /// `train --fine-tune` writes a model with its own block 5, which `evaluate` and `classify` then run next
    /// to a frozen-backbone model (the shipped covid_pneumo) under the `both` policy.
    @Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))
    func fineTunedModelTrainsAndRunsNextToAFrozenModel() throws {
        let folder = try Fixtures.makeTemporaryDirectory("fine-tune-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.manifest(prefix: "train/", labels: ["covid", "normal"], perClass: 10, to: folder.appendingPathComponent("train.csv"))
        let train = try Self.run([
            "train", "--manifest", "train.csv", "--labels", "covid,normal", "--positive", "covid", "--name", "covid_normal",
            "--out", "models", "--backbone", Fixtures.backboneWeights, "--cache", "cache",
            "--epochs", "2", "--augment-draws", "1", "--seed", "7", "--fine-tune", "--fine-tune-epochs", "2",
            // No validation split: the last fine-tuning epoch is kept, so the model always has its own block 5.
            "--validation-fraction", "0",
        ], in: folder)
        #expect(train.status == 0, "train failed: \(train.stderr)")
        #expect(train.stderr.contains("fine-tune epoch 2/2"), "\(train.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("models/covid_normal.json"))) as? [String: Any]
        let backbone = try #require(manifest?["backbone"] as? [String: Any])
        #expect(backbone["fineTunedLayers"] as? [String] == ["block5_conv1", "block5_conv2", "block5_conv3"])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("models/covid_normal.report.json"))) as? [String: Any]
        #expect((report?["fineTuneHistory"] as? [Any])?.count == 2)

        let shippedPneumo = Fixtures.packageRoot.appendingPathComponent("models/covid_pneumo.json").path
        try Self.manifest(prefix: "test/", labels: ["covid", "normal", "pneumonia"], perClass: 2, to: folder.appendingPathComponent("test.csv"))
        let evaluate = try Self.run([
            "evaluate", "--manifest", "test.csv", "--model", "models/covid_normal.json", "--model", shippedPneumo,
            "--policy", "both", "--backbone", Fixtures.backboneWeights, "--cache", "cache", "--report", "evaluation",
        ], in: folder)
        #expect(evaluate.status == 0, "evaluate failed: \(evaluate.stderr)")
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("evaluation/evaluation.json"))) as? [String: Any]
        #expect((evaluation?["models"] as? [Any])?.count == 2)
        let policy = try #require(evaluation?["policy"] as? [String: Any])
        #expect((policy["overall"] as? [String: Any])?["count"] as? Int == 6)

        // The bundled configuration with this folder's fine-tuned model in place of the shipped covid_normal.
        var config = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("config.json"))) as? [String: Any])
        config["backbone"] = Fixtures.backboneWeights
        config["lungs"] = Fixtures.packageRoot.appendingPathComponent("models/lungs.json").path
        config["refusal"] = Fixtures.packageRoot.appendingPathComponent("models/refusal.json").path
        config["models"] = ["models/covid_normal.json", shippedPneumo]
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        let image = Fixtures.packageRoot.appendingPathComponent("examples").path
        let classify = try Self.run(["classify", "--config", "config.json", "--json", image], in: folder)
        #expect(classify.status == 0, "classify failed: \(classify.stderr)")
        let lines = classify.stdout.split(whereSeparator: \.isNewline)
        #expect(lines.count >= 4)
        #expect(lines.allSatisfy { $0.contains("\"covid_normal\"") && $0.contains("\"covid_pneumo\"") }, "\(classify.stdout)")
    }
}
