import Foundation

/// One layer of a classifier head, in Keras semantics.
public enum HeadLayer: Sendable {
    /// Average pooling, pool = stride = `size`, padding "valid" (trailing rows/columns dropped).
    case averagePool(size: Int)
    /// Flattens HWC in H, W, C order.
    case flatten
    /// `weight` is `[in, out]` (Keras kernel layout), `bias` `[out]`.
    case dense(weight: Tensor, bias: Tensor)
    case relu
    /// Identity at inference; the rate matters only in training.
    case dropout(rate: Float)
    case softmax
}

/// A classifier head: a stack of `HeadLayer`s applied to backbone features.
public struct Head: Sendable {
    public var layers: [HeadLayer]
    public init(layers: [HeadLayer]) { self.layers = layers }

    /// The last layer's output (class probabilities for a softmax head) for one feature map.
    public func forward(_ features: Tensor) -> Tensor {
        layers.reduce(features) { activation, layer in layer.apply(to: activation) }
    }
}

extension HeadLayer {
    func apply(to x: Tensor) -> Tensor {
        switch self {
        case .averagePool(let size):
            return averagePool(x, size: size)
        case .flatten:
            return Tensor(shape: [x.count], values: x.values)
        case .dense(let weight, let bias):
            precondition(x.shape == [weight.shape[0]], "dense layer expects \(weight.shape[0]) inputs, got \(x.shape)")
            var output = bias.values
            x.values.withUnsafeBufferPointer { input in
                weight.values.withUnsafeBufferPointer { kernel in
                    output.withUnsafeMutableBufferPointer { output in
                        LinearAlgebra.gemm(m: 1, n: weight.shape[1], k: weight.shape[0],
                                           a: input.baseAddress!, lda: weight.shape[0],
                                           b: kernel.baseAddress!, ldb: weight.shape[1],
                                           beta: 1, c: output.baseAddress!, ldc: weight.shape[1])
                    }
                }
            }
            return Tensor(shape: [weight.shape[1]], values: output)
        case .relu:
            return Tensor(shape: x.shape, values: x.values.map { max(0, $0) })
        case .dropout:
            return x
        case .softmax:
            let largest = x.values.max() ?? 0
            let exponentials = x.values.map { Float(exp(Double($0 - largest))) }
            let total = exponentials.reduce(0, +)
            return Tensor(shape: x.shape, values: exponentials.map { $0 / total })
        }
    }

    private func averagePool(_ x: Tensor, size: Int) -> Tensor {
        precondition(x.shape.count == 3, "average pooling needs an HWC feature map")
        let (height, width, channels) = (x.shape[0], x.shape[1], x.shape[2])
        let (outHeight, outWidth) = (height / size, width / size)
        var output = [Float](repeating: 0, count: outHeight * outWidth * channels)
        let scale = 1 / Float(size * size)
        for y in 0..<outHeight {
            for x0 in 0..<outWidth {
                let destination = (y * outWidth + x0) * channels
                for dy in 0..<size {
                    for dx in 0..<size {
                        let source = ((y * size + dy) * width + (x0 * size + dx)) * channels
                        for c in 0..<channels { output[destination + c] += x.values[source + c] }
                    }
                }
                for c in 0..<channels { output[destination + c] *= scale }
            }
        }
        return Tensor(shape: [outHeight, outWidth, channels], values: output)
    }
}
