#if canImport(Glibc)
import Glibc
#endif

/// The two layouts of a 3x3 convolution kernel, and the unfolding (im2col) that turns a convolution into
/// one matrix product. Shared by inference (`Conv3x3ReLU`) and training (the fine-tuned block's gradients).
public enum ConvKernelLayout {
    /// Weights file layout `[out, in, 3, 3]` (OIHW) to the unfolded-product layout `[9 * in, out]`,
    /// row `(ky * 3 + kx) * in + ci`.
    public static func tapMajor(fromOIHW weight: [Float], inputChannels: Int, outputChannels: Int) -> [Float] {
        precondition(weight.count == 9 * inputChannels * outputChannels, "kernel size does not match its channels")
        var kernel = [Float](repeating: 0, count: weight.count)
        for o in 0..<outputChannels {
            for i in 0..<inputChannels {
                for tap in 0..<9 { kernel[(tap * inputChannels + i) * outputChannels + o] = weight[(o * inputChannels + i) * 9 + tap] }
            }
        }
        return kernel
    }

    /// The inverse of `tapMajor(fromOIHW:)`.
    public static func oihw(fromTapMajor kernel: [Float], inputChannels: Int, outputChannels: Int) -> [Float] {
        precondition(kernel.count == 9 * inputChannels * outputChannels, "kernel size does not match its channels")
        var weight = [Float](repeating: 0, count: kernel.count)
        for o in 0..<outputChannels {
            for i in 0..<inputChannels {
                for tap in 0..<9 { weight[(o * inputChannels + i) * 9 + tap] = kernel[(tap * inputChannels + i) * outputChannels + o] }
            }
        }
        return weight
    }

    /// im2col for a 3x3 "same" convolution, output rows `rows` of an HWC map: the patch of pixel (y, x) goes to
    /// `patches[((y - rows.lowerBound) * width + x) * 9 * channels]`, laid out as ky, kx, channel (zeros outside).
    public static func unfold(_ input: UnsafePointer<Float>, height: Int, width: Int, channels: Int, rows: Range<Int>,
                              into patches: UnsafeMutablePointer<Float>) {
        let patchLength = 9 * channels
        let rowLength = width * channels
        let tripleBytes = 3 * channels * MemoryLayout<Float>.stride
        let singleBytes = channels * MemoryLayout<Float>.stride
        for y in rows {
            for x in 0..<width {
                let patch = patches + ((y - rows.lowerBound) * width + x) * patchLength
                for ky in 0..<3 {
                    let destination = patch + ky * 3 * channels
                    let sourceRow = y + ky - 1
                    if sourceRow < 0 || sourceRow >= height {
                        memset(destination, 0, tripleBytes)
                    } else if x >= 1 && x + 1 < width {
                        memcpy(destination, input + sourceRow * rowLength + (x - 1) * channels, tripleBytes)
                    } else {
                        for kx in 0..<3 {
                            let sourceColumn = x + kx - 1
                            if sourceColumn < 0 || sourceColumn >= width {
                                memset(destination + kx * channels, 0, singleBytes)
                            } else {
                                memcpy(destination + kx * channels, input + sourceRow * rowLength + sourceColumn * channels, singleBytes)
                            }
                        }
                    }
                }
            }
        }
    }

    /// col2im, the adjoint of `unfold` over the whole map: adds every patch value back onto the pixel it was
    /// copied from (used for the gradient with respect to a convolution's input). `output` must start zeroed.
    public static func foldAdding(_ patches: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
                                  into output: UnsafeMutablePointer<Float>) {
        let patchLength = 9 * channels
        for y in 0..<height {
            for x in 0..<width {
                let patch = patches + (y * width + x) * patchLength
                for ky in 0..<3 {
                    let sourceRow = y + ky - 1
                    guard sourceRow >= 0 && sourceRow < height else { continue }
                    for kx in 0..<3 {
                        let sourceColumn = x + kx - 1
                        guard sourceColumn >= 0 && sourceColumn < width else { continue }
                        let destination = output + (sourceRow * width + sourceColumn) * channels
                        let source = patch + (ky * 3 + kx) * channels
                        for c in 0..<channels { destination[c] += source[c] }
                    }
                }
            }
        }
    }
}
