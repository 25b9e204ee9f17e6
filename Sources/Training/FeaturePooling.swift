import NeuralEngine

/// Keras AveragePooling2D (pool = stride = `size`, padding "valid") followed by Flatten (H, W, C
/// order), applied once to cached backbone features so the trainer can work on plain vectors.
public enum FeaturePooling {
    /// Length of the pooled vector for a [height, width, channels] feature map.
    public static func pooledLength(height: Int, width: Int, channels: Int, size: Int) -> Int {
        (height / size) * (width / size) * channels
    }

    public static func averagePoolFlatten(_ features: Tensor, size: Int) -> [Float] {
        precondition(features.shape.count == 3, "features must be [height, width, channels]")
        let (height, width, channels) = (features.shape[0], features.shape[1], features.shape[2])
        let outHeight = height / size, outWidth = width / size
        var output = [Float](repeating: 0, count: outHeight * outWidth * channels)
        let scale = 1 / Float(size * size)
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                let target = (oy * outWidth + ox) * channels
                for dy in 0..<size {
                    for dx in 0..<size {
                        let source = ((oy * size + dy) * width + (ox * size + dx)) * channels
                        for c in 0..<channels { output[target + c] += features.values[source + c] }
                    }
                }
                for c in 0..<channels { output[target + c] *= scale }
            }
        }
        return output
    }
}
