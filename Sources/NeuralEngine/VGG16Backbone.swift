import Foundation

/// The VGG16 convolutional base (ImageNet weights, Keras `include_top=False`): 13 conv 3x3 + ReLU layers in
/// five blocks, each block ending in a 2x2 max-pool. Input HWC, 3 channels (BGR for the caffe
/// preprocessing the weights expect); output `block5_pool`, `[H/32, W/32, 512]` HWC.
public final class VGG16Backbone: Sendable {
    /// Conv layer names per block, as in the weights file.
    static let blocks: [[String]] = [
        ["block1_conv1", "block1_conv2"],
        ["block2_conv1", "block2_conv2"],
        ["block3_conv1", "block3_conv2", "block3_conv3"],
        ["block4_conv1", "block4_conv2", "block4_conv3"],
        ["block5_conv1", "block5_conv2", "block5_conv3"],
    ]
    /// Scratch shared by the workers: 8 M floats (32 MB). At 224 px that is 16 rows of unfolded patches per
    /// worker in block 1, and Winograd does blocks 3-5 in one pass (larger SGEMMs, weights packed once).
    static let scratchFloats = 8 << 20

    private let layers: [[Conv3x3ReLU]]
    public var outputChannels: Int { layers.last!.last!.outputChannels }

    public init(weights: SafeTensorsFile) throws(SafeTensorsError) {
        var layers: [[Conv3x3ReLU]] = []
        var channels = 3
        for block in Self.blocks {
            var convs: [Conv3x3ReLU] = []
            for name in block {
                let weight = try weights.tensor("\(name).weight")
                let bias = try weights.tensor("\(name).bias")
                guard weight.shape.count == 4, weight.shape[1] == channels, weight.shape[2] == 3, weight.shape[3] == 3,
                      bias.shape == [weight.shape[0]] else {
                    throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(weight.shape) and bias \(bias.shape); expected [out, \(channels), 3, 3] and [out] (is this the VGG16 conv base?)")
                }
                convs.append(Conv3x3ReLU(oihw: weight, bias: bias))
                channels = weight.shape[0]
            }
            layers.append(convs)
        }
        self.layers = layers
    }

    /// One image: `input` is `height x width x 3` HWC; result `[height/32, width/32, 512]`.
    public func features(_ input: [Float], height: Int = 224, width: Int = 224) -> Tensor {
        features(batch: [input], height: height, width: width)[0]
    }

    /// Several images of one size, sharing working buffers. Each layer is split between `workers` threads
    /// (one per core); OpenBLAS itself is best left single-threaded (`BLASRuntime`). Only two
    /// full-resolution activations exist at a time, whatever the batch size.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224) -> [Tensor] {
        precondition(height >= 32 && width >= 32, "the backbone needs at least 32x32 pixels")
        let convs = layers.flatMap { $0 }
        let widest = convs.map(\.outputChannels).max()!
        let largest = height * width * max(widest, 3)
        let workers = Self.workerCount
        let scratchSize = max(Self.scratchFloats, workers * convs.map { $0.minimumScratch(width: width) }.max()!)
        let ping = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let pong = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: scratchSize)
        defer { ping.deallocate(); pong.deallocate(); scratch.deallocate() }

        return inputs.map { input in
            precondition(input.count == height * width * 3, "input must be \(height)x\(width)x3")
            _ = ping.initialize(from: input)
            var (current, spare) = (ping.baseAddress!, pong.baseAddress!)
            var (h, w, c) = (height, width, 3)
            for block in layers {
                for conv in block {
                    conv.apply(current, height: h, width: w, into: spare, scratch: scratch, workers: workers)
                    swap(&current, &spare)
                    c = conv.outputChannels
                }
                nonisolated(unsafe) let (source, destination) = (current, spare)
                let (layerHeight, layerWidth, channels) = (h, w, c)
                Parallel.forEachShare(of: h / 2, workers: workers) { rows, _ in
                    maxPool2x2(source, height: layerHeight, width: layerWidth, channels: channels, rows: rows, into: destination)
                }
                swap(&current, &spare)
                (h, w) = (h / 2, w / 2)
            }
            return Tensor(shape: [h, w, c], values: Array(UnsafeBufferPointer(start: current, count: h * w * c)))
        }
    }

    /// One worker per core, at most 2: the machines this runs on have 2 cores shared with image decoding.
    static var workerCount: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)) }
}
