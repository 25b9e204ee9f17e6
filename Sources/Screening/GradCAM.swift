import Imaging
import NeuralEngine

/// Where in the image a model's evidence for its positive label lies: Grad-CAM (Selvaraju et al. 2017) on the
/// map the model's head reads (the last conv block's output, `block5_conv3` after its 2x2 max-pool: 7x7 for a
/// 224 px input). Each channel is weighed by the mean gradient of the positive log-odds over the map; the
/// weighted sum, clipped at zero and scaled to a maximum of 1, is the heatmap.
public struct Heatmap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, 0...1; all zeros when nothing in the map argues for the positive label.
    public let values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "a heatmap needs width x height values")
        self.width = width; self.height = height; self.values = values
    }

    /// The heatmap resampled (bilinear, centres aligned) to `width` x `height`.
    public func resized(width: Int, height: Int) -> [Float] {
        LungFields.bilinear(values, width: self.width, height: self.height, toWidth: width, toHeight: height)
    }

    /// The share of the heatmap's mass inside `mask` (which covers the same image); nil for an empty heatmap.
    public func share(inside mask: BinaryMask) -> Double? {
        let heat = resized(width: mask.width, height: mask.height)
        var inside = 0.0, total = 0.0
        for (value, isLung) in zip(heat, mask.pixels) {
            total += Double(value)
            if isLung { inside += Double(value) }
        }
        return total > 0 ? inside / total : nil
    }
}

/// One model's two heatmaps: where the evidence for its positive label lies, and where the evidence against.
public struct ModelHeatmaps: Sendable, Equatable {
    public let positive: Heatmap
    public let negative: Heatmap
    public init(positive: Heatmap, negative: Heatmap) { self.positive = positive; self.negative = negative }

    /// The heatmap that explains a stated result: the positive one for POSITIVE, the negative one otherwise.
    public func explaining(_ result: ScreeningResult) -> Heatmap { result == .positive ? positive : negative }
}

public enum GradCAM {
    /// Both heatmaps of `model` for the map its head reads.
    public static func heatmaps(of model: ScreeningModel, headInput map: Tensor) -> ModelHeatmaps {
        ModelHeatmaps(positive: heatmap(of: model, headInput: map, towardsPositive: true),
                      negative: heatmap(of: model, headInput: map, towardsPositive: false))
    }

    /// The heatmap of `model` for the map its head reads: of the positive log-odds (+1 on the positive logit,
    /// the others shared out at -1 in total), or of its opposite.
    public static func heatmap(of model: ScreeningModel, headInput map: Tensor, towardsPositive: Bool = true) -> Heatmap {
        let classes = model.manifest.labels.count
        let sign: Float = towardsPositive ? 1 : -1
        let seed = (0..<classes).map { sign * ($0 == model.positiveIndex ? 1 : -1 / Float(max(1, classes - 1))) }
        return heatmap(map: map, gradient: model.head.inputGradient(of: map, seed: seed))
    }

    /// Grad-CAM from a map and the gradient of the score with respect to it (both HWC).
    public static func heatmap(map: Tensor, gradient: Tensor) -> Heatmap {
        precondition(map.shape == gradient.shape && map.shape.count == 3, "map and gradient must be the same HWC shape")
        let (height, width, channels) = (map.shape[0], map.shape[1], map.shape[2])
        let positions = height * width
        var weights = [Float](repeating: 0, count: channels)
        for position in 0..<positions {
            for channel in 0..<channels { weights[channel] += gradient.values[position * channels + channel] }
        }
        weights = weights.map { $0 / Float(positions) }
        var values = (0..<positions).map { position in
            max(0, (0..<channels).reduce(Float(0)) { $0 + weights[$1] * map.values[position * channels + $1] })
        }
        let largest = values.max() ?? 0
        if largest > 0 { values = values.map { $0 / largest } }
        return Heatmap(width: width, height: height, values: values)
    }
}
