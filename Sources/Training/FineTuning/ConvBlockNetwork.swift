import NeuralEngine

/// Forward and backward passes of a trainable VGG block on one HWC map, single-threaded (the fine-tuner
/// runs one image per core). The forward pass is the backbone's own im2col layer and max-pool (NeuralEngine),
/// keeping each layer's output; the backward pass unfolds the same way:
///
///     forward   Y  = relu(unfold(X) * K + b)
///     backward  dK += unfold(X)^T * dY',  db += column sums of dY',  dX = fold(dY' * K^T)   (dY' = dY masked by Y > 0)
public enum ConvBlockNetwork {
    /// What the backward pass needs from the forward pass of one map.
    public struct Activations: Sendable {
        public let height: Int
        public let width: Int
        /// Each conv layer's output after ReLU, `[height, width, out]`.
        public var layerOutputs: [[Float]]
        /// The block's output after the 2x2 max-pool, `[height/2, width/2, out]`.
        public var pooled: [Float]
    }

    /// The block's output on `input` (`[height, width, in]`), keeping what `backward` needs.
    public static func forward(_ parameters: ConvBlockParameters, input: [Float], height: Int, width: Int) -> Activations {
        precondition(input.count == height * width * parameters.inputChannels, "input must be \(height)x\(width)x\(parameters.inputChannels)")
        var outputs: [[Float]] = []
        var current = input
        for layer in parameters.layers {
            current = convolve(layer, current, height: height, width: width)
            outputs.append(current)
        }
        return Activations(height: height, width: width, layerOutputs: outputs,
                           pooled: maxPool(current, height: height, width: width, channels: parameters.outputChannels))
    }

    /// Adds the gradients of the loss with respect to every kernel and bias into `gradients` (in
    /// `ConvBlockParameters.flat` order), given the gradient with respect to the pooled output.
    public static func backward(_ parameters: ConvBlockParameters, input: [Float], activations: Activations,
                                pooledGradient: [Float], into gradients: inout [[Float]]) {
        let (height, width) = (activations.height, activations.width)
        var outputGradient = maxPoolBackward(pooledGradient, output: activations.layerOutputs.last!, height: height, width: width,
                                             channels: parameters.outputChannels)
        for index in parameters.layers.indices.reversed() {
            let layerInput = index == 0 ? input : activations.layerOutputs[index - 1]
            var (kernelGradient, biasGradient) = (gradients[2 * index], gradients[2 * index + 1])
            let inputGradient = layerBackward(parameters.layers[index], input: layerInput, output: activations.layerOutputs[index],
                                              outputGradient: outputGradient, height: height, width: width,
                                              kernelGradient: &kernelGradient, biasGradient: &biasGradient,
                                              wantsInputGradient: index > 0)
            (gradients[2 * index], gradients[2 * index + 1]) = (kernelGradient, biasGradient)
            guard let inputGradient else { break }
            outputGradient = inputGradient
        }
    }

    /// The backward pass of one conv + ReLU layer: adds dK and db into the gradients given and returns dX
    /// when asked. `output` is the layer's output after ReLU, `outputGradient` the gradient with respect to it.
    public static func layerBackward(_ layer: ConvBlockParameters.Layer, input: [Float], output: [Float], outputGradient: [Float],
                                     height: Int, width: Int, kernelGradient: inout [Float], biasGradient: inout [Float],
                                     wantsInputGradient: Bool) -> [Float]? {
        let pixels = height * width
        var outputGradient = outputGradient
        for i in outputGradient.indices where output[i] <= 0 { outputGradient[i] = 0 }
        let patchLength = 9 * layer.inputChannels
        var patches = unfolded(input, channels: layer.inputChannels, height: height, width: width)
        patches.withUnsafeBufferPointer { patches in
            outputGradient.withUnsafeBufferPointer { dY in
                kernelGradient.withUnsafeMutableBufferPointer { dK in
                    LinearAlgebra.gemm(transposeA: true, m: patchLength, n: layer.outputChannels, k: pixels,
                                       a: patches.baseAddress!, lda: patchLength, b: dY.baseAddress!, ldb: layer.outputChannels,
                                       beta: 1, c: dK.baseAddress!, ldc: layer.outputChannels)
                }
            }
        }
        for pixel in 0..<pixels {
            for channel in 0..<layer.outputChannels { biasGradient[channel] += outputGradient[pixel * layer.outputChannels + channel] }
        }
        guard wantsInputGradient else { return nil }
        // Reuse the patch buffer for d(patches) = dY * K^T, then fold it back onto the input.
        patches.withUnsafeMutableBufferPointer { patchGradient in
            outputGradient.withUnsafeBufferPointer { dY in
                layer.kernel.withUnsafeBufferPointer { kernel in
                    LinearAlgebra.gemm(transposeB: true, m: pixels, n: patchLength, k: layer.outputChannels,
                                       a: dY.baseAddress!, lda: layer.outputChannels, b: kernel.baseAddress!, ldb: layer.outputChannels,
                                       c: patchGradient.baseAddress!, ldc: patchLength)
                }
            }
        }
        var inputGradient = [Float](repeating: 0, count: pixels * layer.inputChannels)
        patches.withUnsafeBufferPointer { patchGradient in
            inputGradient.withUnsafeMutableBufferPointer { dX in
                ConvKernelLayout.foldAdding(patchGradient.baseAddress!, height: height, width: width, channels: layer.inputChannels,
                                            into: dX.baseAddress!)
            }
        }
        return inputGradient
    }

    /// One conv layer with bias and ReLU: the backbone's own im2col layer.
    static func convolve(_ layer: ConvBlockParameters.Layer, _ input: [Float], height: Int, width: Int) -> [Float] {
        convolve3x3ReLU(input, height: height, width: width, kernel: layer.kernel, bias: layer.bias,
                        inputChannels: layer.inputChannels, outputChannels: layer.outputChannels)
    }

    /// The whole map's 3x3 patches, `[height * width, 9 * channels]`.
    private static func unfolded(_ input: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        var patches = [Float](repeating: 0, count: height * width * 9 * channels)
        input.withUnsafeBufferPointer { source in
            patches.withUnsafeMutableBufferPointer { patches in
                ConvKernelLayout.unfold(source.baseAddress!, height: height, width: width, channels: channels,
                                        rows: 0..<height, into: patches.baseAddress!)
            }
        }
        return patches
    }

    /// 2x2 max-pool, stride 2, odd trailing rows/columns dropped: the backbone's own.
    static func maxPool(_ input: [Float], height: Int, width: Int, channels: Int) -> [Float] {
        maxPooled2x2(input, height: height, width: width, channels: channels)
    }

    /// Sends each pooled gradient to the window position that held the maximum (the first, on ties).
    static func maxPoolBackward(_ pooledGradient: [Float], output: [Float], height: Int, width: Int, channels: Int) -> [Float] {
        let (outHeight, outWidth) = (height / 2, width / 2)
        var gradient = [Float](repeating: 0, count: height * width * channels)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                for c in 0..<channels {
                    let position = windowArgmax(output, y: y, x: x, c: c, width: width, channels: channels)
                    gradient[position] += pooledGradient[(y * outWidth + x) * channels + c]
                }
            }
        }
        return gradient
    }

    /// Where in the 2x2 window at pooled (y, x) channel c the maximum lies (the first, on ties).
    private static func windowArgmax(_ input: [Float], y: Int, x: Int, c: Int, width: Int, channels: Int) -> Int {
        var best = ((2 * y) * width + 2 * x) * channels + c
        for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
            let index = ((2 * y + dy) * width + 2 * x + dx) * channels + c
            if input[index] > input[best] { best = index }
        }
        return best
    }
}
