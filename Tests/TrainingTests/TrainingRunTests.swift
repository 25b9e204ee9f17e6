import Foundation
import Testing
import TestSupport
@testable import Training

/// The checks `train` makes before any work starts (nothing here decodes an image or runs the backbone).
@Suite struct TrainingRunTests {
    private func outFolder(_ data: URL) -> URL {
        data.deletingLastPathComponent().appendingPathComponent(data.lastPathComponent + "-out")
    }

    private func options(_ data: URL, out: URL) throws -> TrainingOptions {
        var options = TrainingOptions()
        options.source.folders = [data.path]
        options.outputFolder = out.path
        options.name = "covid_normal"
        let backbone = out.appendingPathComponent("backbone.safetensors")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: backbone)
        options.backbonePath = backbone.path
        options.cacheFolder = nil
        return options
    }

    private func expectError(_ options: TrainingOptions, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try TrainingRun(options: options).prepare()
            Issue.record("expected an error mentioning \(text)", sourceLocation: sourceLocation)
        } catch {
            #expect(error is DatasetError && "\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func acceptsGoodInputAndDefaultsPositiveToTheFirstLabel() throws {
        let data = try makeClassFolders(["covid": 10, "normal": 12])
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: outFolder(data)) }
        let (dataset, positive, extractor) = try TrainingRun(options: options(data, out: outFolder(data))).prepare()
        #expect(dataset.labels == ["covid", "normal"])
        #expect(positive == "covid")
        #expect(extractor.backboneSHA256.count == 64)
    }

    @Test func tooFewImagesInAClassIsAnErrorNamingTheClass() throws {
        let data = try makeClassFolders(["covid": 9, "normal": 12])
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: outFolder(data)) }
        try expectError(options(data, out: outFolder(data)), mentioning: "covid: 9")
    }

    @Test func oneClassPositiveNotALabelAndUnreadableBackboneAreErrors() throws {
        let data = try makeClassFolders(["covid": 10, "normal": 10, "pneumonia": 10])
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: outFolder(data)) }
        var options = try options(data, out: outFolder(data))
        options.source.labels = ["covid"]
        expectError(options, mentioning: "at least 2 classes")
        options.source.labels = ["covid", "pneumonia"]
        options.positiveLabel = "normal"
        let positive = #expect(throws: SettingError.self) { try TrainingRun(options: options).prepare() }
        #expect(positive?.setting == .positiveLabel && positive?.value == "normal")
        options.positiveLabel = "covid"
        options.backbonePath = data.appendingPathComponent("nowhere.safetensors").path
        expectError(options, mentioning: "nowhere.safetensors")
        options.backbonePath = try self.options(data, out: outFolder(data)).backbonePath
        options.recipe.epochs = 0
        let epochs = #expect(throws: SettingError.self) { try TrainingRun(options: options).prepare() }
        #expect(epochs?.setting == .epochs && epochs?.value == "0")
    }

    @Test func settingsOutOfRangeNameTheSettingBeforeAnyFileIsRead() {
        var options = TrainingOptions()
        options.source.folders = ["/nonexistent"]
        let cases: [(SettingError.Setting, (inout TrainingOptions) -> Void)] = [
            (.pool, { $0.recipe.pool = 8 }),   // larger than the 7x7 backbone output at 224 px
            (.validationFraction, { $0.validationFraction = 1 }),
            (.modelName, { $0.name = "a/b" }),
            (.rotation, { $0.augmentation.rotation = 181 }),
            (.fineTuneEpochs, { $0.fineTune = FineTuneRecipe(); $0.fineTune?.epochs = 0 }),
            (.consistency, { $0.recipe.consistency = 1; $0.augmentation.draws = 1 }),   // nothing to compare with
            (.consistency, { $0.recipe.consistency = -1 }),
        ]
        for (setting, spoil) in cases {
            var spoilt = options
            spoil(&spoilt)
            let error = #expect(throws: SettingError.self) { try TrainingRun(options: spoilt).validate() }
            #expect(error?.setting == setting, "\(setting)")
        }
        #expect(throws: Never.self) { try TrainingRun(options: options).validate() }
    }

    @Test func existingModelWithOtherLabelsNeedsForce() throws {
        let data = try makeClassFolders(["covid": 10, "normal": 10, "pneumonia": 10])
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: outFolder(data)) }
        let out = outFolder(data)
        var options = try options(data, out: out)
        options.source.labels = ["covid", "pneumonia"]
        let manifest = out.appendingPathComponent("covid_normal.json")
        // Something that is not a manifest at the model's path: refused unless forced.
        try #"{"labels": ["covid", "normal"]}"#.write(to: manifest, atomically: true, encoding: .utf8)
        let notAManifest = #expect(throws: ExistingModelError.self) { try TrainingRun(options: options).prepare() }
        #expect(notAManifest == ExistingModelError(manifestPath: manifest.path, existingLabels: nil, runLabels: ["covid", "pneumonia"]))
        // A real manifest trained on other labels: refused, naming both label sets.
        try #"""
        {"name": "covid_normal", "version": "1", "description": "earlier", "labels": ["covid", "normal"],
         "positiveLabel": "covid", "threshold": 0.5,
         "preprocessing": {"resize": "area", "normalisation": "caffe", "size": 224},
         "backbone": {"name": "vgg16_imagenet_notop", "sha256": "00"}, "head": [],
         "weights": {"file": "covid_normal.safetensors", "sha256": "00"}, "training": {}}
        """#.write(to: manifest, atomically: true, encoding: .utf8)
        let otherLabels = #expect(throws: ExistingModelError.self) { try TrainingRun(options: options).prepare() }
        #expect(otherLabels?.existingLabels == ["covid", "normal"] && otherLabels?.runLabels == ["covid", "pneumonia"])
        // With the same labels it is an ordinary retraining; with --force any labels are.
        var sameLabels = options
        sameLabels.source.labels = ["covid", "normal"]
        #expect(throws: Never.self) { _ = try TrainingRun(options: sameLabels).prepare() }
        options.force = true
        #expect(throws: Never.self) { _ = try TrainingRun(options: options).prepare() }
    }
}
