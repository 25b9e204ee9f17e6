/// The head run backwards: how its pre-softmax outputs change with each value of its input map. Grad-CAM
/// (Selvaraju et al. 2017) weighs the input map's channels by these gradients.
extension Head {
    /// d(seed . z)/d(input), where z is the output of the last layer before the softmax (the logits) and `seed`
    /// weighs them (e.g. +1 for the positive class and -1 for the other: the log-odds). Dropout is the identity,
    /// as at inference. The result has the input's shape.
    public func inputGradient(of input: Tensor, seed: [Float]) -> Tensor {
        let body = layers.last.map { if case .softmax = $0 { true } else { false } } == true ? Array(layers.dropLast()) : layers
        var activations = [input]
        for layer in body { activations.append(layer.apply(to: activations.last!)) }
        precondition(activations.last!.count == seed.count, "seed has \(seed.count) values, the logits \(activations.last!.count)")
        var gradient = Tensor(shape: activations.last!.shape, values: seed)
        for (layer, layerInput) in zip(body, activations).reversed() {
            gradient = layer.backward(gradient, input: layerInput)
        }
        return gradient
    }
}

extension Tensor {
    /// The adjoint of `averagePooled(size:)`: each pooled gradient spread evenly over its window, cells left
    /// out of every window (a trailing odd row or column) zero. `gradient` has the pooled shape.
    public static func averagePoolGradient(_ gradient: Tensor, inputShape: [Int], size: Int) -> Tensor {
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let outWidth = width / size
        precondition(gradient.count == (height / size) * outWidth * channels, "gradient does not match the pooled shape")
        var values = [Float](repeating: 0, count: height * width * channels)
        let scale = 1 / Float(size * size)
        for y in 0..<(height / size * size) {
            for x in 0..<(outWidth * size) {
                let source = ((y / size) * outWidth + x / size) * channels, destination = (y * width + x) * channels
                for c in 0..<channels { values[destination + c] = gradient.values[source + c] * scale }
            }
        }
        return Tensor(shape: inputShape, values: values)
    }
}

extension HeadLayer {
    /// The gradient with respect to this layer's input, given the gradient with respect to its output.
    func backward(_ gradient: Tensor, input: Tensor) -> Tensor {
        switch self {
        case .averagePool(let size):
            return Tensor.averagePoolGradient(gradient, inputShape: input.shape, size: size)
        case .flatten:
            return Tensor(shape: input.shape, values: gradient.values)
        case .dense(let weight, _):
            let (inputs, outputs) = (weight.shape[0], weight.shape[1])
            var values = [Float](repeating: 0, count: inputs)
            for i in 0..<inputs {
                var sum: Float = 0
                for j in 0..<outputs { sum += weight.values[i * outputs + j] * gradient.values[j] }
                values[i] = sum
            }
            return Tensor(shape: [inputs], values: values)
        case .relu:
            return Tensor(shape: input.shape, values: zip(gradient.values, input.values).map { $1 > 0 ? $0 : 0 })
        case .dropout:
            return gradient
        case .softmax:
            preconditionFailure("the gradient is taken at the softmax's input")
        }
    }
}
