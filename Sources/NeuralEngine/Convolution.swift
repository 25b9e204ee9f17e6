#if canImport(Glibc)
import Glibc
#endif

/// A 3x3 convolution, stride 1, zero padding 1 ("same"), with bias and ReLU, on HWC activations.
///
/// Two methods, chosen per layer by its input channels:
/// - im2col + one SGEMM per tile of image rows: the unfolded patches of a few rows at a time fit in a small
///   scratch buffer, so memory stays flat whatever the image size;
/// - Winograd F(2x2, 3x3) (`WinogradKernel`): 2.25x fewer multiplications, worth its transforms from 128
///   input channels (VGG16 block2_conv2 on).
/// Both split their work between cores themselves: im2col by image rows (each worker unfolds and multiplies
/// its own rows), Winograd by phase (see `WinogradKernel`).
struct Conv3x3ReLU: Sendable {
    enum Method: Sendable {
        /// `kernel` is `[9 * inputChannels, outputChannels]`; row `(ky * 3 + kx) * inputChannels + ci`.
        case unfolded(kernel: [Float])
        case winograd(WinogradKernel)
    }

    let inputChannels: Int
    let outputChannels: Int
    let method: Method
    let bias: [Float]

    /// Winograd pays off from this many input channels. Measured on Zen 4 (CPU time, one thread): at 64
    /// channels its transforms cost more than the multiplications they save (block1_conv2 75-90 ms against
    /// 55 ms), at 128 it breaks even, from 256 it saves 25-35% per layer, block 5 (7x7 tiles) included.
    static let winogradMinimumChannels = 128

    /// From ONNX/PyTorch layout: weight `[out, in, 3, 3]` (OIHW), bias `[out]`.
    init(oihw weight: Tensor, bias: Tensor) {
        precondition(weight.shape.count == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "need a 3x3 OIHW kernel")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        precondition(bias.shape == [outputs], "bias must have one value per output channel")
        let kernel = ConvKernelLayout.tapMajor(fromOIHW: weight.values, inputChannels: inputs, outputChannels: outputs)
        self.inputChannels = inputs
        self.outputChannels = outputs
        self.bias = bias.values
        self.method = inputs >= Self.winogradMinimumChannels
            ? .winograd(WinogradKernel(tapMajor: kernel, inputChannels: inputs, outputChannels: outputs))
            : .unfolded(kernel: kernel)
    }

    /// The im2col method on a tap-major kernel `[9 * in, out]` (the layout `ConvKernelLayout.tapMajor` makes),
    /// whatever the channel count: the layer a trainer updates step by step.
    init(tapMajor kernel: [Float], bias: [Float], inputChannels: Int, outputChannels: Int) {
        precondition(kernel.count == 9 * inputChannels * outputChannels && bias.count == outputChannels, "kernel or bias size does not match the channels")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.bias = bias
        self.method = .unfolded(kernel: kernel)
    }

    /// Scratch floats `apply` needs at the least per worker for an image `width` wide.
    func minimumScratch(width: Int) -> Int {
        switch method {
        case .unfolded: width * 9 * inputChannels
        case .winograd(let winograd): winograd.minimumScratch(width: width)
        }
    }

    /// `input` is `[height, width, inputChannels]`, `output` receives `[height, width, outputChannels]`.
    /// The work is split between `workers` threads; `scratch` holds at least `workers * minimumScratch(width:)`
    /// floats, and more lets the SGEMMs run on more rows at once.
    func apply(_ input: UnsafePointer<Float>, height: Int, width: Int, into output: UnsafeMutablePointer<Float>,
               scratch: UnsafeMutableBufferPointer<Float>, workers: Int) {
        switch method {
        case .winograd(let winograd):
            winograd.apply(input, height: height, width: width, bias: bias, into: output, scratch: scratch, workers: workers)
        case .unfolded(let kernel):
            nonisolated(unsafe) let (input, output) = (input, output)
            let share = scratch.count / workers
            Parallel.forEachShare(of: height, workers: workers) { rows, worker in
                let ownScratch = UnsafeMutableBufferPointer(rebasing: scratch[(worker * share)..<((worker + 1) * share)])
                applyUnfolded(kernel, input, height: height, width: width, rows: rows, into: output, scratch: ownScratch)
            }
        }
    }

    /// im2col path for output rows `rows`, single-threaded.
    private func applyUnfolded(_ kernel: [Float], _ input: UnsafePointer<Float>, height: Int, width: Int, rows: Range<Int>,
                               into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutableBufferPointer<Float>) {
        let patchLength = 9 * inputChannels
        precondition(scratch.count >= width * patchLength, "scratch too small for one row of patches")
        let rowsPerTile = max(1, min(rows.count, scratch.count / (width * patchLength)))
        var firstRow = rows.lowerBound
        while firstRow < rows.upperBound {
            let tileRows = min(rowsPerTile, rows.upperBound - firstRow)
            ConvKernelLayout.unfold(input, height: height, width: width, channels: inputChannels, rows: firstRow..<(firstRow + tileRows),
                                    into: scratch.baseAddress!)
            let tileOutput = output + firstRow * width * outputChannels
            kernel.withUnsafeBufferPointer { kernel in
                LinearAlgebra.gemm(m: tileRows * width, n: outputChannels, k: patchLength,
                                   a: scratch.baseAddress!, lda: patchLength,
                                   b: kernel.baseAddress!, ldb: outputChannels,
                                   c: tileOutput, ldc: outputChannels)
            }
            addBiasAndReLU(tileOutput, pixels: tileRows * width)
            firstRow += tileRows
        }
    }

    private func addBiasAndReLU(_ values: UnsafeMutablePointer<Float>, pixels: Int) {
        bias.withUnsafeBufferPointer { bias in
            for pixel in 0..<pixels {
                let row = values + pixel * outputChannels
                for channel in 0..<outputChannels {
                    row[channel] = max(0, row[channel] + bias[channel])
                }
            }
        }
    }
}

/// One 3x3 conv + bias + ReLU on a whole `[height, width, inputChannels]` map, single-threaded, by im2col on a
/// tap-major kernel `[9 * in, out]`: the backbone's own im2col layer, for the fine-tuner's forward pass (whose
/// backward pass, in Training, needs the outputs kept).
public func convolve3x3ReLU(_ input: [Float], height: Int, width: Int, kernel: [Float], bias: [Float],
                            inputChannels: Int, outputChannels: Int) -> [Float] {
    precondition(input.count == height * width * inputChannels, "input must be \(height)x\(width)x\(inputChannels)")
    let layer = Conv3x3ReLU(tapMajor: kernel, bias: bias, inputChannels: inputChannels, outputChannels: outputChannels)
    let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: height * width * 9 * inputChannels)
    defer { scratch.deallocate() }
    var output = [Float](repeating: 0, count: height * width * outputChannels)
    input.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { output in
            layer.apply(input.baseAddress!, height: height, width: width, into: output.baseAddress!, scratch: scratch, workers: 1)
        }
    }
    return output
}

/// `maxPool2x2` on a whole `[height, width, channels]` map: `[height/2, width/2, channels]`.
public func maxPooled2x2(_ input: [Float], height: Int, width: Int, channels: Int) -> [Float] {
    var output = [Float](repeating: 0, count: (height / 2) * (width / 2) * channels)
    input.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { output in
            maxPool2x2(input.baseAddress!, height: height, width: width, channels: channels, rows: 0..<(height / 2), into: output.baseAddress!)
        }
    }
    return output
}

/// 2x2 max-pooling with stride 2 on HWC activations (odd trailing rows/columns dropped, as Keras "valid"),
/// for output rows `rows`.
func maxPool2x2(_ input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, rows: Range<Int>,
                into output: UnsafeMutablePointer<Float>) {
    let outWidth = width / 2
    for y in rows {
        for x in 0..<outWidth {
            let topLeft = input + ((2 * y) * width + 2 * x) * channels
            let bottomLeft = topLeft + width * channels
            let destination = output + (y * outWidth + x) * channels
            for c in 0..<channels {
                destination[c] = max(max(topLeft[c], topLeft[c + channels]), max(bottomLeft[c], bottomLeft[c + channels]))
            }
        }
    }
}
