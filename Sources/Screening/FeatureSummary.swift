import NeuralEngine

/// A fixed-length description of what the backbone saw, whatever the map's size: the per-channel mean of a
/// feature map (HWC), scaled to unit length so that only its direction counts. The refusal check compares it
/// with the training images' (cosine distance to the nearest).
public enum FeatureSummary {
    public static func unitChannelMeans(of map: Tensor) -> [Float] {
        let channels = map.shape.last!
        let positions = map.count / channels
        var sums = [Double](repeating: 0, count: channels)
        map.values.withUnsafeBufferPointer { values in
            for position in 0..<positions {
                let row = position * channels
                for channel in 0..<channels { sums[channel] += Double(values[row + channel]) }
            }
        }
        let length = sums.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return sums.map { length > 0 ? Float($0 / length) : 0 }
    }
}
