import Foundation
import NeuralEngine

/// The trainable weights of the lung decoder (`LungDecoder` in the engine): three 3x3 conv layers in the
/// unfolded layout the trainer's matrix products use, and the 1x1 output layer.
public struct LungDecoderParameters: Sendable, Equatable {
    public var convs: [ConvBlockParameters.Layer]
    /// The 1x1 output layer: one weight per channel of the last conv layer.
    public var logitWeights: [Float]
    public var logitBias: Float
    /// What the trainer divides each tapped map by (deepest first); folded into the written weights.
    public var tapScales: [Float]

    /// He-normal initialised layers of the given widths (deepest first), seeded; the output bias starts at
    /// `initialLogitBias` (the log-odds of the lung share, so the first steps are not spent learning it).
    /// `tapScales` are the root mean squares of the tapped backbone maps (deepest first). The trainer feeds
    /// the decoder maps divided by them (block outputs of caffe inputs run into the hundreds, which makes
    /// Adam's steps far too large), and the written weights fold the division back in, so the engine reads
    /// the backbone's maps as they are.
    public init(widths: [Int] = [64, 64, 32], seed: UInt64, tapScales: [Float] = [1, 1, 1], initialLogitBias: Float = -1) {
        precondition(widths.count == LungDecoder.convNames.count, "the decoder has three conv layers")
        var random = SeededRandom(seed: seed, stream: 0x1A46_5000)
        var convs: [ConvBlockParameters.Layer] = []
        var upsampled = 0
        for (index, name) in LungDecoder.convNames.enumerated() {
            let inputs = upsampled + LungDecoder.tappedChannels[index], outputs = widths[index]
            let deviation = (2 / Double(9 * inputs)).squareRoot()
            let kernel = (0..<(9 * inputs * outputs)).map { _ in Float(random.normal() * deviation) }
            convs.append(.init(name: name, inputChannels: inputs, outputChannels: outputs, kernel: kernel,
                               bias: [Float](repeating: 0, count: outputs)))
            upsampled = outputs
        }
        let deviation = (1 / Double(upsampled)).squareRoot()
        self.convs = convs
        self.tapScales = tapScales.map { max($0, 1e-6) }
        self.logitWeights = (0..<upsampled).map { _ in Float(random.normal() * deviation) }
        self.logitBias = initialLogitBias
    }

    /// Tensors for the weights file, in the engine's naming and OIHW layout, with the tap scales folded
    /// into the kernel rows that read each tapped map: conv(W, x / s) = conv(W / s, x).
    public var namedTensors: [(name: String, tensor: Tensor)] {
        let folded = convs.enumerated().map { index, layer in
            var layer = layer
            let skipStart = layer.inputChannels - LungDecoder.tappedChannels[index]
            for position in layer.kernel.indices where position / layer.outputChannels % layer.inputChannels >= skipStart {
                layer.kernel[position] /= tapScales[index]
            }
            return layer
        }
        return folded.flatMap(\.namedTensors) + [
            ("\(LungDecoder.logitName).weight", Tensor(shape: [1, logitWeights.count, 1, 1], values: logitWeights)),
            ("\(LungDecoder.logitName).bias", Tensor(shape: [1], values: [logitBias])),
        ]
    }

    public var widths: [Int] { convs.map(\.outputChannels) }

    /// Every kernel and bias in order, then the output weights and bias: the optimiser's view.
    var flat: [[Float]] { convs.flatMap { [$0.kernel, $0.bias] } + [logitWeights, [logitBias]] }

    func with(flat values: [[Float]]) -> LungDecoderParameters {
        precondition(values.count == 2 * convs.count + 2)
        var copy = self
        for index in copy.convs.indices {
            copy.convs[index].kernel = values[2 * index]
            copy.convs[index].bias = values[2 * index + 1]
        }
        copy.logitWeights = values[2 * convs.count]
        copy.logitBias = values[2 * convs.count + 1][0]
        return copy
    }

    func zeros() -> [[Float]] { flat.map { [Float](repeating: 0, count: $0.count) } }
}

extension SeededRandom {
    /// Standard normal (Box-Muller).
    mutating func normal() -> Double {
        let u = max(unitDouble(), 1e-12), v = unitDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
