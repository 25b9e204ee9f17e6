import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing
@testable import Training

/// The refusal check's arithmetic: the summary of a feature map, the nearest-neighbour cosine distance against
/// one computed the long way, the decision, and the manifest/weights round trip with its load errors.
struct RefusalTests {
    /// `count` unit vectors of 512 values from a seeded generator.
    func unitVectors(_ count: Int, seed: UInt64 = 7) -> [[Float]] {
        var random = SeededRandom(seed: seed, stream: 1)
        return (0..<count).map { _ in
            let raw = (0..<512).map { _ in Float(random.uniform(0, 1)) }
            let length = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return raw.map { $0 / length }
        }
    }

    func check(_ references: [[Float]], threshold: Double = 0.1, lungs: Bool = true) -> RefusalCheck {
        RefusalCheck(manifest: manifest(threshold: threshold, lungs: lungs, sha: ""), manifestPath: "(test)",
                     references: references.flatMap { $0 }, dimension: 512)
    }

    func manifest(threshold: Double, lungs: Bool, sha: String) -> RefusalManifest {
        RefusalManifest(name: "refusal", version: "test", description: "", preprocessing: .init(),
                        backbone: BackboneReference(sha256: "b", fineTunedLayers: nil), featureMap: "block4_pool",
                        distanceThreshold: threshold, refuseWithoutLungs: lungs,
                        weights: FileReference(file: "refusal.safetensors", sha256: sha), training: [:])
    }

    @Test func summaryIsTheUnitLengthChannelMean() {
        // 2 positions x 2 channels: channel means (3, 4), length 5.
        let map = Tensor(shape: [1, 2, 2], values: [2, 4, 4, 4])
        #expect(FeatureSummary.unitChannelMeans(of: map) == [0.6, 0.8])
        #expect(FeatureSummary.unitChannelMeans(of: Tensor(zeros: [2, 2, 3])) == [0, 0, 0], "an all-zero map has no direction")
    }

    @Test func distanceIsOneMinusTheBestCosineSimilarity() {
        let references = unitVectors(50), queries = unitVectors(5, seed: 9)
        let refusal = check(references)
        for query in queries {
            let best = references.map { zip($0, query).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.max()!
            #expect(abs(refusal.distance(ofSummary: query) - (1 - Double(best))) < 1e-5)
        }
        #expect(abs(refusal.distance(ofSummary: references[17])) < 1e-5, "a training image is at distance 0")
    }

    @Test func refusesFarImagesAndImagesWithoutLungsOnly() {
        let refusal = check(unitVectors(3), threshold: 0.2)
        #expect(refusal.refusal(distance: 0.1, lungs: nil) == nil)
        let far = try! #require(refusal.refusal(distance: 0.5, lungs: nil))
        #expect(far.reason.contains("unlike the training radiographs") && abs(far.distanceRatio - 2.5) < 1e-12)

        let noLungs = LungFindings(fields: LungFields(probabilities: [Float](repeating: 0, count: 16), mapWidth: 4, mapHeight: 4,
                                                     imageWidth: 16, imageHeight: 16), problem: "0 lung regions (2 expected)")
        let refused = try! #require(refusal.refusal(distance: 0.1, lungs: noLungs))
        #expect(refused.reason == "no plausible pair of lungs (0 lung regions (2 expected))" && abs(refused.distanceRatio - 0.5) < 1e-12)
        #expect(check(unitVectors(3), threshold: 0.2, lungs: false).refusal(distance: 0.1, lungs: noLungs) == nil,
                "refuseWithoutLungs false: only the distance refuses")
    }

    @Test func writtenCheckLoadsAndMeasuresTheSameDistances() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("refusal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let references = unitVectors(20)
        let paths = ModelWriter.Paths(folder: folder.path, name: "refusal")
        let sha = try ModelWriter.writeWeights([("references", Tensor(shape: [20, 512], values: references.flatMap { $0 }))], metadata: [:], to: paths)
        try ModelWriter.writeJSON(manifest(threshold: 0.05, lungs: true, sha: sha), to: paths.manifest)
        let loaded = try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "b")
        #expect(loaded.referenceCount == 20)
        for query in unitVectors(3, seed: 11) {
            #expect(abs(loaded.distance(ofSummary: query) - check(references).distance(ofSummary: query)) < 1e-6)
        }

        // Another backbone, and weights that are not the ones pinned, are refused with the file named.
        #expect(throws: ModelLoadError.self) { try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "other") }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: paths.weights))
        let error = try #require(throws: ModelLoadError.self) { try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "b") }
        #expect(error.file == paths.weights && error.reason.contains("sha256"))
    }
}
