import Foundation
import Imaging
import NeuralEngine
import Screening
import Testing

/// Grad-CAM: the head's input gradient against finite differences, a map where one region decides, and the
/// share of a heatmap inside a mask.
struct GradCAMTests {
    /// A tutorial-shaped head on a 4x4x3 map: AvgPool2, Flatten, Dense(12->5), ReLU, Dropout, Dense(5->2), Softmax.
    func smallHead() -> Head {
        func values(_ count: Int, _ seed: Int) -> [Float] {
            (0..<count).map { (index: Int) -> Float in Float(0.8 * sin(Double(index * 7 + seed))) }
        }
        return Head(layers: [
            .averagePool(size: 2), .flatten,
            .dense(weight: Tensor(shape: [12, 5], values: values(60, 1)), bias: Tensor(shape: [5], values: values(5, 2))),
            .relu, .dropout(rate: 0.5),
            .dense(weight: Tensor(shape: [5, 2], values: values(10, 3)), bias: Tensor(shape: [2], values: [0.1, -0.2])),
            .softmax,
        ])
    }

    @Test func inputGradientMatchesFiniteDifferencesOfTheLogOdds() {
        let head = smallHead()
        let logits = Head(layers: Array(head.layers.dropLast()))
        let map = Tensor(shape: [4, 4, 3], values: (0..<48).map { (index: Int) -> Float in Float(cos(Double(index) * 1.3) + 1) })
        let gradient = head.inputGradient(of: map, seed: [1, -1])
        func logOdds(_ input: Tensor) -> Double {
            let z = logits.forward(input).values
            return Double(z[0]) - Double(z[1])
        }
        let step: Float = 1e-2
        for index in stride(from: 0, to: 48, by: 5) {
            var plus = map, minus = map
            plus.values[index] += step; minus.values[index] -= step
            let numeric = (logOdds(plus) - logOdds(minus)) / Double(2 * step)
            #expect(abs(numeric - Double(gradient.values[index])) < 2e-3, "value \(index): numeric \(numeric), analytic \(gradient.values[index])")
        }
    }

    @Test func theHeatmapFindsTheOneRegionThatDecides() {
        // Global average pool, then one dense layer that counts only channel 0 towards the positive class.
        let head = Head(layers: [.averagePool(size: 4), .flatten,
                                 .dense(weight: Tensor(shape: [2, 2], values: [3, 0, 0, 0]), bias: Tensor(shape: [2], values: [0, 0])), .softmax])
        var map = Tensor(zeros: [4, 4, 2])
        for position in 0..<16 { map.values[position * 2 + 1] = 5 }   // channel 1 everywhere: irrelevant
        map.values[(1 * 4 + 2) * 2] = 4                                  // channel 0 at row 1, column 2 only
        let heatmap = GradCAM.heatmap(map: map, gradient: head.inputGradient(of: map, seed: [1, -1]))
        #expect(heatmap.width == 4 && heatmap.height == 4)
        #expect(heatmap.values[1 * 4 + 2] == 1)
        #expect(heatmap.values.enumerated().allSatisfy { $0.offset == 1 * 4 + 2 || $0.element == 0 })
    }

    @Test func thePositiveAndNegativeHeatmapsFindTheEvidenceForEachSide() throws {
        // Channel 0 (at row 0, column 0) argues for the positive class, channel 1 (at row 3, column 3) for the other.
        let head = Head(layers: [.averagePool(size: 4), .flatten,
                                 .dense(weight: Tensor(shape: [2, 2], values: [2, 0, 0, 2]), bias: Tensor(shape: [2], values: [0, 0])), .softmax])
        var map = Tensor(zeros: [4, 4, 2])
        map.values[0] = 3
        map.values[15 * 2 + 1] = 3
        let manifest = ModelManifest(name: "m", version: "1", description: "", labels: ["covid", "normal"], positiveLabel: "covid",
                                     preprocessing: .init(), backbone: BackboneReference(sha256: "b"),
                                     head: [], weights: FileReference(file: "m.safetensors", sha256: ""))
        let model = try ScreeningModel(manifest: manifest, head: head, manifestPath: "(test)")
        let heatmaps = GradCAM.heatmaps(of: model, headInput: map)
        #expect(heatmaps.positive.values.firstIndex(of: 1) == 0 && heatmaps.positive.values[15] == 0)
        #expect(heatmaps.negative.values.firstIndex(of: 1) == 15 && heatmaps.negative.values[0] == 0)
        #expect(heatmaps.explaining(.positive) == heatmaps.positive && heatmaps.explaining(.negative) == heatmaps.negative)
    }

    @Test func shareInsideAMaskCountsTheHeatOverIt() {
        let heatmap = Heatmap(width: 2, height: 1, values: [1, 0])
        // Left and right halves of a 4x2 mask; bilinear spreads the heat over the left three columns.
        let left = BinaryMask(width: 4, height: 2, pixels: [true, true, false, false, true, true, false, false])
        let share = try! #require(heatmap.share(inside: left))
        #expect(abs(share - (1 + 0.75) / (1 + 0.75 + 0.25)) < 1e-6)
        #expect(Heatmap(width: 2, height: 1, values: [0, 0]).share(inside: left) == nil, "an empty heatmap has no share")
    }
}
