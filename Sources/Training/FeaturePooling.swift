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

    /// The adjoint of `averagePoolFlatten` (the head's own average-pool gradient, `Tensor.averagePoolGradient`).
    public static func averagePoolFlattenBackward(_ gradient: [Float], height: Int, width: Int, channels: Int, size: Int) -> [Float] {
        Tensor.averagePoolGradient(Tensor(shape: [height / size, width / size, channels], values: gradient),
                                   inputShape: [height, width, channels], size: size).values
    }
}
