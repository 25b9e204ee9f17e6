import Foundation
import NeuralEngine

/// Forward and backward passes of the lung decoder on one image's tapped backbone maps, single-threaded (the
/// trainer runs one image per core). The same layers as the engine's `LungDecoder`, unfolded on BLAS:
///
///     y4 = conv(t4)            y3 = conv(up(y4) ++ t3)            y2 = conv(up(y3) ++ t2)        z = w . y2 + b
///     backward: dw += y2^T dz, dy2 = dz w^T, then each conv's backward (`ConvBlockNetwork.layerBackward`),
///     keeping the upsampled channels of dX and summing them over each 2x2 block (the adjoint of `up`).
public enum LungDecoderNetwork {
    /// Tapped backbone maps of one image (block4_pool, block3_pool, block2_pool), HWC, and their sizes.
    public struct Input: Sendable {
        public var maps: [[Float]]
        /// Side of the deepest map (14 at 224 px); each next map is twice as large.
        public var side: Int
        public init(maps: [[Float]], side: Int) { self.maps = maps; self.side = side }
        public init(taps: [Tensor]) { self.init(maps: taps.map(\.values), side: taps[0].shape[0]) }
    }

    /// What the backward pass needs: each conv's input and output, and the logits.
    public struct Activations: Sendable {
        var layerInputs: [[Float]] = []
        var layerOutputs: [[Float]] = []
        public var logits: [Float] = []
    }

    public static func forward(_ parameters: LungDecoderParameters, _ input: Input) -> Activations {
        var activations = Activations()
        var side = input.side
        var current = input.maps[0]
        for (index, layer) in parameters.convs.enumerated() {
            if index > 0 {
                let previous = parameters.convs[index - 1].outputChannels
                current = LungDecoder.concatenate(LungDecoder.upsampled(current, height: side, width: side, channels: previous),
                                                  input.maps[index], pixels: 4 * side * side)
                side *= 2
            }
            activations.layerInputs.append(current)
            current = ConvBlockNetwork.convolve(layer, current, height: side, width: side)
            activations.layerOutputs.append(current)
        }
        let channels = parameters.logitWeights.count
        activations.logits = (0..<(side * side)).map { pixel in
            var sum = parameters.logitBias
            for c in 0..<channels { sum += parameters.logitWeights[c] * current[pixel * channels + c] }
            return sum
        }
        return activations
    }

    /// Adds the gradients (in `LungDecoderParameters.flat` order) given dLoss/dlogits.
    public static func backward(_ parameters: LungDecoderParameters, _ input: Input, activations: Activations,
                                logitGradient: [Float], into gradients: inout [[Float]]) {
        let layers = parameters.convs
        let last = layers.count - 1
        var side = input.side << last
        let channels = parameters.logitWeights.count
        let top = activations.layerOutputs[last]
        var outputGradient = [Float](repeating: 0, count: top.count)
        for pixel in 0..<(side * side) {
            let g = logitGradient[pixel]
            gradients[2 * layers.count + 1][0] += g
            for c in 0..<channels {
                gradients[2 * layers.count][c] += g * top[pixel * channels + c]
                outputGradient[pixel * channels + c] = g * parameters.logitWeights[c]
            }
        }
        for index in layers.indices.reversed() {
            var (kernelGradient, biasGradient) = (gradients[2 * index], gradients[2 * index + 1])
            let inputGradient = ConvBlockNetwork.layerBackward(
                layers[index], input: activations.layerInputs[index], output: activations.layerOutputs[index],
                outputGradient: outputGradient, height: side, width: side,
                kernelGradient: &kernelGradient, biasGradient: &biasGradient, wantsInputGradient: index > 0)
            (gradients[2 * index], gradients[2 * index + 1]) = (kernelGradient, biasGradient)
            guard let inputGradient else { break }
            outputGradient = upsamplingBackward(inputGradient, side: side, channels: layers[index].inputChannels,
                                                kept: layers[index - 1].outputChannels)
            side /= 2
        }
    }

    /// The adjoint of x2 upsampling on the first `kept` of `channels`: each 2x2 block's gradients summed.
    static func upsamplingBackward(_ gradient: [Float], side: Int, channels: Int, kept: Int) -> [Float] {
        let half = side / 2
        var result = [Float](repeating: 0, count: half * half * kept)
        for y in 0..<side {
            for x in 0..<side {
                let from = (y * side + x) * channels, to = ((y / 2) * half + x / 2) * kept
                for c in 0..<kept { result[to + c] += gradient[from + c] }
            }
        }
        return result
    }
}

/// Binary cross-entropy plus soft Dice (1 - Dice) on one image's logit map against a soft target in [0, 1]:
/// cross-entropy teaches every pixel, Dice keeps the small-lung and large-background images balanced.
public enum SegmentationLoss {
    public static func evaluate(logits: [Float], target: [Float]) -> (loss: Double, gradient: [Float]) {
        precondition(logits.count == target.count)
        let count = Float(logits.count)
        let probabilities = logits.map(LungDecoder.sigmoid)
        var crossEntropy: Double = 0
        var (intersection, sum): (Float, Float) = (0, 0)
        for (p, t) in zip(probabilities, target) {
            let clamped = min(max(p, 1e-7), 1 - 1e-7)
            crossEntropy -= Double(t * log(clamped) + (1 - t) * log(1 - clamped))
            intersection += p * t
            sum += p + t
        }
        let smooth: Float = 1
        let dice = (2 * intersection + smooth) / (sum + smooth)
        var gradient = [Float](repeating: 0, count: logits.count)
        for index in logits.indices {
            let (p, t) = (probabilities[index], target[index])
            let diceByP = (2 * t * (sum + smooth) - (2 * intersection + smooth)) / ((sum + smooth) * (sum + smooth))
            gradient[index] = (p - t) / count - diceByP * p * (1 - p)
        }
        return (crossEntropy / Double(count) + Double(1 - dice), gradient)
    }
}
