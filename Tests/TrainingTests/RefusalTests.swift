import Foundation
import NeuralEngine
import Screening
import Testing
@testable import Training

/// The refusal check's statistics: the Mahalanobis distance against one computed the long way, the whitened
/// training data's covariance, the summary of a feature map, and the manifest/weights round trip.
struct RefusalTests {
    /// Correlated 3-d samples from a seeded generator.
    func samples(_ count: Int, seed: UInt64 = 7) -> [[Float]] {
        var random = SeededRandom(seed: seed, stream: 1)
        return (0..<count).map { _ in
            func normal() -> Double { (-2 * log(random.uniform(1e-12, 1))).squareRoot() * cos(2 * .pi * random.uniform(0, 1)) }
            let (a, b, c) = (normal(), normal(), normal())
            return [Float(2 * a + 1), Float(a + 0.5 * b - 3), Float(0.2 * c + 0.1 * a)]
        }
    }

    @Test func distanceMatchesTheInverseCovarianceComputedDirectly() {
        let data = samples(200)
        let fit = GaussianFit(samples: data, shrinkage: 0)
        let n = Double(data.count)
        let mean = (0..<3).map { i in data.map { Double($0[i]) }.reduce(0, +) / n }
        var covariance = [[Double]](repeating: [0, 0, 0], count: 3)
        for sample in data {
            for i in 0..<3 { for j in 0..<3 { covariance[i][j] += (Double(sample[i]) - mean[i]) * (Double(sample[j]) - mean[j]) / (n - 1) } }
        }
        let inverse = invert3x3(covariance)
        for point in [[Float(0), 0, 0], [5, -1, 2], [1, -2.5, 0.1]] {
            let centred = (0..<3).map { Double(point[$0]) - mean[$0] }
            var squared = 0.0
            for i in 0..<3 { for j in 0..<3 { squared += centred[i] * inverse[i][j] * centred[j] } }
            #expect(abs(fit.distance(of: point) - squared.squareRoot()) < 1e-4 * max(1, squared.squareRoot()))
        }
    }

    @Test func whitenedTrainingSamplesHaveUnitVariance() {
        let data = samples(500)
        let fit = GaussianFit(samples: data, shrinkage: 0)
        // Mean squared distance of the training samples is the dimension times (n-1)/n.
        let meanSquared = data.map { pow(fit.distance(of: $0), 2) }.reduce(0, +) / Double(data.count)
        #expect(abs(meanSquared - 3 * 499 / 500) < 1e-3)
    }

    @Test func shrinkageLeavesAPointOnTheAxisOfOneChannelWhereItWas() {
        // With full shrinkage only the variances remain: the distance is the z-score.
        let data = samples(300)
        let fit = GaussianFit(samples: data, shrinkage: 1)
        let mean2 = data.map { Double($0[2]) }.reduce(0, +) / 300
        let variance2 = data.map { pow(Double($0[2]) - mean2, 2) }.reduce(0, +) / 299
        let point: [Float] = [Float(fit.mean[0]), Float(fit.mean[1]), Float(mean2 + 3 * variance2.squareRoot())]
        #expect(abs(fit.distance(of: point) - 3) < 1e-3)
    }

    @Test func summaryIsPerChannelMeanThenDeviation() {
        // 2 positions x 2 channels: channel 0 = (1, 3), channel 1 = (2, 2).
        let map = Tensor(shape: [1, 2, 2], values: [1, 2, 3, 2])
        #expect(FeatureSummary.meanAndDeviation(of: map) == [2, 2, 1, 0])
    }

    @Test func writtenCheckLoadsAndMeasuresTheSameDistances() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("refusal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = samples(100)
        let fit = GaussianFit(samples: data, shrinkage: 0.3)
        let paths = ModelWriter.Paths(folder: folder.path, name: "refusal")
        let sha = try ModelWriter.writeWeights([("mean", Tensor(shape: [3], values: fit.mean.map { Float($0) })),
                                                ("whitening", Tensor(shape: [3, 3], values: fit.whitening.map { Float($0) }))],
                                               metadata: [:], to: paths)
        let manifest = RefusalManifest(name: "refusal", version: "test", description: "", preprocessing: .init(),
                                       backbone: BackboneReference(sha256: "b", fineTunedLayers: nil), featureMap: "block4_pool",
                                       distanceThreshold: 4, refuseWithoutLungs: true,
                                       weights: FileReference(file: "refusal.safetensors", sha256: sha), training: [:])
        try ModelWriter.writeJSON(manifest, to: paths.manifest)
        let check = try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "b")
        for point in data.prefix(5) + [[9, 9, 9]] {
            #expect(abs(check.distance(ofSummary: point) - fit.distance(of: point)) < 1e-3 * max(1, fit.distance(of: point)))
        }
        #expect(check.refusal(distance: 3.9, lungs: nil) == nil)
        let far = try #require(check.refusal(distance: 8, lungs: nil))
        #expect(far.reason.contains("unlike the training radiographs") && far.distanceRatio == 2)

        // Another backbone, and weights that are not the ones pinned, are refused with the file named.
        #expect(throws: ModelLoadError.self) { try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "other") }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: paths.weights))
        let error = try #require(throws: ModelLoadError.self) { try RefusalCheck.load(manifestAt: paths.manifest, backboneSHA256: "b") }
        #expect(error.file == paths.weights && error.reason.contains("sha256"))
    }

    private func invert3x3(_ m: [[Double]]) -> [[Double]] {
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        var inverse = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let rows = [0, 1, 2].filter { $0 != j }, columns = [0, 1, 2].filter { $0 != i }
                let minor = m[rows[0]][columns[0]] * m[rows[1]][columns[1]] - m[rows[0]][columns[1]] * m[rows[1]][columns[0]]
                inverse[i][j] = ((i + j) % 2 == 0 ? 1 : -1) * minor / det
            }
        }
        return inverse
    }
}
