import Foundation

/// The lung segmenter's decoder: a small U-Net-style head on the VGG16 encoder's pooled block outputs, which
/// the classifiers' backbone pass computes anyway, so segmentation costs only these four layers (about
/// 0.6 GFLOP per image at 224 px, against 30.7 for the backbone).
///
///     block4_pool [14x14x512]  -> conv3x3+ReLU (lungs_dec4)                  -> up x2
///     block3_pool [28x28x256]  ++ that -> conv3x3+ReLU (lungs_dec3)          -> up x2
///     block2_pool [56x56x128]  ++ that -> conv3x3+ReLU (lungs_dec2)
///                                      -> conv1x1 (lungs_logit) -> sigmoid -> P(lung) at 1/4 of the input size
///
/// `++` is channel concatenation (the upsampled path first), `up x2` repeats each pixel 2x2. The widths come
/// from the weights file; the trainer (`LungDecoderNetwork` in Training) runs the same layers unfolded.
public struct LungDecoder: Sendable {
    /// Names of the three 3x3 layers (deepest first) and of the 1x1 output layer in the weights file.
    public static let convNames = ["lungs_dec4", "lungs_dec3", "lungs_dec2"]
    public static let logitName = "lungs_logit"
    /// Backbone blocks (0-based) whose pooled outputs feed the decoder, deepest first: block4_pool, block3_pool, block2_pool.
    public static let tappedBlocks = [3, 2, 1]
    /// Channels of the tapped outputs, in `tappedBlocks` order.
    public static let tappedChannels = [512, 256, 128]
    /// The probability map is this many times smaller than the network input.
    public static let outputStride = 4

    let convs: [Conv3x3ReLU]
    /// Output channels of the three 3x3 layers, deepest first.
    public var widths: [Int] { convs.map(\.outputChannels) }
    /// 1x1 output layer: one weight per channel of the last conv, and a bias.
    let logitWeights: [Float]
    let logitBias: Float

    /// Reads the four layers, checking that each takes what the previous layer and the skip connection give.
    public init(weights: SafeTensorsFile) throws(SafeTensorsError) {
        var convs: [Conv3x3ReLU] = []
        var upsampled = 0
        for (index, name) in Self.convNames.enumerated() {
            let weight = try weights.tensor("\(name).weight"), bias = try weights.tensor("\(name).bias")
            let expectedInputs = upsampled + Self.tappedChannels[index]
            guard weight.shape.count == 4, weight.shape[1] == expectedInputs, weight.shape[2] == 3, weight.shape[3] == 3,
                  bias.shape == [weight.shape[0]] else {
                throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(weight.shape) and bias \(bias.shape); expected [out, \(expectedInputs), 3, 3] and [out]")
            }
            convs.append(Conv3x3ReLU(oihw: weight, bias: bias))
            upsampled = weight.shape[0]
        }
        let weight = try weights.tensor("\(Self.logitName).weight"), bias = try weights.tensor("\(Self.logitName).bias")
        guard weight.shape == [1, upsampled, 1, 1], bias.shape == [1] else {
            throw SafeTensorsError(file: weights.path, reason: "\(Self.logitName) has weight \(weight.shape) and bias \(bias.shape); expected [1, \(upsampled), 1, 1] and [1]")
        }
        self.convs = convs
        self.logitWeights = weight.values
        self.logitBias = bias.values[0]
    }

    /// P(lung) per pixel, `[H/4, W/4]` row-major, from the tapped backbone outputs in `tappedBlocks` order.
    public func probabilities(taps: [Tensor]) -> Tensor {
        let logits = self.logits(taps: taps)
        return Tensor(shape: logits.shape, values: logits.values.map(Self.sigmoid))
    }

    /// The logit map `[H/4, W/4]` before the sigmoid.
    public func logits(taps: [Tensor]) -> Tensor {
        precondition(taps.count == 3 && zip(taps, Self.tappedChannels).allSatisfy { $0.shape.count == 3 && $0.shape[2] == $1 },
                     "the decoder needs block4_pool, block3_pool and block2_pool")
        var current = taps[0].values
        var (height, width) = (taps[0].shape[0], taps[0].shape[1])
        for (index, conv) in convs.enumerated() {
            if index > 0 {
                let skip = taps[index]
                precondition(skip.shape[0] == 2 * height && skip.shape[1] == 2 * width, "tapped maps must double in size")
                current = Self.concatenate(Self.upsampled(current, height: height, width: width, channels: convs[index - 1].outputChannels),
                                           skip.values, pixels: skip.shape[0] * skip.shape[1])
                (height, width) = (skip.shape[0], skip.shape[1])
            }
            current = Self.convolve(conv, current, height: height, width: width)
        }
        let channels = convs.last!.outputChannels
        var logits = [Float](repeating: logitBias, count: height * width)
        for pixel in 0..<(height * width) {
            for c in 0..<channels { logits[pixel] += logitWeights[c] * current[pixel * channels + c] }
        }
        return Tensor(shape: [height, width], values: logits)
    }

    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// Nearest-neighbour x2 upsampling of an HWC map.
    public static func upsampled(_ input: [Float], height: Int, width: Int, channels: Int) -> [Float] {
        var output = [Float](repeating: 0, count: 4 * input.count)
        for y in 0..<(2 * height) {
            for x in 0..<(2 * width) {
                let from = ((y / 2) * width + x / 2) * channels, to = (y * 2 * width + x) * channels
                for c in 0..<channels { output[to + c] = input[from + c] }
            }
        }
        return output
    }

    /// Per pixel, `first`'s channels then `second`'s.
    public static func concatenate(_ first: [Float], _ second: [Float], pixels: Int) -> [Float] {
        let (a, b) = (first.count / pixels, second.count / pixels)
        var output = [Float](repeating: 0, count: first.count + second.count)
        for pixel in 0..<pixels {
            for c in 0..<a { output[pixel * (a + b) + c] = first[pixel * a + c] }
            for c in 0..<b { output[pixel * (a + b) + a + c] = second[pixel * b + c] }
        }
        return output
    }

    /// One 3x3 layer on a whole map, on the calling thread (the screener runs one image per core).
    private static func convolve(_ conv: Conv3x3ReLU, _ input: [Float], height: Int, width: Int) -> [Float] {
        var output = [Float](repeating: 0, count: height * width * conv.outputChannels)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1 << 20, conv.minimumScratch(width: width)))
        defer { scratch.deallocate() }
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                conv.apply(input.baseAddress!, height: height, width: width, into: output.baseAddress!, scratch: scratch, workers: 1)
            }
        }
        return output
    }
}
