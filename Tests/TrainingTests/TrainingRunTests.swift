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
            #expect(error.description.contains(text), "\(error.description)", sourceLocation: sourceLocation)
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
        expectError(options, mentioning: "--positive normal")
        options.positiveLabel = "covid"
        options.backbonePath = data.appendingPathComponent("nowhere.safetensors").path
        expectError(options, mentioning: "nowhere.safetensors")
        options.backbonePath = try self.options(data, out: outFolder(data)).backbonePath
        options.recipe.epochs = 0
        expectError(options, mentioning: "--epochs")
    }

    @Test func existingModelWithOtherLabelsNeedsForce() throws {
        let data = try makeClassFolders(["covid": 10, "normal": 10, "pneumonia": 10])
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: outFolder(data)) }
        let out = outFolder(data)
        var options = try options(data, out: out)
        options.source.labels = ["covid", "pneumonia"]
        try #"{"labels": ["covid", "normal"]}"#.write(to: out.appendingPathComponent("covid_normal.json"), atomically: true, encoding: .utf8)
        // Not a full manifest: refused as well.
        expectError(options, mentioning: "not a model manifest")
        options.force = true
        _ = try TrainingRun(options: options).prepare()
    }
}
