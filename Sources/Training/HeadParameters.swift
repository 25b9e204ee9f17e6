import NeuralEngine

/// The trainable part of the tutorial head after AvgPool+Flatten: Dense(inputs -> hidden) ReLU,
/// Dropout, Dense(hidden -> classes) softmax. Kernels are Keras' [in, out] layout, row-major.
public struct HeadParameters: Sendable, Equatable {
    public let inputs: Int
    public let hidden: Int
    public let classes: Int
    /// [inputs, hidden]
    public var hiddenWeight: [Float]
    public var hiddenBias: [Float]
    /// [hidden, classes]
    public var outputWeight: [Float]
    public var outputBias: [Float]

    public init(inputs: Int, hidden: Int, classes: Int,
                hiddenWeight: [Float], hiddenBias: [Float], outputWeight: [Float], outputBias: [Float]) {
        precondition(hiddenWeight.count == inputs * hidden && hiddenBias.count == hidden
                     && outputWeight.count == hidden * classes && outputBias.count == classes)
        self.inputs = inputs; self.hidden = hidden; self.classes = classes
        self.hiddenWeight = hiddenWeight; self.hiddenBias = hiddenBias
        self.outputWeight = outputWeight; self.outputBias = outputBias
    }

    /// Keras' default initialisation: glorot_uniform kernels, zero biases.
    public init(inputs: Int, hidden: Int, classes: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed, stream: 0x1A17)
        func glorot(_ fanIn: Int, _ fanOut: Int) -> [Float] {
            let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
            return (0..<(fanIn * fanOut)).map { _ in Float(random.uniform(-limit, limit)) }
        }
        let hiddenWeight = glorot(inputs, hidden)
        let outputWeight = glorot(hidden, classes)
        self.init(inputs: inputs, hidden: hidden, classes: classes,
                  hiddenWeight: hiddenWeight, hiddenBias: [Float](repeating: 0, count: hidden),
                  outputWeight: outputWeight, outputBias: [Float](repeating: 0, count: classes))
    }

    /// All parameters as one flat list, in a fixed order (for the optimiser).
    var flat: [[Float]] { [hiddenWeight, hiddenBias, outputWeight, outputBias] }

    /// The same shapes with the values of `flat` (as produced by `flat`).
    func with(flat: [[Float]]) -> HeadParameters {
        HeadParameters(inputs: inputs, hidden: hidden, classes: classes,
                       hiddenWeight: flat[0], hiddenBias: flat[1], outputWeight: flat[2], outputBias: flat[3])
    }

    /// The tensors of a model's weights file, named as `LayerSpec.tutorialHead` expects.
    public var namedTensors: [(name: String, tensor: Tensor)] {
        [("dense.weight", Tensor(shape: [inputs, hidden], values: hiddenWeight)),
         ("dense.bias", Tensor(shape: [hidden], values: hiddenBias)),
         ("dense_1.weight", Tensor(shape: [hidden, classes], values: outputWeight)),
         ("dense_1.bias", Tensor(shape: [classes], values: outputBias))]
    }
}
