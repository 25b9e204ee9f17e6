import NeuralEngine

/// Keras AveragePooling2D (pool = stride = `size`, padding "valid") followed by Flatten (H, W, C
/// order), applied once to cached backbone features so the trainer can work on plain vectors.
public enum FeaturePooling {
    /// Length of the pooled vector for a [height, width, channels] feature map.
    public static func pooledLength(height: Int, width: Int, channels: Int, size: Int) -> Int {
        (height / size) * (width / size) * channels
    }

    public static func averagePoolFlatten(_ features: Tensor, size: Int) -> [Float] {
        features.averagePooled(size: size).values
    }

    /// The adjoint of `averagePoolFlatten`: spreads each pooled gradient evenly over its window (cells left
    /// out of every window get zero).
    public static func averagePoolFlattenBackward(_ gradient: [Float], height: Int, width: Int, channels: Int, size: Int) -> [Float] {
        let (outHeight, outWidth) = (height / size, width / size)
        precondition(gradient.count == outHeight * outWidth * channels, "gradient does not match the pooled shape")
        var result = [Float](repeating: 0, count: height * width * channels)
        let scale = 1 / Float(size * size)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let source = (y * outWidth + x) * channels
                for dy in 0..<size {
                    for dx in 0..<size {
                        let destination = ((y * size + dy) * width + (x * size + dx)) * channels
                        for c in 0..<channels { result[destination + c] = gradient[source + c] * scale }
                    }
                }
            }
        }
        return result
    }
}
