import NeuralEngine

/// The trainable weights of a VGG block (3x3 conv + ReLU layers, then a 2x2 max-pool), in the layout the
/// unfolded matrix products use: per layer a kernel `[9 * in, out]` (row `(ky * 3 + kx) * in + ci`) and a bias.
public struct ConvBlockParameters: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public var name: String
        public let inputChannels: Int
        public let outputChannels: Int
        public var kernel: [Float]
        public var bias: [Float]

        public init(name: String, inputChannels: Int, outputChannels: Int, kernel: [Float], bias: [Float]) {
            precondition(kernel.count == 9 * inputChannels * outputChannels && bias.count == outputChannels, "\(name): kernel or bias size does not match its channels")
            self.name = name; self.inputChannels = inputChannels; self.outputChannels = outputChannels
            self.kernel = kernel; self.bias = bias
        }

        /// `<name>.weight` (OIHW) and `<name>.bias`, as the engine loads them.
        public var namedTensors: [(name: String, tensor: Tensor)] {
            let oihw = ConvKernelLayout.oihw(fromTapMajor: kernel, inputChannels: inputChannels, outputChannels: outputChannels)
            return [("\(name).weight", Tensor(shape: [outputChannels, inputChannels, 3, 3], values: oihw)),
                    ("\(name).bias", Tensor(shape: [outputChannels], values: bias))]
        }
    }

    public var layers: [Layer]

    public init(layers: [Layer]) {
        precondition(!layers.isEmpty && zip(layers, layers.dropFirst()).allSatisfy { $0.outputChannels == $1.inputChannels }, "each layer must feed the next")
        self.layers = layers
    }

    /// Reads `<name>.weight` (OIHW) and `<name>.bias` for each named layer, e.g. block 5 of the VGG16 weights.
    public init(weights: SafeTensorsFile, layerNames: [String]) throws(SafeTensorsError) {
        var layers: [Layer] = []
        for name in layerNames {
            let weight = try weights.tensor("\(name).weight"), bias = try weights.tensor("\(name).bias")
            guard weight.shape.count == 4, weight.shape[2] == 3, weight.shape[3] == 3, bias.shape == [weight.shape[0]],
                  layers.last.map({ $0.outputChannels == weight.shape[1] }) ?? true else {
                throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(weight.shape) and bias \(bias.shape); expected a 3x3 OIHW kernel feeding from the previous layer")
            }
            let (outputs, inputs) = (weight.shape[0], weight.shape[1])
            layers.append(Layer(name: name, inputChannels: inputs, outputChannels: outputs,
                                kernel: ConvKernelLayout.tapMajor(fromOIHW: weight.values, inputChannels: inputs, outputChannels: outputs),
                                bias: bias.values))
        }
        self.init(layers: layers)
    }

    public var inputChannels: Int { layers[0].inputChannels }
    public var outputChannels: Int { layers.last!.outputChannels }
    public var layerNames: [String] { layers.map(\.name) }

    /// Tensors for a weights file, in the backbone's own naming and OIHW layout, so that `ConvBlock` loads them.
    public var namedTensors: [(name: String, tensor: Tensor)] { layers.flatMap(\.namedTensors) }

    /// Kernel and bias of every layer in order, for the optimiser.
    var flat: [[Float]] { layers.flatMap { [$0.kernel, $0.bias] } }

    /// The same shapes with values from `flat`.
    func with(flat values: [[Float]]) -> ConvBlockParameters {
        precondition(values.count == 2 * layers.count)
        var copy = self
        for index in copy.layers.indices {
            copy.layers[index].kernel = values[2 * index]
            copy.layers[index].bias = values[2 * index + 1]
        }
        return copy
    }

    /// Zero gradients of the same shapes.
    func zeros() -> [[Float]] { flat.map { [Float](repeating: 0, count: $0.count) } }
}
