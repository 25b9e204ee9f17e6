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

public enum GradCAM {
    /// The heatmap of `model` for one head input map (what `ScreeningModel.headInput` gives).
    public static func heatmap(of model: ScreeningModel, headInput map: Tensor) -> Heatmap {
        let classes = model.manifest.labels.count
        // The positive log-odds: +1 on the positive logit, the others shared out at -1 in total.
        let seed = (0..<classes).map { $0 == model.positiveIndex ? Float(1) : -1 / Float(max(1, classes - 1)) }
        let gradient = model.head.inputGradient(of: map, seed: seed)
        return heatmap(map: map, gradient: gradient)
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
